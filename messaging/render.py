"""Guest messages (email and SMS) rendered in the guest's language.

Texts come from one catalog per language (`messaging.catalog`); dates, times and
money are formatted with babel for the guest's locale, always in the restaurant's
timezone. The HTML email goes through an autoescaping Jinja2 environment, so guest
names and staff-written text can never inject markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency, get_currency_precision
from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

from messaging.catalog import CATALOGS
from messaging.catalog.layout import EMAIL_HTML, EMAIL_TEXT
from messaging.catalog.schema import TEMPLATE_NAMES, LinkKind, TemplateName

__all__ = [
    "SUPPORTED_LANGUAGES",
    "TEMPLATE_NAMES",
    "MessageContext",
    "MessageLinks",
    "RenderedMessage",
    "TemplateName",
    "format_money",
    "pick_language",
    "render",
]

SUPPORTED_LANGUAGES = ("en", "nl", "de", "fr", "es", "it")
DEFAULT_LANGUAGE = "en"


class UnrenderableMessage(ValueError):
    """The context would render a message with holes in it: no retry can fill them."""


@dataclass(frozen=True, slots=True)
class MessageLinks:
    """Absolute URLs the guest can act on; optional ones are left out when absent."""

    manage_url: str
    cancel_url: str
    confirm_url: str
    calendar_url: str
    map_url: str | None = None
    payment_url: str | None = None
    offer_url: str | None = None
    decline_url: str | None = None
    # the signed marketing withdrawal link, only when the guest consented to marketing
    unsubscribe_url: str | None = None


@dataclass(frozen=True, slots=True)
class MessageContext:
    """Everything one guest message needs; `starts_at` is an aware instant (UTC)."""

    template: TemplateName
    language: str
    guest_first_name: str
    restaurant_name: str
    restaurant_timezone: str
    restaurant_address: str | None
    restaurant_phone: str | None
    reference: str
    starts_at: datetime
    party_size: int
    links: MessageLinks
    currency: str = "EUR"
    amount_minor: int | None = None
    cancellation_deadline_at: datetime | None = None
    offer_expires_at: datetime | None = None
    free_text: str | None = None  # the staff reply's text, or a reason


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """One message ready for the outbox: email subject, text and HTML, and an SMS body."""

    language: str
    subject: str
    text: str
    html: str
    sms: str


@dataclass(frozen=True, slots=True)
class _Link:
    label: str
    url: str


_ACTIVE: tuple[LinkKind, ...] = ("manage", "cancel", "calendar", "map")
# Which links each email carries, the main action first. Once a booking is over
# (declined, cancelled, expired, past) there is nothing left to change or cancel.
_EMAIL_LINKS: dict[TemplateName, tuple[LinkKind, ...]] = {
    "deposit_request": ("pay", *_ACTIVE),
    "pending": _ACTIVE,
    "confirmation": _ACTIVE,
    "declined": ("view",),
    "modification": _ACTIVE,
    "cancellation_by_guest": ("view",),
    "cancellation_by_restaurant": ("view",),
    "hold_expired": ("view",),
    "reminder": ("confirm", *_ACTIVE),
    "review_request": ("feedback",),
    "deposit_receipt": _ACTIVE,
    "refund_issued": ("view",),
    "no_show": ("view",),
    "fee_charged": ("view",),
    "waitlist_offer": ("offer", "decline", "view", "map"),
    "waitlist_joined": ("map",),
    "waitlist_table_ready": ("map",),
    "waitlist_call_you": (),
    "waitlist_expired": (),
    "staff_reply": _ACTIVE,
    "sms_cancel_refused": _ACTIVE,
    "guarantee_request": ("guarantee", *_ACTIVE),
    "deposit_forfeited": ("view",),
}
# The one link an SMS carries; None sends none (a staff reply is just their words).
_SMS_LINK_OVERRIDES: dict[TemplateName, LinkKind | None] = {
    "deposit_request": "pay",
    "guarantee_request": "guarantee",
    "waitlist_offer": "offer",
    "waitlist_joined": None,
    "waitlist_table_ready": None,
    "waitlist_call_you": None,
    "waitlist_expired": None,
    "staff_reply": None,
}

_MONEY_TEMPLATES: frozenset[TemplateName] = frozenset(
    {
        "deposit_request",
        "guarantee_request",
        "deposit_receipt",
        "refund_issued",
        "fee_charged",
        "deposit_forfeited",
    }
)
# Templates whose main link is the payment page (a deposit, or a card guarantee).
_PAYMENT_TEMPLATES: frozenset[TemplateName] = frozenset({"deposit_request", "guarantee_request"})
# Templates where a free-cancellation deadline, when known, is worth repeating.
_DEADLINE_TEMPLATES: frozenset[TemplateName] = frozenset(
    {
        "deposit_request",
        "guarantee_request",
        "pending",
        "confirmation",
        "modification",
        "reminder",
        "deposit_receipt",
    }
)

_LANGUAGE_SPLIT = re.compile(r"[-_,;\s]")
# Babel uses no-break and narrow no-break spaces ("25,00\xa0€", "8:00\u202fPM");
# in an SMS they would force the UCS-2 encoding and halve the segment length.
_SMS_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})

_environment = Environment(
    loader=DictLoader({"email.html": EMAIL_HTML, "email.txt": EMAIL_TEXT}),
    autoescape=select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",)),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def pick_language(preferred: str | None) -> str:
    """The supported language for a guest preference: "nl-BE"/"nl_BE"/"NL" -> "nl".

    Anything unknown or empty falls back to English.
    """
    if not preferred:
        return DEFAULT_LANGUAGE
    primary = _LANGUAGE_SPLIT.split(preferred.strip(), maxsplit=1)[0].lower()
    return primary if primary in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def render(ctx: MessageContext) -> RenderedMessage:
    """Render the email (subject, text, HTML) and the SMS for one guest message.

    Raises ValueError when the template needs something the context lacks (an
    amount, a payment or offer link, an offer expiry, a staff reply's text) or when
    a datetime is naive.
    """
    _check(ctx)
    language = pick_language(ctx.language)
    locale = _locale(ctx.language, language)
    catalog = CATALOGS[language]
    labels = catalog.labels
    message = catalog.messages[ctx.template]
    zone = ZoneInfo(ctx.restaurant_timezone)
    starts_local = ctx.starts_at.astimezone(zone)
    party = (
        labels["party_one"]
        if ctx.party_size == 1
        else labels["party_other"].format(n=ctx.party_size)
    )
    amount = (
        _format_money(ctx.amount_minor, ctx.currency, locale)
        if ctx.amount_minor is not None
        else ""
    )
    name = ctx.guest_first_name.strip()

    def long_moment(moment: datetime) -> str:
        local = moment.astimezone(zone)
        return labels["datetime"].format(
            date=format_date(local, "full", locale=locale),
            time=format_time(local, "short", locale=locale),
        )

    def short_moment(moment: datetime) -> str:
        local = moment.astimezone(zone)
        return labels["datetime"].format(
            date=format_skeleton("MMMEd", local, locale=locale),
            time=format_time(local, "short", locale=locale),
        )

    common = {
        "name": name,
        "restaurant": ctx.restaurant_name,
        "reference": ctx.reference,
        "party": party,
        "amount": amount,
        "time": format_time(starts_local, "short", locale=locale),
        "text": (ctx.free_text or "").strip(),
    }
    email_fields = common | {
        "date": format_date(starts_local, "full", locale=locale),
        "expires": long_moment(ctx.offer_expires_at) if ctx.offer_expires_at else "",
        "deadline": (
            long_moment(ctx.cancellation_deadline_at) if ctx.cancellation_deadline_at else ""
        ),
    }
    # SMS uses an abbreviated date ("zo 12 jul") to stay within two segments.
    sms_fields = common | {
        "date": format_skeleton("MMMEd", starts_local, locale=locale),
        "expires": short_moment(ctx.offer_expires_at) if ctx.offer_expires_at else "",
        "deadline": "",
    }

    # one line, whatever a name holds: a line break in a header would make it unsendable
    subject = " ".join(message.subject.format_map(email_fields).split())
    paragraphs = [paragraph.format_map(email_fields) for paragraph in message.body]
    if ctx.cancellation_deadline_at is not None and ctx.template in _DEADLINE_TEMPLATES:
        paragraphs.append(labels["cancel_until"].format_map(email_fields))

    details: list[tuple[str, str]] = [
        *([(labels["reference"], ctx.reference)] if ctx.reference else []),
        (labels["date"], email_fields["date"]),
        (labels["time"], email_fields["time"]),
        (labels["party"], party),
        (labels["restaurant"], ctx.restaurant_name),
    ]
    if ctx.restaurant_address:
        details.append((labels["address"], ctx.restaurant_address))
    if ctx.restaurant_phone:
        details.append((labels["phone"], ctx.restaurant_phone))
    if ctx.template in _MONEY_TEMPLATES:
        details.append((labels["amount"], amount))
    if ctx.template in {"waitlist_offer", "waitlist_table_ready"}:
        details.append((labels["offer_expires"], email_fields["expires"]))

    links = [
        _Link(label=catalog.links[kind], url=url)
        for kind in _EMAIL_LINKS[ctx.template]
        if (url := _url(kind, ctx.links))  # an empty link (none for a waitlist entry) is left out
    ]
    variables = {
        "lang": language,
        "subject": subject,
        "restaurant": ctx.restaurant_name,
        "greeting": (
            labels["greeting"].format(name=name) if name else labels["greeting_anonymous"]
        ),
        "paragraphs": paragraphs,
        "note": common["text"],
        # a staff reply's own paragraph already introduces the text
        "note_label": "" if ctx.template == "staff_reply" else labels["note"],
        "details_heading": labels["details_heading"],
        "details": details,
        "links": links,
        "closing": labels["closing"],
        "unsubscribe": (
            _Link(
                label=labels["unsubscribe"].format(restaurant=ctx.restaurant_name),
                url=ctx.links.unsubscribe_url,
            )
            if ctx.links.unsubscribe_url
            else None
        ),
    }
    text = _environment.get_template("email.txt").render(variables)
    html = _environment.get_template("email.html").render(variables)

    sms = message.sms.format_map(sms_fields)
    sms_link = _SMS_LINK_OVERRIDES.get(ctx.template, "manage")
    if sms_link is not None and (url := _url(sms_link, ctx.links)) is not None:
        sms = f"{sms} {url}"
    return RenderedMessage(
        language=language,
        subject=subject,
        text=text,
        html=html,
        sms=sms.translate(_SMS_SPACES),
    )


def _check(ctx: MessageContext) -> None:
    """Refuse a context that would render a message with holes in it."""
    for field, moment in (
        ("starts_at", ctx.starts_at),
        ("cancellation_deadline_at", ctx.cancellation_deadline_at),
        ("offer_expires_at", ctx.offer_expires_at),
    ):
        if moment is not None and moment.utcoffset() is None:
            raise UnrenderableMessage(f"{field} must be timezone-aware")
    if ctx.party_size < 1:
        raise UnrenderableMessage("party_size must be at least 1")
    if ctx.template in _MONEY_TEMPLATES and ctx.amount_minor is None:
        raise UnrenderableMessage(f"{ctx.template} needs amount_minor")
    if ctx.template in _PAYMENT_TEMPLATES and not ctx.links.payment_url:
        raise UnrenderableMessage(f"{ctx.template} needs links.payment_url")
    if ctx.template == "waitlist_offer" and (
        not ctx.links.offer_url or ctx.offer_expires_at is None
    ):
        raise UnrenderableMessage("waitlist_offer needs links.offer_url and offer_expires_at")
    if ctx.template == "waitlist_table_ready" and ctx.offer_expires_at is None:
        raise UnrenderableMessage("waitlist_table_ready needs offer_expires_at")
    if ctx.template == "staff_reply" and not (ctx.free_text or "").strip():
        raise UnrenderableMessage("staff_reply needs free_text")


def _locale(preferred: str, language: str) -> Locale:
    """The guest's full locale when babel knows it ("de_CH"), else the bare language.

    Keeping the region gets regional conventions right (Swiss francs, 24-hour
    clocks in en_GB) while the words still come from the language's catalog.
    """
    try:
        locale = Locale.parse(preferred.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse(language)
    return locale if locale.language == language else Locale.parse(language)


def _format_money(amount_minor: int, currency: str, locale: Locale) -> str:
    """Format minor units with the currency's own digits (2 for EUR, 0 for JPY)."""
    digits = get_currency_precision(currency.upper())
    return format_currency(Decimal(amount_minor).scaleb(-digits), currency.upper(), locale=locale)


def format_money(amount_minor: int, currency: str, *, language: str | None) -> str:
    """Money for a guest, in their language, as their messages show it ("25,00 €" in German)."""
    return _format_money(amount_minor, currency, _locale(language or "", pick_language(language)))


def _url(kind: LinkKind, links: MessageLinks) -> str | None:
    """The URL behind a link kind.

    "view" and "feedback" lead to the manage page, "pay" and "guarantee" to the payment page.
    """
    match kind:
        case "manage" | "view" | "feedback":
            return links.manage_url
        case "cancel":
            return links.cancel_url
        case "calendar":
            return links.calendar_url
        case "map":
            return links.map_url
        case "pay" | "guarantee":
            return links.payment_url
        case "confirm":
            return links.confirm_url
        case "offer":
            return links.offer_url
        case "decline":
            return links.decline_url
