"""Local providers for `reservations dev` and tests: log the message, send nothing.

The outbox row itself is the record of what would have gone out; these
senders only log a short line and return a receipt id derived from the
message, so a retried activity reports the same id twice.
"""

from __future__ import annotations

import hashlib
import uuid

import structlog

from messaging.channels import EmailMessage, SendReceipt, SmsMessage

# fixed namespace: receipt ids stay stable across processes and releases
_RECEIPT_NAMESPACE = uuid.UUID("6f1c2a8e-4b1d-5c3e-9a7f-0d2b8e4c6a10")
_PREVIEW_CHARS = 60

log = structlog.get_logger()


def _receipt_id(key: str) -> str:
    return "outbox-" + str(uuid.uuid5(_RECEIPT_NAMESPACE, key))


class OutboxEmailSender:
    """An `EmailSender` that only logs; the receipt is derived from the Message-ID."""

    async def send_email(self, message: EmailMessage) -> SendReceipt:
        """Log the email and return a deterministic receipt."""
        receipt = _receipt_id("email:" + message.message_id)
        log.info(
            "outbox email",
            to=message.to,
            subject=message.subject[:_PREVIEW_CHARS],
            message_id=message.message_id,
            receipt=receipt,
        )
        return SendReceipt(provider_message_id=receipt)


class OutboxSmsSender:
    """An `SmsSender` that only logs; the receipt is derived from recipient and body."""

    async def send_sms(self, message: SmsMessage) -> SendReceipt:
        """Log the SMS and return a deterministic receipt."""
        digest = hashlib.sha256(f"{message.to}\n{message.body}".encode()).hexdigest()
        receipt = _receipt_id("sms:" + digest)
        log.info(
            "outbox sms",
            to=message.to,
            body=message.body[:_PREVIEW_CHARS],
            receipt=receipt,
        )
        return SendReceipt(provider_message_id=receipt)
