import re
import string
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from messaging.catalog import CATALOGS
from messaging.catalog.schema import LINK_KINDS
from messaging.render import (
    SUPPORTED_LANGUAGES,
    TEMPLATE_NAMES,
    MessageContext,
    MessageLinks,
    RenderedMessage,
    TemplateName,
    pick_language,
    render,
)

LINKS = MessageLinks(
    manage_url="https://book.example.com/r/tok123",
    cancel_url="https://book.example.com/r/tok123/cancel",
    confirm_url="https://book.example.com/r/tok123/confirm",
    calendar_url="https://book.example.com/r/tok123/calendar.ics",
    map_url="https://maps.example.com/?q=Prinsengracht+1",
    payment_url="https://pay.example.com/session/ps_9",
    offer_url="https://book.example.com/w/tok456/accept",
)
# Sunday 12 July 2026, 18:00 UTC = 20:00 in Amsterdam (CEST, +02:00)
SUMMER_EVENING = datetime(2026, 7, 12, 18, 0, tzinfo=UTC)


def context(
    template: TemplateName = "confirmation", language: str = "en", **changes: object
) -> MessageContext:
    base = MessageContext(
        template=template,
        language=language,
        guest_first_name="Anna",
        restaurant_name="De Gouden Lepel",
        restaurant_timezone="Europe/Amsterdam",
        restaurant_address="Prinsengracht 1, 1015 AA Amsterdam",
        restaurant_phone="+31 20 123 4567",
        reference="RES-2026-000042",
        starts_at=SUMMER_EVENING,
        party_size=4,
        links=LINKS,
        currency="EUR",
        amount_minor=2500,
        cancellation_deadline_at=datetime(2026, 7, 11, 18, 0, tzinfo=UTC),
        offer_expires_at=datetime(2026, 7, 10, 12, 15, tzinfo=UTC),
        free_text="Dogs are welcome on the terrace.",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def all_parts(message: RenderedMessage) -> list[str]:
    return [message.subject, message.text, message.html, message.sms]


# --- the catalog --------------------------------------------------------------

ALLOWED_FIELDS = {
    "name",
    "restaurant",
    "reference",
    "date",
    "time",
    "party",
    "amount",
    "expires",
    "deadline",
    "text",
}


def fields_of(pattern: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_language_has_every_template_and_link(language: str) -> None:
    catalog = CATALOGS[language]
    assert set(catalog.messages) == set(TEMPLATE_NAMES)
    assert set(catalog.links) == set(LINK_KINDS)
    for message in catalog.messages.values():
        for pattern in (message.subject, message.sms, *message.body):
            assert fields_of(pattern) <= ALLOWED_FIELDS, pattern


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_templates_use_the_same_fields_as_english(language: str) -> None:
    # a translation that drops {amount} or {expires} loses the point of the message
    english = CATALOGS["en"].messages
    for name, message in CATALOGS[language].messages.items():
        en = english[name]
        assert fields_of(" ".join(message.body)) == fields_of(" ".join(en.body)), (language, name)
        assert fields_of(message.sms) == fields_of(en.sms), (language, name)


# --- every template in every language -------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_every_template_renders_in_every_language(template: TemplateName, language: str) -> None:
    message = render(context(template, language))
    assert message.language == language
    for part in all_parts(message):
        assert part.strip()
        assert "{" not in part and "}" not in part
        assert "None" not in part
        assert "\u00a0" not in message.sms and "\u202f" not in message.sms
    for part in (message.text, message.html):
        assert "RES-2026-000042" in part
        assert "De Gouden Lepel" in part
        assert "Prinsengracht 1, 1015 AA Amsterdam" in part
        assert ("8:00\u202fPM" if language == "en" else "20:00") in part
        assert "4 " in part
    assert message.html.lstrip().startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in message.html
    assert len(message.sms) <= 320, message.sms


MONEY_TEMPLATES = (
    "deposit_request",
    "guarantee_request",
    "deposit_receipt",
    "refund_issued",
    "fee_charged",
    "deposit_forfeited",
)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_renders_without_optional_fields(template: TemplateName, language: str) -> None:
    links = replace(LINKS, map_url=None)
    ctx = context(
        template,
        language,
        links=links,
        restaurant_address=None,
        restaurant_phone=None,
        cancellation_deadline_at=None,
        guest_first_name="  ",
    )
    if template not in MONEY_TEMPLATES:
        ctx = replace(ctx, amount_minor=None)
    if template != "staff_reply":
        ctx = replace(ctx, free_text=None)
    message = render(ctx)
    for part in all_parts(message):
        assert "{" not in part and "None" not in part
    assert "https://maps.example.com" not in message.text
    assert not re.search(r"\s,", message.text.splitlines()[0])  # no "Dear ," greeting


# --- language choice -------------------------------------------------------------


@pytest.mark.parametrize(
    ("preferred", "expected"),
    [
        ("nl", "nl"),
        ("nl-BE", "nl"),
        ("nl_BE", "nl"),
        ("NL", "nl"),
        (" de-CH ", "de"),
        ("fr-ca", "fr"),
        ("es-419", "es"),
        ("it_IT", "it"),
        ("en-GB", "en"),
        ("pt-BR", "en"),
        ("zz", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_pick_language(preferred: str | None, expected: str) -> None:
    assert pick_language(preferred) == expected


def test_unknown_language_renders_english() -> None:
    message = render(context("confirmation", "pt-BR"))
    assert message.language == "en"
    assert "is confirmed" in message.subject


@pytest.mark.parametrize(
    ("language", "word"),
    [
        ("en", "confirmed"),
        ("nl", "bevestigd"),
        ("de", "bestätigt"),
        ("fr", "confirmée"),
        ("es", "confirmada"),
        ("it", "conferm"),
    ],
)
def test_confirmation_is_in_the_guest_language(language: str, word: str) -> None:
    message = render(context("confirmation", language))
    assert word in message.subject
    assert word in message.sms


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Reply C to confirm or X to cancel"]),
        ("nl", ["Antwoord C", "X om te annuleren"]),
        ("de", ["Antworten Sie C", "X zum Stornieren"]),
        ("fr", ["Répondez C", "X pour annuler"]),
        ("es", ["Responda C", "X para cancelar"]),
        ("it", ["Risponda C", "X per annullare"]),
    ],
)
def test_reminder_sms_asks_for_c_or_x(language: str, words: list[str]) -> None:
    message = render(context("reminder", language))
    for word in words:
        assert word in message.sms
    assert LINKS.confirm_url in message.text  # the re-confirmation link in the email


# --- locale formatting ------------------------------------------------------------


def test_dutch_date_has_the_dutch_weekday() -> None:
    message = render(context("confirmation", "nl"))
    assert "zondag 12 juli 2026" in message.text
    assert "zondag 12 juli 2026" in message.html
    assert "zo 12 jul" in message.sms


@pytest.mark.parametrize(
    ("language", "weekday"),
    [
        ("en", "Sunday"),
        ("de", "Sonntag"),
        ("fr", "dimanche"),
        ("es", "domingo"),
        ("it", "domenica"),
    ],
)
def test_weekday_in_each_language(language: str, weekday: str) -> None:
    assert weekday in render(context("reminder", language)).text


def test_german_amount_uses_a_decimal_comma() -> None:
    message = render(context("deposit_request", "de", amount_minor=2500))
    assert "25,00\u00a0€" in message.text
    assert "25,00 €" in message.sms  # plain space in SMS


def test_english_amount() -> None:
    assert "€25.00" in render(context("deposit_receipt", "en", amount_minor=2500)).text


def test_jpy_has_no_decimals() -> None:
    message = render(context("fee_charged", "en", currency="JPY", amount_minor=2500))
    assert "¥2,500" in message.text
    assert "2,500.00" not in message.text and "25.00" not in message.text
    german = render(context("fee_charged", "de", currency="JPY", amount_minor=2500))
    assert "2.500\u00a0¥" in german.text


def test_regional_locale_keeps_regional_formats() -> None:
    # the words are German, the money is written the Swiss way
    message = render(context("deposit_request", "de-CH", currency="CHF", amount_minor=4550))
    assert message.language == "de"
    assert "CHF\u00a045.50" in message.text


def test_times_are_in_the_restaurant_timezone() -> None:
    # 18:00 UTC is 20:00 in Amsterdam in summer
    summer = render(context("confirmation", "nl"))
    assert "20:00" in summer.text and "18:00" not in summer.text
    # and 19:00 in winter (CET, +01:00)
    winter = render(
        context("confirmation", "nl", starts_at=datetime(2026, 1, 11, 18, 0, tzinfo=UTC))
    )
    assert "19:00" in winter.text and "zondag 11 januari 2026" in winter.text


def test_date_is_the_local_date() -> None:
    # 23:30 UTC on Saturday is 01:30 on Sunday in Amsterdam
    message = render(
        context("confirmation", "en-GB", starts_at=datetime(2026, 7, 11, 23, 30, tzinfo=UTC))
    )
    assert "Sunday, 12 July 2026" in message.text
    assert "01:30" in message.text


def test_other_restaurant_timezone() -> None:
    message = render(context("confirmation", "en", restaurant_timezone="America/New_York"))
    assert "2:00\u202fPM" in message.text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_subject_is_one_line_whatever_the_names_hold(language: str) -> None:
    message = render(context(language=language, restaurant_name="De Gouden\r\nLepel"))
    assert "De Gouden Lepel" in message.subject
    assert "\n" not in message.subject and "\r" not in message.subject


def test_party_of_one_is_singular() -> None:
    assert "1 persoon" in render(context("confirmation", "nl", party_size=1)).text
    assert "1 person " in render(context("confirmation", "en", party_size=1)).text


def test_cancellation_deadline_is_shown_locally() -> None:
    message = render(context("confirmation", "de"))
    assert (
        "Bis Samstag, 11. Juli 2026 um 20:00 Uhr können Sie kostenlos stornieren." in message.text
    )


# --- links ------------------------------------------------------------------------

ACTIVE = (LINKS.manage_url, LINKS.cancel_url, LINKS.calendar_url, LINKS.map_url)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("deposit_request", (LINKS.payment_url, *ACTIVE)),
        ("guarantee_request", (LINKS.payment_url, *ACTIVE)),
        ("pending", ACTIVE),
        ("confirmation", ACTIVE),
        ("modification", ACTIVE),
        ("reminder", (LINKS.confirm_url, *ACTIVE)),
        ("deposit_receipt", ACTIVE),
        ("staff_reply", ACTIVE),
        ("sms_cancel_refused", ACTIVE),
        ("waitlist_offer", (LINKS.offer_url, LINKS.manage_url, LINKS.map_url)),
        ("declined", (LINKS.manage_url,)),
        ("cancellation_by_guest", (LINKS.manage_url,)),
        ("cancellation_by_restaurant", (LINKS.manage_url,)),
        ("hold_expired", (LINKS.manage_url,)),
        ("review_request", (LINKS.manage_url,)),
        ("refund_issued", (LINKS.manage_url,)),
        ("no_show", (LINKS.manage_url,)),
        ("fee_charged", (LINKS.manage_url,)),
        ("deposit_forfeited", (LINKS.manage_url,)),
    ],
)
def test_email_links(template: TemplateName, expected: tuple[str, ...]) -> None:
    message = render(context(template, "fr"))
    for url in expected:
        assert f"{url}\n" in message.text
        assert f'href="{url}"' in message.html
    # the main action comes first
    first = re.search(r'href="([^"]+)"', message.html)
    assert first is not None and first.group(1) == expected[0]
    if template.startswith("cancellation") or template in (
        "declined",
        "hold_expired",
        "no_show",
        "deposit_forfeited",
    ):
        assert LINKS.cancel_url not in message.text


def test_link_with_query_string_is_escaped_in_html_only() -> None:
    links = replace(LINKS, manage_url="https://book.example.com/r?t=1&lang=nl")
    message = render(context("confirmation", "nl", links=links))
    assert 'href="https://book.example.com/r?t=1&amp;lang=nl"' in message.html
    assert "https://book.example.com/r?t=1&lang=nl" in message.text
    assert message.sms.endswith("https://book.example.com/r?t=1&lang=nl")


@pytest.mark.parametrize(
    ("template", "url"),
    [
        ("confirmation", LINKS.manage_url),
        ("reminder", LINKS.manage_url),
        ("deposit_request", LINKS.payment_url),
        ("guarantee_request", LINKS.payment_url),
        ("deposit_forfeited", LINKS.manage_url),
        ("waitlist_offer", LINKS.offer_url),
    ],
)
def test_sms_carries_one_link(template: TemplateName, url: str) -> None:
    sms = render(context(template, "es")).sms
    assert sms.endswith(url)
    assert sms.count("https://") == 1


def test_deposit_request_shows_amount_and_payment_link() -> None:
    message = render(context("deposit_request", "en"))
    assert "€25.00" in message.text and "€25.00" in message.html and "€25.00" in message.sms
    assert "Pay the deposit: https://pay.example.com/session/ps_9" in message.text


@pytest.mark.parametrize(
    "template", ["deposit_receipt", "refund_issued", "fee_charged", "deposit_forfeited"]
)
def test_money_messages_show_the_amount(template: TemplateName) -> None:
    message = render(context(template, "it", amount_minor=1999))
    assert "19,99\u00a0€" in message.text
    assert "19,99 €" in message.sms


@pytest.mark.parametrize(
    ("language", "nothing_charged", "caption"),
    [
        ("en", "Nothing will be charged now", "Secure your booking with a card"),
        ("nl", "Er wordt nu niets in rekening gebracht", "Reservering garanderen met uw kaart"),
        ("de", "Ihre Karte wird jetzt nicht belastet", "Reservierung mit Karte garantieren"),
    ],
)
def test_guarantee_request_says_nothing_is_charged_now(
    language: str, nothing_charged: str, caption: str
) -> None:
    message = render(context("guarantee_request", language))
    assert nothing_charged in message.text and nothing_charged in message.html
    assert message.sms.endswith(f": {LINKS.payment_url}")
    # the main action is the card guarantee, on the payment page
    assert f"{caption}: {LINKS.payment_url}" in message.text
    assert LINKS.cancel_url in message.text


def test_guarantee_request_sms_in_dutch_and_german() -> None:
    dutch = render(context("guarantee_request", "nl")).sms
    assert "nu niets in rekening gebracht" in dutch and "zo 12 jul" in dutch
    german = render(context("guarantee_request", "de")).sms
    assert "jetzt nicht belastet" in german


def test_guarantee_request_shows_the_maximum_fee_and_deadline() -> None:
    message = render(context("guarantee_request", "nl", amount_minor=3000))
    assert "maximaal €\u00a030,00" in message.text
    assert "U kunt kosteloos annuleren tot zaterdag 11 juli 2026 om 20:00." in message.text
    german = render(context("guarantee_request", "de", amount_minor=3000))
    assert "höchstens 30,00\u00a0€" in german.text


@pytest.mark.parametrize(
    ("language", "amount"),
    [
        ("en", "€42.50"),
        ("nl", "€\u00a042,50"),
        ("de", "42,50\u00a0€"),
        ("fr", "42,50\u00a0€"),
    ],
)
def test_deposit_forfeited_shows_the_amount_in_the_guest_locale(language: str, amount: str) -> None:
    message = render(context("deposit_forfeited", language, amount_minor=4250))
    assert amount in message.text and amount in message.html
    assert amount.replace("\u00a0", " ") in message.sms
    assert "RES-2026-000042" in message.sms
    assert "https://pay.example.com" not in message.text


def test_deposit_forfeited_in_swiss_francs() -> None:
    message = render(context("deposit_forfeited", "de-CH", currency="CHF", amount_minor=4550))
    assert "CHF\u00a045.50" in message.text


def test_waitlist_offer_shows_offer_link_and_expiry() -> None:
    message = render(context("waitlist_offer", "nl"))
    # 12:15 UTC is 14:15 in Amsterdam
    assert "vrijdag 10 juli 2026 om 14:15" in message.text
    assert "14:15" in message.sms
    assert "Deze tafel reserveren: https://book.example.com/w/tok456/accept" in message.text


def test_staff_reply_sms_is_restaurant_and_text() -> None:
    message = render(context("staff_reply", "en", free_text="Your table is by the window."))
    assert message.sms == "De Gouden Lepel: Your table is by the window."
    assert "Your table is by the window." in message.text
    assert "Your table is by the window." in message.html


# --- escaping -------------------------------------------------------------------


def test_html_escapes_guest_name_and_free_text() -> None:
    message = render(
        context(
            "staff_reply",
            "en",
            guest_first_name="<script>alert(1)</script>",
            free_text='<img src=x onerror="steal()"> & more',
        )
    )
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert "<img" not in message.html
    assert "&lt;img src=x onerror=&#34;steal()&#34;&gt; &amp; more" in message.html
    # the plain-text parts are not HTML and keep the text as written
    assert "Dear <script>alert(1)</script>," in message.text
    assert '<img src=x onerror="steal()"> & more' in message.text


def test_html_escapes_restaurant_supplied_text() -> None:
    message = render(
        context("declined", "de", restaurant_name="Bar <b>&</b> Co", free_text="Ausgebucht <3")
    )
    assert "Bar &lt;b&gt;&amp;&lt;/b&gt; Co" in message.html
    assert "Ausgebucht &lt;3" in message.html
    assert "<b>" not in message.html


def test_braces_in_free_text_are_kept_literally() -> None:
    message = render(context("staff_reply", "en", free_text="Set menu {A} or {B}"))
    assert message.sms.endswith("Set menu {A} or {B}")


# --- refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "changes"),
    [
        ("deposit_request", {"amount_minor": None}),
        ("deposit_request", {"links": replace(LINKS, payment_url=None)}),
        ("guarantee_request", {"amount_minor": None}),
        ("guarantee_request", {"links": replace(LINKS, payment_url=None)}),
        ("deposit_forfeited", {"amount_minor": None}),
        ("refund_issued", {"amount_minor": None}),
        ("waitlist_offer", {"offer_expires_at": None}),
        ("waitlist_offer", {"links": replace(LINKS, offer_url=None)}),
        ("staff_reply", {"free_text": "  "}),
        ("confirmation", {"starts_at": datetime(2026, 7, 12, 18, 0)}),
        ("confirmation", {"party_size": 0}),
    ],
)
def test_refuses_incomplete_context(template: TemplateName, changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        render(context(template, "en", **changes))
