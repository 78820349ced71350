"""The shape of a language catalog: labels, link captions and one text per template.

Catalog strings are ``str.format`` patterns. The fields every pattern may use are
``name``, ``restaurant``, ``reference``, ``date``, ``time``, ``party``, ``amount``,
``expires``, ``deadline`` and ``text``; the renderer fills them (in SMS with shorter
date formats) and refuses a template whose required fields are missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypedDict, get_args

TemplateName = Literal[
    "deposit_request",
    "pending",
    "confirmation",
    "declined",
    "modification",
    "cancellation_by_guest",
    "cancellation_by_restaurant",
    "hold_expired",
    "reminder",
    "review_request",
    "deposit_receipt",
    "refund_issued",
    "no_show",
    "fee_charged",
    "waitlist_offer",
    "waitlist_joined",
    "waitlist_table_ready",
    "waitlist_call_you",
    "waitlist_expired",
    "staff_reply",
    "sms_cancel_refused",
    "guarantee_request",
    "deposit_forfeited",
]
TEMPLATE_NAMES: tuple[TemplateName, ...] = get_args(TemplateName)

# What a link leads to; "view" and "feedback" are the manage page under another caption,
# "guarantee" is the payment page where the guest leaves a card (nothing is charged).
LinkKind = Literal[
    "manage",
    "view",
    "feedback",
    "cancel",
    "calendar",
    "map",
    "pay",
    "guarantee",
    "confirm",
    "offer",
    "decline",
]
LINK_KINDS: tuple[LinkKind, ...] = get_args(LinkKind)


class Labels(TypedDict):
    """Words around the message body; a TypedDict so mypy checks each language is complete."""

    greeting: str  # uses {name}
    greeting_anonymous: str  # when the guest left no first name
    closing: str  # followed by the restaurant name on its own line
    details_heading: str
    reference: str
    date: str
    time: str
    party: str
    restaurant: str
    address: str
    phone: str
    amount: str
    offer_expires: str
    note: str  # heads the restaurant's free text (a reason) when one is given
    datetime: str  # joins a date and a time: {date}, {time}
    party_one: str
    party_other: str  # uses {n}
    cancel_until: str  # uses {deadline}
    unsubscribe: str  # the marketing withdrawal link's label; uses {restaurant}


@dataclass(frozen=True, slots=True)
class MessageText:
    """One template in one language: email subject, email paragraphs, SMS (link appended)."""

    subject: str
    body: tuple[str, ...]
    sms: str


@dataclass(frozen=True, slots=True)
class LanguageCatalog:
    """Everything needed to write any guest message in one language."""

    labels: Labels
    links: Mapping[LinkKind, str]
    messages: Mapping[TemplateName, MessageText]
