"""The message provider interface: how an outbox row reaches the guest.

Email goes through `messaging.smtp.SmtpSender` (any SMTP relay) and SMS through
`messaging.twilio_sms.TwilioSender` (the official Twilio SDK); the local
`messaging.outbox_sender` providers keep messages in the outbox for
`reservations dev` and tests. The send activity picks one per channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class SendRetryable(Exception):
    """The provider is down, throttling or timed out: the activity retries later."""


class SendRejected(Exception):
    """The provider refused this message for good (bad number, rejected recipient)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True, slots=True)
class EmailMessage:
    """A rendered email: plain text and HTML alternatives, optional attachments."""

    to: str
    subject: str
    text: str
    html: str
    # stable per outbox row, so a receiving server can recognise a resend
    message_id: str
    language: str = "en"
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SmsMessage:
    """A rendered SMS to an E.164 number; the provider reports delivery to the callback."""

    to: str
    body: str
    status_callback_url: str | None = None


@dataclass(frozen=True, slots=True)
class SendReceipt:
    """The provider's id for the accepted message (Twilio's MessageSid, the SMTP Message-ID)."""

    provider_message_id: str


class EmailSender(Protocol):
    async def send_email(self, message: EmailMessage) -> SendReceipt:
        """Hand the message to the provider; raise SendRetryable or SendRejected."""
        ...


class SmsSender(Protocol):
    async def send_sms(self, message: SmsMessage) -> SendReceipt:
        """Hand the message to the provider; raise SendRetryable or SendRejected."""
        ...
