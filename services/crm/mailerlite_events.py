"""MailerLite's webhook calls: the signature check and the unsubscribes they report.

MailerLite signs each call with a `Signature` header: the hex HMAC-SHA256 of the raw
JSON body under the webhook's secret. A call carries one event, or with `batchable`
an `{"events": [...]}` envelope. The subscriber is the event's `data.subscriber`
(classic payloads), `data` or the event itself; an event is an unsubscribe when its
type says so or when it names no type and the subscriber's status is unsubscribed.
Spam reports count as unsubscribes: the guest does not want the mail either way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

# the new API's names, then the classic API's
UNSUBSCRIBE_EVENTS = frozenset(
    {
        "subscriber.unsubscribed",
        "subscriber.spam_reported",
        "spam.subscriber.spam_reported",
        "subscriber.unsubscribe",
        "subscriber.complaint",
    }
)
UNSUBSCRIBED_STATUSES = frozenset({"unsubscribed", "junk"})
MAX_EVENTS = 1000


class MalformedEvents(ValueError):
    """The body is not a MailerLite event or envelope of events."""


def signature_matches(body: bytes, signature: str | None, *, secret: str) -> bool:
    """Whether `signature` is the body's HMAC-SHA256 under `secret` (hex, any case)."""
    if not signature:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    # compared as bytes: a str holding non-ASCII would make compare_digest raise
    return hmac.compare_digest(expected, signature.strip().lower().encode())


def unsubscribed_emails(body: bytes) -> list[str]:
    """The email addresses the call reports as unsubscribed, in order, without repeats."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise MalformedEvents("the body is not JSON") from None
    if not isinstance(document, dict):
        raise MalformedEvents("the body is not a JSON object")
    events = document.get("events", [document])
    if not isinstance(events, list):
        raise MalformedEvents("events is not a list")
    if len(events) > MAX_EVENTS:
        raise MalformedEvents(f"more than {MAX_EVENTS} events in one call")
    emails: list[str] = []
    for event in events:
        if not isinstance(event, dict):
            raise MalformedEvents("an event is not a JSON object")
        subscriber = _subscriber_of(event)
        email = subscriber.get("email") if subscriber is not None else None
        if not isinstance(email, str) or not email or email in emails:
            continue
        if _is_unsubscribe(event, subscriber):
            emails.append(email)
    return emails


def _subscriber_of(event: dict[str, Any]) -> dict[str, Any] | None:
    data = event.get("data")
    if isinstance(data, dict):
        nested = data.get("subscriber")
        if isinstance(nested, dict):
            return nested
        if "email" in data:
            return data
    nested = event.get("subscriber")
    if isinstance(nested, dict):
        return nested
    return event if "email" in event else None


def _is_unsubscribe(event: dict[str, Any], subscriber: dict[str, Any] | None) -> bool:
    kind = event.get("type") if event is not subscriber else None
    kind = kind if isinstance(kind, str) else event.get("event")
    if isinstance(kind, str) and kind:
        return kind in UNSUBSCRIBE_EVENTS
    status = subscriber.get("status") if subscriber is not None else None
    return isinstance(status, str) and status in UNSUBSCRIBED_STATUSES
