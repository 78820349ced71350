"""Guest messages end to end: HTTP API, real worker, real databases, real providers' wire.

Email goes over a real SMTP conversation to a local aiosmtpd server; SMS goes through
the Twilio SDK to FakeTwilio (a local server speaking the Messages API). Webhooks are
signed with the SDK's own RequestValidator, as Twilio signs them.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage as MimeMessage
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from babel.dates import format_date
from icalendar import Calendar
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment
from twilio.request_validator import RequestValidator

from api.lifecycle import workflow_id
from messaging.catalog.manage_page import MANAGE_PAGE_WORDS
from messaging.render import SUPPORTED_LANGUAGES
from models.enums import StaffRole
from models.orm import Guest, Notification, ThreadMessage
from rules.state_machine import ReservationStatus
from tests.api.conftest import LiveApi, eventually, live_api
from tests.api.test_reservation_lifecycle import BASE, booking, booking_day, restaurant
from tests.api.workflow_probe import settled, signal_names
from tests.conftest import Database
from tests.messaging.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGING_SERVICE_SID,
    FakeTwilio,
)

PUBLIC = "https://book.example.test"
PHONE = "+31612345678"  # as Twilio writes numbers (E.164)
PHONE_AS_TYPED = "+31 6 1234 5678"
STATUS_PATH = f"{BASE}/webhooks/twilio/status"
SMS_PATH = f"{BASE}/webhooks/twilio/sms"
TURN_MINUTES = 105
T = TypeVar("T")


# ---- providers ---------------------------------------------------------------------------


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every message it accepted."""

    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[MimeMessage]:
        parsed: list[MimeMessage] = []
        for envelope in list(self.envelopes):
            raw = envelope.original_content or envelope.content
            assert isinstance(raw, bytes)
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, MimeMessage)
            parsed.append(message)
        return parsed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@dataclass
class Guests:
    """The API with SMTP and Twilio configured, and what each provider received."""

    live: LiveApi
    mail: Mailbox
    sms: FakeTwilio
    admin: dict[str, str]


@pytest.fixture
async def channels(
    db: Database,
    dev_server: WorkflowEnvironment,
    mailbox: tuple[Mailbox, int],
    twilio: FakeTwilio,
) -> AsyncIterator[Guests]:
    mail, port = mailbox
    async with live_api(
        db,
        dev_server,
        public_base_url=PUBLIC,
        email_provider="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        email_from="Bistro <bookings@bistro.example.test>",
        sms_provider="twilio",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_messaging_service_sid=MESSAGING_SERVICE_SID,
        twilio_api_url=twilio.url,
    ) as live:
        admin = await live.token_for(StaffRole.ADMIN)
        yield Guests(live=live, mail=mail, sms=twilio, admin=admin)


# ---- helpers -----------------------------------------------------------------------------


def signed(path: str, params: dict[str, str], *, token: str = AUTH_TOKEN) -> dict[str, str]:
    """The X-Twilio-Signature Twilio would send for a POST of `params` to our public URL."""
    signature = RequestValidator(token).compute_signature(PUBLIC + path, params)
    return {"X-Twilio-Signature": str(signature)}


async def inbound(
    g: Guests, body: str, *, sid: str | None = None, token: str = AUTH_TOKEN
) -> tuple[int, str]:
    """A guest's SMS as Twilio posts it; answers (status code, message sid)."""
    sid = sid or "SM" + uuid.uuid4().hex
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": PHONE,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }
    r = await g.live.client.post(
        SMS_PATH, data=params, headers=signed(SMS_PATH, params, token=token)
    )
    return r.status_code, sid


def guest(
    *,
    language: str = "en",
    sms: bool = True,
    phone: str | None = PHONE_AS_TYPED,
    first: str = "Anna",
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": f"{first.lower()}@example.com",
        "first_name": first,
        "last_name": "de Vries",
        "preferred_language": language,
        "sms_notifications": sms,
    }
    if phone is not None:
        data["phone"] = phone
    return data


async def book(g: Guests, rid: str, *, at: str = "19:00", **guest_fields: Any) -> dict[str, Any]:
    body = {**booking(rid, at=at), "guest": guest(**guest_fields)}
    r = await g.live.client.post(f"{BASE}/reservations", json=body)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    assert created["status"] == "confirmed"
    return created


async def new_restaurant(g: Guests) -> str:
    return await restaurant(
        g.live, g.admin, turn_times=[{"min_party_size": 1, "minutes": TURN_MINUTES}]
    )


async def outbox(
    g: Guests, rid: str, reservation_id: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    r = await g.live.client.get(
        f"{BASE}/restaurants/{rid}/outbox",
        params={"reservation_id": reservation_id, "limit": 100},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def rows(g: Guests, reservation_id: str) -> list[Notification]:
    async with g.live.db.sessions() as session:
        found = await session.scalars(
            select(Notification).where(Notification.reservation_id == uuid.UUID(reservation_id))
        )
        return list(found)


async def sent_row(g: Guests, reservation_id: str, template: str, channel: str) -> Notification:
    async def check() -> Notification | None:
        for row in await rows(g, reservation_id):
            if (row.template, row.channel.value) == (template, channel) and row.sent_at:
                return row
        return None

    return await eventually(check, f"{template} {channel} sent")


def sms_to_guest(g: Guests) -> list[dict[str, str]]:
    """The SMS FakeTwilio accepted, as the forms the SDK posted."""
    return [r.form for r in g.sms.requests if r.status == 201 and r.form.get("To") == PHONE]


async def reservation(g: Guests, created: dict[str, Any]) -> dict[str, Any]:
    r = await g.live.client.get(
        f"{BASE}/reservations/{created['id']}", params={"token": created["manage_token"]}
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def calendar_part(message: MimeMessage) -> Calendar:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    data = parts[0].get_payload(decode=True)
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def event_of(calendar: Calendar) -> Any:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


async def calendar_file(g: Guests, created: dict[str, Any]) -> Calendar:
    r = await g.live.client.get(
        f"{BASE}/reservations/{created['id']}/calendar.ics",
        params={"token": created["manage_token"]},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(r.content)


# ---- 1. confirmation in Dutch over SMTP and Twilio -----------------------------------------


async def test_dutch_confirmation_by_email_and_sms_with_signed_links(channels: Guests) -> None:
    g = channels
    rid = await new_restaurant(g)
    created = await book(g, rid, language="nl")
    rid_id, token = created["id"], created["manage_token"]

    message = await eventually(
        lambda: _first(g.mail.messages()), "the confirmation email over SMTP"
    )
    assert message["To"] == "anna@example.com"
    assert message["Content-Language"] == "nl"
    restaurant_name = (
        await g.live.client.get(f"{BASE}/restaurants/{rid}", headers=g.admin)
    ).json()["name"]
    assert message["Subject"] == f"Uw reservering bij {restaurant_name} is bevestigd"
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    dutch_date = format_date(booking_day(), "full", locale="nl")  # e.g. "zondag 12 juli 2026"
    assert "Beste Anna," in text and dutch_date in text and "19:00" in text
    assert created["reference"] in text
    assert 'lang="nl"' in html and "Beste Anna," in html

    # manage, cancel and calendar links: absolute, under the public URL, signed
    links = re.findall(r"https?://\S+", text)
    manage = f"{PUBLIC}/manage/{rid_id}?token={token}"
    assert manage in links
    assert f"{manage}&action=cancel" in links
    calendar_url = f"{PUBLIC}{BASE}/reservations/{rid_id}/calendar.ics?token={token}"
    assert calendar_url in links
    assert all(u.startswith(PUBLIC) or "openstreetmap" in u for u in links), links
    for url in (manage, calendar_url):
        assert url.replace("&", "&amp;") in html
    # the links work: the calendar link opens the calendar file without any other credential
    split = urlsplit(calendar_url)
    opened = await g.live.client.get(split.path, params=parse_qs(split.query))
    assert opened.status_code == 200

    ics = calendar_part(message)
    assert ics["METHOD"] == "REQUEST"
    event = event_of(ics)
    assert created["reference"] in str(event["DESCRIPTION"])

    # the SMS, in Dutch, asks Twilio to report delivery to our public callback
    texts = await eventually(lambda: _nonempty(sms_to_guest(g)), "the confirmation SMS")
    assert len(texts) == 1
    form = texts[0]
    assert form["MessagingServiceSid"] == MESSAGING_SERVICE_SID
    assert "is bevestigd" in form["Body"] and "2 personen" in form["Body"]
    assert created["reference"] in form["Body"] and manage in form["Body"]
    assert form["StatusCallback"] == PUBLIC + STATUS_PATH

    host = await g.live.token_for(StaffRole.HOST, [rid])

    async def both_sent() -> list[dict[str, Any]] | None:
        items = await outbox(g, rid, rid_id, host)
        return items if len(items) == 2 and all(i["status"] == "sent" for i in items) else None

    items = await eventually(both_sent, "both outbox rows sent")
    by_channel = {i["channel"]: i for i in items}
    assert set(by_channel) == {"email", "sms"}
    assert all(i["template"] == "confirmation" and i["language"] == "nl" for i in items)
    assert by_channel["sms"]["provider_message_id"] in g.sms.messages
    assert by_channel["sms"]["recipient"] == PHONE
    assert by_channel["email"]["provider_message_id"] == message["Message-ID"]
    assert all(i["attempts"] == 1 and i["sent_at"] for i in items)


async def _first(messages: list[MimeMessage]) -> MimeMessage | None:
    return messages[0] if messages else None


async def _nonempty(items: list[T]) -> list[T] | None:
    return items or None


# ---- 2. delivery reports -------------------------------------------------------------------


async def test_signed_status_callback_marks_delivered_and_a_forged_one_is_refused(
    channels: Guests,
) -> None:
    g = channels
    rid = await new_restaurant(g)
    created = await book(g, rid)
    row = await sent_row(g, created["id"], "confirmation", "sms")
    sid = row.provider_message_id
    assert sid is not None and sid in g.sms.messages
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "MessagingServiceSid": MESSAGING_SERVICE_SID,
        "From": "+15005550006",
        "To": PHONE,
        "MessageStatus": "delivered",
        "SmsStatus": "delivered",
    }

    forged = await g.live.client.post(
        STATUS_PATH, data=params, headers=signed(STATUS_PATH, params, token="0" * 32)
    )
    assert forged.status_code == 403
    unsigned = await g.live.client.post(STATUS_PATH, data=params)
    assert unsigned.status_code == 403
    # signed for other parameters: the signature covers the form, not only the URL
    tampered = await g.live.client.post(
        STATUS_PATH,
        data={**params, "MessageStatus": "failed"},
        headers=signed(STATUS_PATH, params),
    )
    assert tampered.status_code == 403
    [still] = [r for r in await rows(g, created["id"]) if r.id == row.id]
    assert still.status.value == "sent" and still.delivered_at is None

    ok = await g.live.client.post(STATUS_PATH, data=params, headers=signed(STATUS_PATH, params))
    assert ok.status_code == 204, ok.text
    [delivered] = [r for r in await rows(g, created["id"]) if r.id == row.id]
    assert delivered.status.value == "delivered" and delivered.delivered_at is not None


# ---- 3. two-way SMS ------------------------------------------------------------------------


async def test_two_way_sms_confirm_thread_staff_answer_and_cancel(channels: Guests) -> None:
    g = channels
    rid = await new_restaurant(g)
    created = await book(g, rid)
    rid_id = created["id"]
    host = await g.live.token_for(StaffRole.HOST, [rid])
    thread_url = f"{BASE}/restaurants/{rid}/reservations/{rid_id}/messages"
    await sent_row(g, rid_id, "confirmation", "sms")

    # a forged reply is refused and leaves no trace
    status, forged_sid = await inbound(g, "Hello there", token="0" * 32)
    assert status == 403
    async with g.live.db.sessions() as session:
        recorded = await session.scalars(
            select(ThreadMessage).where(ThreadMessage.provider_message_id == forged_sid)
        )
        assert list(recorded) == []
    assert (await g.live.client.get(thread_url, headers=host)).json()["items"] == []

    # JA confirms the visit
    status, sid = await inbound(g, "JA")
    assert status == 200

    async def confirmed() -> str | None:
        value: str | None = (await reservation(g, created))["guest_confirmed_at"]
        return value

    confirmed_at = await eventually(confirmed, "guest_confirmed_at after JA")
    # the same MessageSid delivered again changes nothing
    status, _ = await inbound(g, "JA", sid=sid)
    assert status == 200
    # the duplicate reached the workflow (two sms_reply signals) and it has acted on it
    events = await settled(g.live.env.client, workflow_id(uuid.UUID(rid_id)))
    assert signal_names(events).count("sms_reply") == 2
    assert (await reservation(g, created))["guest_confirmed_at"] == confirmed_at

    # a question goes to the thread staff read
    status, _ = await inbound(g, "Can we bring a dog?")
    assert status == 200
    thread = (await g.live.client.get(thread_url, headers=host)).json()["items"]
    assert [(m["direction"], m["body"]) for m in thread] == [
        ("inbound", "JA"),
        ("inbound", "Can we bring a dog?"),
    ]

    # staff answer by SMS
    answer = "Of course, dogs are welcome on the terrace."
    posted = await g.live.client.post(thread_url, json={"body": answer}, headers=host)
    assert posted.status_code == 202, posted.text

    async def answered() -> list[dict[str, str]] | None:
        return [f for f in sms_to_guest(g) if answer in f["Body"]] or None

    assert len(await eventually(answered, "the staff answer at Twilio")) == 1
    thread = (await g.live.client.get(thread_url, headers=host)).json()["items"]
    assert thread[-1]["direction"] == "outbound" and thread[-1]["body"] == answer

    # X cancels within the deadline: a cancellation email with a cancelling .ics
    status, _ = await inbound(g, "X")
    assert status == 200

    async def cancelled() -> bool:
        return bool((await reservation(g, created))["status"] == "cancelled_by_guest")

    await eventually(cancelled, "cancelled_by_guest after X")
    await sent_row(g, rid_id, "cancellation_by_guest", "email")
    cancellations = [m for m in g.mail.messages() if calendar_part(m)["METHOD"] == "CANCEL"]
    assert len(cancellations) == 1
    assert event_of(calendar_part(cancellations[0]))["STATUS"] == "CANCELLED"

    # the workflow heard every reply (JA twice with the same MessageSid, the question,
    # and X), and acted on JA once
    history = await g.live.env.client.get_workflow_handle(
        workflow_id(uuid.UUID(rid_id))
    ).fetch_history()
    signals = [
        e.workflow_execution_signaled_event_attributes.signal_name
        for e in history.events
        if e.HasField("workflow_execution_signaled_event_attributes")
    ]
    assert signals.count("sms_reply") == 4
    transitions = [
        e.activity_task_scheduled_event_attributes.input.payloads[0].data
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name == "record_transition"
    ]
    assert sum(b'"guest_reconfirm"' in data for data in transitions) == 1


async def test_a_late_sms_cancel_is_refused_by_text_and_the_booking_stands(
    channels: Guests,
) -> None:
    g = channels
    # free cancellation ended 30 days before the visit: it has passed already
    rid = await restaurant(g.live, g.admin, cancellation_deadline_hours=24 * 30)
    created = await book(g, rid)
    await sent_row(g, created["id"], "confirmation", "sms")
    assert (await inbound(g, "CANCEL"))[0] == 200
    refused = await sent_row(g, created["id"], "sms_cancel_refused", "sms")
    assert "could not be cancelled by text" in refused.body
    assert f"{PUBLIC}/manage/{created['id']}?token=" in refused.body
    assert (await reservation(g, created))["status"] == "confirmed"
    assert [r.template for r in await rows(g, created["id"]) if r.channel.value == "email"] == [
        "confirmation"
    ]


# ---- 4. STOP -------------------------------------------------------------------------------


async def test_stop_opts_out_and_later_messages_go_by_email_only(channels: Guests) -> None:
    g = channels
    rid = await new_restaurant(g)
    created = await book(g, rid)
    await sent_row(g, created["id"], "confirmation", "sms")
    assert len(sms_to_guest(g)) == 1

    status, _ = await inbound(g, "STOP")
    assert status == 200
    async with g.live.db.sessions() as session:
        anna = await session.scalar(select(Guest).where(Guest.email == "anna@example.com"))
        assert anna is not None and anna.sms_opted_out_at is not None

    moved = await g.live.client.patch(
        f"{BASE}/reservations/{created['id']}",
        params={"token": created["manage_token"]},
        json={"time": "20:00"},
    )
    assert moved.status_code == 200, moved.text
    await sent_row(g, created["id"], "modification", "email")
    modification = [r for r in await rows(g, created["id"]) if r.template == "modification"]
    assert [r.channel.value for r in modification] == ["email"]

    # a staff answer can no longer go by SMS: it goes by email rather than nowhere
    host = await g.live.token_for(StaffRole.HOST, [rid])
    answer = "Your table by the window is ready."
    posted = await g.live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{created['id']}/messages",
        json={"body": answer},
        headers=host,
    )
    assert posted.status_code == 202, posted.text
    await sent_row(g, created["id"], "staff_reply", "email")
    [mailed] = [m for m in g.mail.messages() if answer in _text(m)]
    assert mailed["To"] == "anna@example.com"
    assert len(sms_to_guest(g)) == 1  # only the confirmation, from before STOP


async def test_a_reply_finds_the_active_booking_of_any_guest_with_that_phone(
    channels: Guests,
) -> None:
    g = channels
    rid = await new_restaurant(g)
    # a couple books under two emails with one phone; her booking was cancelled
    hers = await book(g, rid, first="Anna")
    cancelled = await g.live.client.post(
        f"{BASE}/reservations/{hers['id']}/cancel", params={"token": hers["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    his = await book(g, rid, first="Bram", at="20:30")

    status, _ = await inbound(g, "JA")
    assert status == 200

    async def confirmed() -> str | None:
        value: str | None = (await reservation(g, his))["guest_confirmed_at"]
        return value

    await eventually(confirmed, "his booking re-confirmed by the shared phone")
    async with g.live.db.sessions() as session:
        thread = list(await session.scalars(select(ThreadMessage)))
    assert [(str(m.reservation_id), m.body) for m in thread] == [(his["id"], "JA")]

    # STOP opts the number out, whichever guest record carries it
    assert (await inbound(g, "STOP"))[0] == 200
    async with g.live.db.sessions() as session:
        both = list(await session.scalars(select(Guest).where(Guest.phone == PHONE)))
    assert len(both) == 2 and all(x.sms_opted_out_at is not None for x in both)


def _text(message: MimeMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    content: str = part.get_content()
    return content


# ---- 5. calendar file ----------------------------------------------------------------------


async def test_calendar_file_follows_the_booking(channels: Guests) -> None:
    g = channels
    rid = await new_restaurant(g)
    created = await book(g, rid)
    url = f"{BASE}/reservations/{created['id']}/calendar.ics"

    assert (await g.live.client.get(url)).status_code == 401
    other = await book(g, rid, at="21:00", first="Bram", phone=None, sms=False)
    wrong = await g.live.client.get(url, params={"token": other["manage_token"]})
    assert wrong.status_code == 404
    assert (await g.live.client.get(url, params={"token": "not-a-token"})).status_code == 404

    ics = await calendar_file(g, created)
    assert ics["METHOD"] == "REQUEST"
    event = event_of(ics)
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    start: datetime = event["DTSTART"].dt
    assert (start.date(), start.strftime("%H:%M")) == (booking_day(), "19:00")
    assert str(start.tzinfo) == "Europe/Amsterdam"
    assert event["DTEND"].dt - start == timedelta(minutes=TURN_MINUTES)
    assert created["duration_minutes"] == TURN_MINUTES
    assert [tz["TZID"] for tz in ics.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert created["reference"] in str(event["DESCRIPTION"])
    first_sequence = int(event["SEQUENCE"])

    moved = await g.live.client.patch(
        url.removesuffix("/calendar.ics"),
        params={"token": created["manage_token"]},
        json={"time": "20:15"},
    )
    assert moved.status_code == 200, moved.text
    event = event_of(await calendar_file(g, created))
    assert event["DTSTART"].dt.strftime("%H:%M") == "20:15"
    assert event["UID"] == event_of(ics)["UID"]
    assert int(event["SEQUENCE"]) > first_sequence
    moved_sequence = int(event["SEQUENCE"])

    cancelled = await g.live.client.post(
        f"{BASE}/reservations/{created['id']}/cancel", params={"token": created["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    gone = await calendar_file(g, created)
    assert gone["METHOD"] == "CANCEL"
    event = event_of(gone)
    assert event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) > moved_sequence


# ---- 6. provider outage --------------------------------------------------------------------


async def test_a_twilio_outage_is_retried_and_the_sms_sent_once(channels: Guests) -> None:
    g = channels
    rid = await new_restaurant(g)
    g.sms.fail_next(2, status=500)
    created = await book(g, rid)
    # retries after 2 s and then 4 s (PROVIDER_RETRY)
    row = await sent_row(g, created["id"], "confirmation", "sms")
    await settled(g.live.env.client, workflow_id(uuid.UUID(created["id"])))
    assert [r.status for r in g.sms.requests] == [500, 500, 201]
    assert len(sms_to_guest(g)) == 1 and len(g.sms.messages) == 1
    assert row.status.value == "sent" and row.attempts >= 3
    assert row.provider_message_id in g.sms.messages
    assert row.last_error is not None and "500" in row.last_error
    email_row = await sent_row(g, created["id"], "confirmation", "email")
    assert email_row.attempts == 1 and len(g.mail.envelopes) == 1


# ---- 7. channel preferences ----------------------------------------------------------------


async def test_guests_without_sms_get_email_only(channels: Guests) -> None:
    g = channels
    rid = await new_restaurant(g)
    declined = await book(g, rid, sms=False)  # has a phone, did not ask for texts
    no_phone = await book(g, rid, at="20:00", first="Bram", phone=None, sms=True)
    for created in (declined, no_phone):
        await sent_row(g, created["id"], "confirmation", "email")
        assert [r.channel.value for r in await rows(g, created["id"])] == ["email"]
    assert len(g.mail.envelopes) == 2
    assert g.sms.requests == []


# ---- 8. the manage page --------------------------------------------------------------------


async def test_manage_page_shows_and_only_a_post_cancels(channels: Guests) -> None:
    g = channels
    rid = await new_restaurant(g)
    created = await book(g, rid)
    token = created["manage_token"]
    page_url = f"/manage/{created['id']}"

    page = await g.live.client.get(page_url, params={"token": token})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert created["reference"] in page.text and "confirmed" in page.text
    assert "/calendar.ics?token=" in page.text
    assert (await g.live.client.get(page_url, params={"token": "forged"})).status_code == 404

    # a link preview or mail scanner following the cancel link changes nothing
    scanned = await g.live.client.get(page_url, params={"token": token, "action": "cancel"})
    assert scanned.status_code == 200
    assert "Yes, cancel this reservation" in scanned.text
    assert f'action="{page_url}/cancel"' in scanned.text
    assert (await reservation(g, created))["status"] == "confirmed"
    prefetched = await g.live.client.get(page_url, params={"token": token, "action": "confirm"})
    assert prefetched.status_code == 200 and "Yes, we are coming" in prefetched.text
    assert (await reservation(g, created))["guest_confirmed_at"] is None

    refused = await g.live.client.post(f"{page_url}/cancel", data={"token": "forged"})
    assert refused.status_code == 404
    assert (await reservation(g, created))["status"] == "confirmed"

    done = await g.live.client.post(f"{page_url}/cancel", data={"token": token})
    assert done.status_code == 303, done.text
    location = urlsplit(done.headers["location"])
    assert location.path == page_url
    assert parse_qs(location.query)["token"] == [token]
    assert (await reservation(g, created))["status"] == "cancelled_by_guest"
    after = await g.live.client.get(done.headers["location"])
    assert after.status_code == 200 and "cancelled_by_guest" in after.text
    assert "Yes, cancel" not in after.text and "Cancel reservation" not in after.text


async def test_manage_page_answers_a_bad_link_with_an_html_page(channels: Guests) -> None:
    g = channels
    rid = await new_restaurant(g)
    created = await book(g, rid)
    page_url = f"/manage/{created['id']}"
    unknown_url = f"/manage/{uuid.uuid4()}"
    answers = [
        await g.live.client.get(page_url, params={"token": "forged"}),
        await g.live.client.get(page_url),  # the token cut off by a mail client
        await g.live.client.get(unknown_url, params={"token": created["manage_token"]}),
        await g.live.client.post(f"{page_url}/cancel", data={"token": "forged"}),
        await g.live.client.post(f"{page_url}/confirm", data={"token": "forged"}),
    ]
    for answer in answers:
        # a guest following a broken link reads a page, not problem+json
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"].startswith("text/html"), answer.headers
        assert answer.text.startswith("<!doctype html>")
        assert "link is not valid" in answer.text
        assert created["reference"] not in answer.text
    assert (await reservation(g, created))["status"] == "confirmed"


async def test_manage_page_speaks_the_guests_language(channels: Guests) -> None:
    g = channels
    rid = await new_restaurant(g)
    created = await book(g, rid, language="nl")
    token = created["manage_token"]
    page_url = f"/manage/{created['id']}"

    page = await g.live.client.get(page_url, params={"token": token, "action": "cancel"})
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert f"Reservering <b>{created['reference']}</b> voor 2 personen" in page.text
    assert 'data-status="confirmed">bevestigd</span>' in page.text
    assert "Ja, annuleer deze reservering" in page.text
    assert "Toevoegen aan agenda" in page.text
    # the day and month in Dutch words, as babel writes them
    weekday = format_date(date.fromisoformat(created["date"]), "EEEE", locale="nl")
    assert weekday in page.text and " om 19:00" in page.text
    assert "Reservation" not in page.text and "Cancel" not in page.text

    done = await g.live.client.post(f"{page_url}/cancel", data={"token": token})
    assert done.status_code == 303, done.text
    after = await g.live.client.get(done.headers["location"])
    assert "<i>Geannuleerd.</i>" in after.text
    assert 'data-status="cancelled_by_guest">door u geannuleerd</span>' in after.text

    lost = await g.live.client.get(
        f"/manage/{uuid.uuid4()}",
        params={"token": token},
        headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"},
    )
    assert lost.status_code == 404
    assert '<html lang="de">' in lost.text and "Reservierung nicht gefunden" in lost.text


def test_the_manage_page_has_its_words_in_every_message_language() -> None:
    assert set(MANAGE_PAGE_WORDS) == set(SUPPORTED_LANGUAGES)
    for words in MANAGE_PAGE_WORDS.values():
        assert set(words["statuses"]) == set(ReservationStatus)
