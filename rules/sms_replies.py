"""What a guest's SMS reply means: confirm, cancel, opt out, opt back in, or something else."""

from __future__ import annotations

import unicodedata
from typing import Literal

ReplyKind = Literal["confirm", "cancel", "stop", "start", "other"]

# Keywords in every supported language, written without accents in lower case,
# because replies are compared after folding both away. Reminder SMSes ask for C or
# X in every language, so those two always work. Note that Twilio's default opt-out
# handling also treats CANCEL as an opt-out (and YES as an opt-in): unless the
# messaging service's Advanced Opt-Out drops CANCEL, a guest who replies CANCEL is
# both cancelled here and blocked from further SMS by Twilio (error 21610).
_KEYWORDS: dict[str, ReplyKind] = {
    **dict.fromkeys(("c", "yes", "y", "ja", "j", "oui", "si", "ok"), "confirm"),
    **dict.fromkeys(
        (
            "x",
            "cancel",
            "annuleren",
            "annuler",
            "annulla",
            "cancelar",
            "storno",
            "stornieren",
            "absagen",
        ),
        "cancel",
    ),
    **dict.fromkeys(("stop", "stopall", "unsubscribe", "end", "quit", "optout", "stopp"), "stop"),
    **dict.fromkeys(("start", "unstop"), "start"),
}


def classify_reply(body: str) -> ReplyKind:
    """Classify an inbound SMS by its single keyword.

    Case, accents, surrounding whitespace and punctuation are ignored ("Sí!",
    " oui. ", "opt-out"). Only a reply that is exactly one keyword is acted on:
    a sentence such as "yes but we are 5 now" contains a confirm word and also a
    change the restaurant must read, so acting on the keyword would lose the rest.
    Anything that is not a bare keyword is "other" and goes to a human.
    """
    words = _fold(body).split()
    if len(words) != 1:
        return "other"
    return _KEYWORDS.get(words[0], "other")


OfferReply = Literal["accept", "decline"]

# An answer to a waitlist offer ("a table for you at 20:00, reply YES or NO"), in
# every supported language after folding: YES/NO, JA/NEE, JA/NEIN, OUI/NON, SI/NO.
_OFFER_WORDS: dict[str, OfferReply] = {
    **dict.fromkeys(("yes", "y", "ja", "j", "oui", "si", "ok"), "accept"),
    **dict.fromkeys(("no", "n", "nee", "nein", "non"), "decline"),
}


def classify_offer_reply(body: str) -> OfferReply | None:
    """The answer to an open waitlist offer, or None when the reply is not a bare yes or no.

    Folded and checked like `classify_reply`: "Sí!", " oui. " and "NEE" count; a
    sentence ("yes but 5 of us") does not, so a person reads it.
    """
    words = _fold(body).split()
    if len(words) != 1:
        return None
    return _OFFER_WORDS.get(words[0])


def _fold(text: str) -> str:
    """Lower-case, strip accents, and drop punctuation and symbols (emoji included)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept: list[str] = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Mn" or category[0] in "PS":
            continue  # accents, punctuation and symbols carry no keyword
        kept.append(" " if category[0] == "Z" or category == "Cc" else char)
    return "".join(kept)
