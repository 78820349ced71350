"""Email through any SMTP relay with aiosmtplib.

The message is multipart/alternative (plain text + HTML), wrapped in
multipart/mixed when it carries attachments such as the .ics invitation.
SMTP reply codes decide the outcome: 4xx (and any transport failure) is
temporary, 5xx is the server's permanent refusal.
"""

from __future__ import annotations

import email.policy
import email.utils
from datetime import UTC, datetime
from email.headerregistry import ContentTypeHeader
from email.message import EmailMessage as MimeMessage
from typing import Literal

import aiosmtplib

from messaging.channels import Attachment, EmailMessage, SendReceipt, SendRejected, SendRetryable

Security = Literal["none", "starttls", "tls"]


class SmtpSender:
    """An `EmailSender` that hands each message to one SMTP server."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        security: Security,
        sender: str,
        timeout_seconds: float = 20,
    ) -> None:
        if security not in ("none", "starttls", "tls"):
            raise ValueError(f"unknown SMTP security mode: {security!r}")
        if (username is None) != (password is None):
            raise ValueError("SMTP username and password go together")
        _, envelope_from = email.utils.parseaddr(sender)
        if "@" not in envelope_from:
            raise ValueError(f"SMTP sender has no address: {sender!r}")
        self._host = host
        self._port = port
        self._username = username
        self._password = password
        self._security = security
        self._sender = sender
        self._envelope_from = envelope_from
        self._timeout = timeout_seconds

    def build_message(self, message: EmailMessage, *, now: datetime | None = None) -> MimeMessage:
        """Build the MIME message exactly as it will be sent (exposed for previews and tests)."""
        mime = MimeMessage(policy=email.policy.SMTP)
        mime["From"] = self._sender
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = email.utils.format_datetime(now or datetime.now(UTC))
        # the caller's stable id, so a resend of the same outbox row is recognisable
        mime["Message-ID"] = message.message_id
        # quoted-printable keeps accented text readable in the raw message
        mime.set_content(message.text, cte="quoted-printable")
        mime.add_alternative(message.html, subtype="html", cte="quoted-printable")
        for attachment in message.attachments:
            _attach(mime, attachment)
        # set last: turning the message multipart moves Content-* headers into the first part
        mime["Content-Language"] = message.language
        return mime

    async def send_email(self, message: EmailMessage) -> SendReceipt:
        """Send one message; raise SendRetryable (try later) or SendRejected (never again)."""
        try:
            mime = self.build_message(message)
        except (ValueError, TypeError) as exc:
            # a header the email library refuses (a line break in it): no retry can help
            raise SendRejected(f"message cannot be built: {exc}") from exc
        try:
            await aiosmtplib.send(
                mime,
                sender=self._envelope_from,
                recipients=[message.to],
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                use_tls=self._security == "tls",
                # False, not None: "none" must never upgrade behind the operator's back
                start_tls=self._security == "starttls",
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
            if codes and all(500 <= code < 600 for code in codes):
                raise SendRejected(f"SMTP recipient refused: {detail}") from exc
            raise SendRetryable(f"SMTP recipient deferred: {detail}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            # covers a single refused recipient, sender, DATA and AUTH replies
            text = f"SMTP {exc.code} {exc.message}"
            if 500 <= exc.code < 600:
                raise SendRejected(text) from exc
            raise SendRetryable(text) from exc
        except ValueError as exc:
            # aiosmtplib refuses addresses it cannot send safely (e.g. with line breaks)
            raise SendRejected(f"address cannot be sent: {exc}") from exc
        except (aiosmtplib.SMTPException, TimeoutError, OSError) as exc:
            # disconnects, connect failures, timeouts, unsupported extensions
            raise SendRetryable(f"SMTP unavailable: {type(exc).__name__}: {exc}") from exc
        return SendReceipt(provider_message_id=message.message_id)


def _attach(mime: MimeMessage, attachment: Attachment) -> None:
    """Attach raw bytes under the attachment's declared content type and parameters."""
    content_type = email.policy.default.header_factory("Content-Type", attachment.content_type)
    if not isinstance(content_type, ContentTypeHeader):  # pragma: no cover - factory contract
        raise TypeError("Content-Type header did not parse")
    params = dict(content_type.params)
    if content_type.maintype == "text":
        # .ics files and other text parts are UTF-8 throughout this system
        params.setdefault("charset", "utf-8")
    mime.add_attachment(
        attachment.data,
        maintype=content_type.maintype,
        subtype=content_type.subtype,
        filename=attachment.filename,
        params=params,
    )
