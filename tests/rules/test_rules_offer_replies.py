"""What a guest's SMS answer to a waitlist offer means."""

import pytest

from rules.sms_replies import OfferReply, classify_offer_reply

ACCEPT = ["YES", "Y", "JA", "OUI", "SÍ", "SI", "Sì", "OK", " yes. ", "Ja!"]
DECLINE = ["NO", "N", "NEE", "NEIN", "NON", "no!", " Nee "]


@pytest.mark.parametrize(
    ("word", "answer"), [(w, "accept") for w in ACCEPT] + [(w, "decline") for w in DECLINE]
)
def test_yes_and_no_in_every_language(word: str, answer: OfferReply) -> None:
    assert classify_offer_reply(word) == answer
    assert classify_offer_reply(word.lower()) == answer


@pytest.mark.parametrize(
    "body", ["", "yes but we are 5", "no thanks, maybe later", "STOP", "X", "C", "maybe", "🙂"]
)
def test_anything_else_is_for_a_person(body: str) -> None:
    assert classify_offer_reply(body) is None
