"""SmtpSender against a real local SMTP server (aiosmtpd), over a real SMTP conversation."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from messaging.channels import Attachment, EmailMessage, SendRejected, SendRetryable
from messaging.smtp import SmtpSender

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//reservations//EN\r\nMETHOD:REQUEST\r\n"
    b"BEGIN:VEVENT\r\nUID:abc@example.org\r\nSUMMARY:D\xc3\xaener chez L\xc3\xa9a\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@dataclass
class Handler:
    """Collects envelopes; can answer RCPT or DATA with a chosen reply."""

    rcpt_reply: str | None = None
    data_reply: str | None = None
    envelopes: list[Envelope] = field(default_factory=list)
    logins: list[tuple[str, bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        self.logins.append((mechanism, data.login, data.password))
        ok = data.login == b"mailer" and data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=handler.authenticate,
        auth_require_tls=False,  # AUTH over plain TCP: loopback only, no certificates
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def make_sender(port: int, **overrides: Any) -> SmtpSender:
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "username": None,
        "password": None,
        "security": "none",
        "sender": "Chez Léa <bookings@chez-lea.example>",
        "timeout_seconds": 5,
    }
    options.update(overrides)
    return SmtpSender(**options)


def make_message(**overrides: Any) -> EmailMessage:
    fields: dict[str, Any] = {
        "to": "guest@example.org",
        "subject": "Votre réservation du 14 février",
        "text": "Bonjour Anne,\nvotre table est réservée.",
        "html": "<p>Bonjour Anne,<br>votre table est <b>réservée</b>.</p>",
        "message_id": "<1b4e28ba-2fa1-11d2-883f-0016d3cca427@reservations.example>",
        "language": "fr",
        "attachments": [Attachment("reservation.ics", "text/calendar; method=REQUEST", ICS)],
    }
    fields.update(overrides)
    return EmailMessage(**fields)


def received(handler: Handler) -> tuple[Envelope, MimeMessage]:
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert isinstance(envelope.original_content, bytes)
    parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert isinstance(parsed, MimeMessage)
    return envelope, parsed


async def test_sends_alternatives_and_calendar_attachment(smtp_server: tuple[Handler, int]) -> None:
    handler, port = smtp_server
    message = make_message()

    receipt = await make_sender(port).send_email(message)

    assert receipt.provider_message_id == message.message_id
    envelope, parsed = received(handler)
    assert envelope.mail_from == "bookings@chez-lea.example"
    assert envelope.rcpt_tos == ["guest@example.org"]
    assert parsed["From"] == "Chez Léa <bookings@chez-lea.example>"
    assert parsed["To"] == "guest@example.org"
    assert parsed["Subject"] == "Votre réservation du 14 février"
    assert parsed["Message-ID"] == message.message_id
    assert parsed["Content-Language"] == "fr"
    assert parsed["Date"] is not None and parsed["Date"].datetime is not None
    assert parsed.get_content_type() == "multipart/mixed"

    alternative, attachment = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    # bodies arrive with the wire's CRLF line endings
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == message.text
    assert html.get_content_type() == "text/html"
    assert html.get_content().replace("\r\n", "\n").rstrip("\n") == message.html
    body = parsed.get_body(preferencelist=("html",))
    assert body is not None and body.get_content_type() == "text/html"

    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_filename() == "reservation.ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_payload(decode=True) == ICS


async def test_without_attachments_the_message_is_plain_alternative(
    smtp_server: tuple[Handler, int],
) -> None:
    handler, port = smtp_server
    await make_sender(port).send_email(make_message(attachments=[]))
    _, parsed = received(handler)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]


async def test_authenticates_when_credentials_are_given(smtp_server: tuple[Handler, int]) -> None:
    handler, port = smtp_server
    sender = make_sender(port, username="mailer", password="s3cret")
    await sender.send_email(make_message())
    assert [(login, password) for _, login, password in handler.logins] == [(b"mailer", b"s3cret")]
    assert len(handler.envelopes) == 1


async def test_wrong_password_is_refused_permanently(smtp_server: tuple[Handler, int]) -> None:
    handler, port = smtp_server
    sender = make_sender(port, username="mailer", password="wrong")
    with pytest.raises(SendRejected, match="535"):
        await sender.send_email(make_message())
    assert handler.envelopes == []


async def test_temporary_failure_is_retryable(smtp_server: tuple[Handler, int]) -> None:
    handler, port = smtp_server
    handler.data_reply = "451 4.3.0 Mail server temporarily rejected message"
    with pytest.raises(SendRetryable, match="451"):
        await make_sender(port).send_email(make_message())


async def test_greylisted_recipient_is_retryable(smtp_server: tuple[Handler, int]) -> None:
    handler, port = smtp_server
    handler.rcpt_reply = "450 4.2.0 Greylisted, try again later"
    with pytest.raises(SendRetryable, match="450"):
        await make_sender(port).send_email(make_message())


async def test_refused_recipient_is_rejected(smtp_server: tuple[Handler, int]) -> None:
    handler, port = smtp_server
    handler.rcpt_reply = "550 5.1.1 No such user here"
    with pytest.raises(SendRejected, match="550"):
        await make_sender(port).send_email(make_message())
    assert handler.envelopes == []


async def test_a_header_with_a_line_break_is_rejected_not_retried(
    smtp_server: tuple[Handler, int],
) -> None:
    handler, port = smtp_server
    with pytest.raises(SendRejected, match="cannot be built"):
        await make_sender(port).send_email(make_message(subject="Your table\nat Foo"))
    assert handler.envelopes == []


async def test_nothing_listening_is_retryable() -> None:
    with pytest.raises(SendRetryable):
        await make_sender(free_port()).send_email(make_message())


def test_configuration_is_checked() -> None:
    with pytest.raises(ValueError, match="security"):
        make_sender(25, security="ssl")
    with pytest.raises(ValueError, match="together"):
        make_sender(25, username="mailer")
    with pytest.raises(ValueError, match="address"):
        make_sender(25, sender="Chez Léa")
