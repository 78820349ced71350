"""Square: order webhooks verified with the official SDK, tables read from the order.

Square signs each notification with HMAC-SHA256 over the notification URL followed
by the raw body (`x-square-hmacsha256-signature`, base64); the SDK's
`square.utils.webhooks_helper.verify_signature` checks it. `order.created` and
`order.updated` carry only the order's id, state, location and version: neither
the table nor the total. Square's Orders API has no table either; Square for
Restaurants names an open check's ticket after its table, so the adapter reads
the order (the SDK's `orders.get`) and takes `ticket_name` as the POS table and
`total_money` as the spend. Staff map those ticket names to our tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from square import AsyncSquare
from square.core.api_error import ApiError
from square.utils.webhooks_helper import verify_signature

from models.schemas.common import MAX_BILL_MINOR, UNSTORABLE_TEXT
from services.partners.pos import PosCheckEvent, PosKind, PosRefused

SIGNATURE_HEADER = "x-square-hmacsha256-signature"
ORDER_EVENTS = {"order.created", "order.updated"}


@dataclass(frozen=True, slots=True)
class SquareNotification:
    """The envelope of a Square webhook."""

    event_id: str
    type: str
    merchant_id: str | None
    location_id: str | None
    order_id: str | None
    state: str | None
    raw: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OrderFacts:
    ticket_name: str | None
    total_minor: int | None


class SquareOrders(Protocol):
    """Reads an order (the real one is the SDK's Orders API)."""

    async def facts(self, order_id: str) -> OrderFacts: ...


class SdkOrders:
    """Square's Orders API through the official SDK's async client."""

    def __init__(self, *, token: str, base_url: str) -> None:
        self._client = AsyncSquare(token=token, base_url=base_url, timeout=10.0)

    async def facts(self, order_id: str) -> OrderFacts:
        try:
            answer = await self._client.orders.get(order_id)
        except ApiError as exc:
            if exc.status_code == 404:
                return OrderFacts(ticket_name=None, total_minor=None)
            raise
        order = answer.order
        if order is None:
            return OrderFacts(ticket_name=None, total_minor=None)
        total = order.total_money.amount if order.total_money else None
        name = UNSTORABLE_TEXT.sub("", order.ticket_name or "")[:120] or None
        return OrderFacts(ticket_name=name, total_minor=total)


def verify(
    *, body: bytes, signature: str | None, signature_key: str, notification_url: str
) -> None:
    """Refuse a notification Square did not sign (the SDK's own check)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PosRefused("the body is not UTF-8", status=400, field="body") from None
    if not signature or not verify_signature(
        request_body=text,
        signature_header=signature,
        signature_key=signature_key,
        notification_url=notification_url,
    ):
        raise PosRefused("the x-square-hmacsha256-signature does not match")


def parse(body: bytes) -> SquareNotification:
    """The envelope of a notification (before the signature is checked: to find the key)."""
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PosRefused("the body is not JSON", status=400, field="body") from None
    if not isinstance(raw, dict):
        raise PosRefused("the body is not a JSON object", status=422, field="body")
    event_id, kind = raw.get("event_id"), raw.get("type")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 150:
        raise PosRefused("event_id is missing", status=422, field="event_id")
    if not isinstance(kind, str) or len(kind) > 100:
        raise PosRefused("type is missing", status=422, field="type")
    data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    assert isinstance(data, dict)
    obj = data.get("object") if isinstance(data.get("object"), dict) else {}
    assert isinstance(obj, dict)
    order = obj.get("order_created") or obj.get("order_updated") or {}
    if not isinstance(order, dict):
        order = {}
    location = order.get("location_id") or raw.get("location_id")
    return SquareNotification(
        event_id=event_id,
        type=kind,
        merchant_id=raw.get("merchant_id") if isinstance(raw.get("merchant_id"), str) else None,
        location_id=location if isinstance(location, str) else None,
        order_id=_str(order.get("order_id") or data.get("id")),
        state=_str(order.get("state")),
        raw=raw,
    )


def _str(value: object) -> str | None:
    return value[:200] if isinstance(value, str) else None


def kind_of(note: SquareNotification) -> PosKind:
    """An open order is a check opened on its table; a completed one, the check closed."""
    if note.type not in ORDER_EVENTS:
        return "other"
    if note.state == "OPEN":
        return "check_opened"
    if note.state == "COMPLETED":
        return "check_closed"
    if note.state == "CANCELED":
        return "table_status"
    return "other"


def _bill(total_minor: int | None) -> int | None:
    """An order's total as a bill, or None when no real bill could be that large."""
    if total_minor is None or not 0 <= total_minor <= MAX_BILL_MINOR:
        return None
    return total_minor


def check_event(
    note: SquareNotification, *, restaurant_id: Any, facts: OrderFacts | None
) -> PosCheckEvent:
    """The notification in our terms, with the order's table and total when read."""
    kind = kind_of(note)
    table_status = {"check_opened": "occupied", "check_closed": "free", "table_status": "free"}
    return PosCheckEvent(
        system="square",
        event_id=note.event_id,
        kind=kind,
        restaurant_id=restaurant_id,
        external_table_id=facts.ticket_name if facts else None,
        spend_minor=_bill(facts.total_minor) if facts and kind == "check_closed" else None,
        table_status=table_status.get(kind),
        payload=note.raw,
    )
