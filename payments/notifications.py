"""Adyen standard webhooks (JSON): basic auth, parsing, and HMAC signatures.

Adyen posts `{"live": "false", "notificationItems": [{"NotificationRequestItem": {...}}]}`
and signs each item with an HMAC over its pspReference, originalReference,
merchantAccountCode, merchantReference, amount value and currency, eventCode and
success; the signature travels in the item's `additionalData.hmacSignature`.
Signing and checking use the SDK's own utilities (`Adyen.util`), so our webhook
check is exactly Adyen's.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, cast

from Adyen import util as adyen_util

from models.schemas.common import UNSTORABLE_TEXT
from payments.adyen_units import NotPayable, from_adyen, to_adyen

__all__ = [
    "MalformedNotification",
    "NotificationItem",
    "RefusedItem",
    "check_basic_auth",
    "parse_notification",
    "parse_notification_items",
    "signed_notification",
    "verify_hmac",
]


class MalformedNotification(ValueError):
    """A webhook body that is not an Adyen standard notification; the message names the flaw."""


class UnusableItem(MalformedNotification):
    """A well-formed item whose values no payment can carry (too long, out of range)."""


# Longest values an item may carry: Adyen's own limits (references are 16 characters,
# merchant references at most 80), within the columns that keep them.
MAX_LENGTHS = {
    "pspReference": 64,
    "originalReference": 64,
    "merchantReference": 80,
    "merchantAccountCode": 80,
    "eventCode": 64,
    "reason": 1000,
    "storedPaymentMethodId": 64,
}
MAX_AMOUNT_MINOR = 2**63 - 1  # a BIGINT column


@dataclass(frozen=True, slots=True)
class NotificationItem:
    """One `NotificationRequestItem`, typed, with the raw item kept for HMAC checks."""

    raw: dict[str, Any] = field(hash=False, repr=False)
    event_code: str
    success: bool
    psp_reference: str
    original_reference: str | None
    merchant_reference: str | None
    merchant_account: str
    amount_minor: int
    currency: str
    reason: str | None
    event_date: dt.datetime | None
    stored_payment_method_id: str | None
    live: bool = False

    @property
    def event_id(self) -> str:
        """The de-duplication id: Adyen may deliver the same event more than once."""
        return f"{self.psp_reference}:{self.event_code}:{'true' if self.success else 'false'}"


def check_basic_auth(authorization_header: str | None, *, username: str, password: str) -> bool:
    """True when `Authorization: Basic ...` carries exactly these credentials.

    Both parts are always compared, in constant time, so timing tells nothing.
    """
    if not authorization_header:
        return False
    scheme, _, encoded = authorization_header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    given_user, colon, given_password = decoded.partition(b":")
    user_ok = hmac.compare_digest(given_user, username.encode())
    password_ok = hmac.compare_digest(given_password, password.encode())
    return bool(colon) and user_ok and password_ok


def _load(body: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(body, dict):
        return body
    try:
        loaded = json.loads(body)
    except ValueError as exc:
        # JSONDecodeError, UnicodeDecodeError, and an integer past the 4300-digit limit
        raise MalformedNotification(f"body is not JSON: {exc}") from exc
    except RecursionError:
        raise MalformedNotification("body is not JSON: nested too deeply") from None
    if not isinstance(loaded, dict):
        raise MalformedNotification("body is not a JSON object")
    return cast(dict[str, Any], loaded)


def _bounded(value: str, name: str, where: str) -> str:
    limit = MAX_LENGTHS.get(name)
    if limit is not None and len(value) > limit:
        raise UnusableItem(f"{where}.{name} is longer than {limit} characters")
    return value


def _required_str(item: dict[str, Any], name: str, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedNotification(f"{where}.{name} is missing or not a non-empty string")
    return _bounded(value, name, where)


def _optional_str(item: dict[str, Any], name: str, where: str) -> str | None:
    value = item.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedNotification(f"{where}.{name} is not a string")
    return _bounded(value, name, where)


def _storable(value: Any, where: str) -> None:
    """UnusableItem when any text in the item (kept as the event's payload) holds characters
    no database column can store."""
    if isinstance(value, str):
        if UNSTORABLE_TEXT.search(value):
            raise UnusableItem(f"{where} holds a control character")
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key, where)
            _storable(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _storable(item, f"{where}[{index}]")


def _event_date(value: Any, where: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedNotification(f"{where}.eventDate is not a string")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedNotification(f"{where}.eventDate is not ISO 8601: {value!r}") from exc
    # Adyen always sends an offset; a bare time is read as UTC rather than dropped.
    return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=dt.UTC)


def _parse_item(item: dict[str, Any], where: str, live: bool) -> NotificationItem:
    success_text = item.get("success")
    if success_text not in ("true", "false"):
        raise MalformedNotification(f'{where}.success must be "true" or "false"')
    amount = item.get("amount")
    if not isinstance(amount, dict):
        raise MalformedNotification(f"{where}.amount is missing or not an object")
    value = amount.get("value")
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedNotification(f"{where}.amount.value is missing or not an integer")
    if not 0 <= value <= MAX_AMOUNT_MINOR:
        raise UnusableItem(f"{where}.amount.value is outside 0..{MAX_AMOUNT_MINOR}")
    currency = _required_str(amount, "currency", f"{where}.amount")
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise UnusableItem(f"{where}.amount.currency is not a three-letter ISO 4217 code")
    try:
        value = from_adyen(value, currency)
    except NotPayable as exc:
        raise UnusableItem(f"{where}.amount: {exc}") from None
    additional = item.get("additionalData")
    if additional is None:
        additional = {}
    if not isinstance(additional, dict):
        raise MalformedNotification(f"{where}.additionalData is not an object")
    stored = additional.get("tokenization.storedPaymentMethodId") or additional.get(
        "recurring.recurringDetailReference"
    )
    if isinstance(stored, str):
        _bounded(stored, "storedPaymentMethodId", f"{where}.additionalData")
    _storable(item, where)
    return NotificationItem(
        raw=item,
        event_code=_required_str(item, "eventCode", where),
        success=success_text == "true",
        psp_reference=_required_str(item, "pspReference", where),
        original_reference=_optional_str(item, "originalReference", where),
        merchant_reference=_optional_str(item, "merchantReference", where),
        merchant_account=_required_str(item, "merchantAccountCode", where),
        amount_minor=value,
        currency=currency,
        reason=_optional_str(item, "reason", where),
        event_date=_event_date(item.get("eventDate"), where),
        stored_payment_method_id=stored if isinstance(stored, str) and stored else None,
        live=live,
    )


@dataclass(frozen=True, slots=True)
class RefusedItem:
    """A well-formed item we cannot use (a value too long or out of range): it is answered
    `[accepted]` so Adyen stops redelivering something that can never be processed, and
    logged for ops, but never reaches a workflow."""

    raw: dict[str, Any] = field(hash=False, repr=False)
    reason: str


def parse_notification(body: bytes | str | dict[str, Any]) -> list[NotificationItem]:
    """Parse a webhook body into its items; raises MalformedNotification naming the flaw
    (any unusable item included)."""
    parsed: list[NotificationItem] = []
    for item in parse_notification_items(body):
        if isinstance(item, RefusedItem):
            raise MalformedNotification(item.reason)
        parsed.append(item)
    return parsed


def parse_notification_items(
    body: bytes | str | dict[str, Any],
) -> list[NotificationItem | RefusedItem]:
    """Parse a webhook body into its items, an item whose values are past any use as a
    RefusedItem; raises MalformedNotification for a body or item of the wrong shape."""
    document = _load(body)
    live_text = document.get("live", "false")
    if live_text not in ("true", "false"):
        raise MalformedNotification('live must be "true" or "false"')
    items = document.get("notificationItems")
    if not isinstance(items, list) or not items:
        raise MalformedNotification("notificationItems is missing or empty")
    parsed: list[NotificationItem | RefusedItem] = []
    for index, wrapper in enumerate(items):
        where = f"notificationItems[{index}]"
        if not isinstance(wrapper, dict):
            raise MalformedNotification(f"{where} is not an object")
        item = wrapper.get("NotificationRequestItem")
        if not isinstance(item, dict):
            raise MalformedNotification(f"{where}.NotificationRequestItem is missing")
        try:
            parsed.append(
                _parse_item(item, f"{where}.NotificationRequestItem", live_text == "true")
            )
        except UnusableItem as exc:
            parsed.append(RefusedItem(raw=item, reason=str(exc)))
    return parsed


def _check_key(hmac_key_hex: str) -> None:
    try:
        bytes.fromhex(hmac_key_hex)
    except ValueError as exc:
        # A misconfigured key must be loud: answering False would reject every webhook.
        raise ValueError("the webhook HMAC key is not hexadecimal") from exc


# What Adyen signs (the SDK's `generate_notification_sig` reads `value` and `currency`
# from `amount`); the SDK is handed only these, see verify_hmac.
SIGNED_FIELDS = (
    "pspReference",
    "originalReference",
    "merchantAccountCode",
    "merchantReference",
    "amount",
    "eventCode",
    "success",
)


def verify_hmac(item: NotificationItem | RefusedItem, hmac_key_hex: str) -> bool:
    """True when the item's `additionalData.hmacSignature` is valid for this key
    (checked by the SDK's `is_valid_hmac_notification`). Raises ValueError for a key
    that is not hex. Total for any item: one whose signature cannot be computed is
    not authentic, so False."""
    _check_key(hmac_key_hex)
    additional = item.raw.get("additionalData")
    if not isinstance(additional, dict):
        return False
    signature = additional.get("hmacSignature")
    if not isinstance(signature, str) or not signature:
        # The SDK returns None without additionalData and raises for an empty signature.
        return False
    if not signature.isascii():
        # a base64 signature is ASCII; the SDK's compare_digest raises TypeError otherwise
        return False
    # Only the signed fields: given the whole item, the SDK would check the signature of
    # `item["notificationItems"][0]` instead when the item has that key.
    signed: dict[str, Any] = {name: item.raw[name] for name in SIGNED_FIELDS if name in item.raw}
    signed["additionalData"] = {"hmacSignature": signature}
    try:
        return bool(adyen_util.is_valid_hmac_notification(signed, hmac_key_hex))
    except (LookupError, TypeError, ValueError, RecursionError):
        # The SDK indexes, formats and UTF-8-encodes the fields as sent: `amount` without
        # a currency (KeyError), text UTF-8 cannot encode such as a lone surrogate
        # (UnicodeEncodeError), a value nested past the recursion limit.
        return False


def signed_notification(
    *,
    hmac_key_hex: str,
    event_code: str,
    success: bool,
    psp_reference: str,
    merchant_reference: str,
    merchant_account: str,
    amount_minor: int,
    currency: str,
    original_reference: str | None = None,
    reason: str | None = None,
    additional_data: dict[str, str] | None = None,
    live: bool = False,
    event_date: dt.datetime | None = None,
) -> dict[str, Any]:
    """A complete webhook body with one item, HMAC-signed as Adyen signs it (by the SDK's
    `generate_notification_sig`). `event_date` defaults to now and must be aware."""
    _check_key(hmac_key_hex)
    when = event_date if event_date is not None else dt.datetime.now(dt.UTC)
    if when.utcoffset() is None:
        raise ValueError("event_date must be timezone-aware")
    item: dict[str, Any] = {
        "amount": {"value": to_adyen(amount_minor, currency), "currency": currency},
        "eventCode": event_code,
        "eventDate": when.isoformat(timespec="seconds"),
        "merchantAccountCode": merchant_account,
        "merchantReference": merchant_reference,
        "pspReference": psp_reference,
        "success": "true" if success else "false",
    }
    if original_reference is not None:
        item["originalReference"] = original_reference
    if reason is not None:
        item["reason"] = reason
    signature = adyen_util.generate_notification_sig(item, hmac_key_hex)
    item["additionalData"] = {**(additional_data or {}), "hmacSignature": signature.decode()}
    return {
        "live": "true" if live else "false",
        "notificationItems": [{"NotificationRequestItem": item}],
    }
