import pytest

from rules.sms_replies import ReplyKind, classify_reply

CONFIRM = ["C", "YES", "Y", "JA", "J", "OUI", "SI", "SÍ", "SÌ", "OK"]
CANCEL = [
    "X",
    "CANCEL",
    "ANNULEREN",
    "ANNULER",
    "ANNULLA",
    "CANCELAR",
    "STORNO",
    "STORNIEREN",
    "ABSAGEN",
]
STOP = ["STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "OPTOUT", "STOPP"]
START = ["START", "UNSTOP"]


@pytest.mark.parametrize(
    ("word", "kind"),
    [(w, "confirm") for w in CONFIRM]
    + [(w, "cancel") for w in CANCEL]
    + [(w, "stop") for w in STOP]
    + [(w, "start") for w in START],
)
def test_keywords(word: str, kind: ReplyKind) -> None:
    assert classify_reply(word) == kind
    assert classify_reply(word.lower()) == kind
    assert classify_reply(word.capitalize()) == kind


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("  yes\n", "confirm"),
        ("Yes!", "confirm"),
        ("ok.", "confirm"),
        ("¡Sí!", "confirm"),
        ("sì", "confirm"),
        ("Si", "confirm"),
        ('"c"', "confirm"),
        ("Oui !", "confirm"),
        ("x", "cancel"),
        (" Annuleren. ", "cancel"),
        ("Stornieren!!", "cancel"),
        ("opt-out", "stop"),
        ("Opt-Out", "stop"),
        ("stop.", "stop"),
        ("Start", "start"),
        ("\uff33\uff34\uff2f\uff30", "stop"),  # full-width STOP folds to ASCII
    ],
)
def test_case_accents_whitespace_and_punctuation_are_ignored(body: str, kind: ReplyKind) -> None:
    assert classify_reply(body) == kind


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "?",
        "👍",
        "no",
        "N",
        "maybe",
        "yes but we are 5 now",
        "Yes, see you then",
        "please cancel",
        "cancel please",
        "C X",
        "stop all",
        "can we come at 8 instead?",
        "yesss",
        "cc",
    ],
)
def test_anything_else_is_other(body: str) -> None:
    assert classify_reply(body) == "other"
