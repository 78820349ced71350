"""Partner webhook signatures a caller can garble: a 401 problem+json, never a 500.

Starlette reads header bytes as latin-1, so a raw 0xE9 arrives as "é"; comparing such
text with `hmac.compare_digest` raises. A timestamp of hundreds of digits is an int
but no float. On both databases, over HTTP, without a worker: nothing here gets far
enough to need one.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from models.enums import StaffRole
from models.orm import PosEvent, ProcessedWebhookEvent
from services.partners.pos import sign_generic
from tests.api.test_restaurants import restaurant_body
from tests.conftest import Api
from tests.partners.helpers import BASE, body_bytes, now_iso, unix_now

GENERIC_PATH = f"{BASE}/webhooks/pos/generic"
SQUARE_PATH = f"{BASE}/webhooks/pos/square"
THEFORK_PATH = f"{BASE}/webhooks/thefork"
GENERIC_SECRET = "generic-pos-secret-0123456789"
SQUARE_KEY = "square-signature-key-0123456789"
LOCATION = "L7DZ0HOSTILE"
# raw header bytes (headers are passed as bytes): what a hostile client can put on the wire
NON_ASCII_SIGNATURES = pytest.mark.parametrize(
    "signature",
    [b"sha256=\xe9", b"\xe9", b"sha256=" + b"\xff" * 64],
    ids=["prefixed-e-acute", "e-acute", "prefixed-ff-x64"],
)


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def _restaurant(api: Api, staff: dict[str, str]) -> str:
    body = restaurant_body(name=f"Bistro {uuid.uuid4().hex[:6]}")
    r = await api.client.post(f"{BASE}/restaurants", json=body, headers=staff)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _events(api: Api) -> int:
    async with api.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(PosEvent)) or 0)


@pytest.fixture
async def staff(api: Api) -> dict[str, str]:
    return await api.token_for(StaffRole.ADMIN)


@pytest.fixture
async def pos_restaurant(api: Api, staff: dict[str, str]) -> str:
    """A restaurant with generic and Square POS connections."""
    rid = await _restaurant(api, staff)
    for system, body in (
        ("generic", {"signing_secret": GENERIC_SECRET}),
        ("square", {"external_location_id": LOCATION, "signing_secret": SQUARE_KEY}),
    ):
        r = await api.client.put(
            f"{BASE}/restaurants/{rid}/pos/connections/{system}", json=body, headers=staff
        )
        assert r.status_code == 200, r.text
    return rid


# ---- POS: generic ------------------------------------------------------------------------


@NON_ASCII_SIGNATURES
async def test_generic_pos_non_ascii_signature_is_401(
    api: Api, pos_restaurant: str, signature: bytes
) -> None:
    body = body_bytes(
        {
            "eventId": f"g-{uuid.uuid4().hex[:8]}",
            "type": "check.opened",
            "restaurantId": pos_restaurant,
            "tableId": "T1",
            "occurredAt": now_iso(),
        }
    )
    r = await api.client.post(
        GENERIC_PATH,
        content=body,
        headers={b"content-type": b"application/json", b"x-pos-signature": signature},
    )
    assert_unauthorized(r)
    assert "X-POS-Signature does not match" in r.json()["detail"]
    assert await _events(api) == 0
    # the same event, signed, still goes through
    ok = await api.client.post(
        GENERIC_PATH,
        content=body,
        headers={
            "content-type": "application/json",
            "x-pos-signature": sign_generic(body, GENERIC_SECRET),
        },
    )
    assert ok.status_code == 200, ok.text
    assert await _events(api) == 1


# ---- POS: Square (the SDK compares bytes; pinned so it stays that way) ---------------------


@NON_ASCII_SIGNATURES
async def test_square_non_ascii_signature_is_401(
    api: Api, pos_restaurant: str, signature: bytes
) -> None:
    order_id = f"ORD{uuid.uuid4().hex[:8]}"
    event = {
        "merchant_id": "MLEXAMPLE",
        "type": "order.created",
        "event_id": str(uuid.uuid4()),
        "created_at": now_iso(),
        "data": {
            "type": "order",
            "id": order_id,
            "object": {"order_created": {"order_id": order_id, "location_id": LOCATION}},
        },
    }
    r = await api.client.post(
        SQUARE_PATH,
        content=body_bytes(event),
        headers={b"content-type": b"application/json", b"x-square-hmacsha256-signature": signature},
    )
    assert_unauthorized(r)
    assert await _events(api) == 0


# ---- TheFork -----------------------------------------------------------------------------


@pytest.fixture
async def thefork(api: Api, staff: dict[str, str]) -> tuple[str, str]:
    """A partner key for TheFork and its HMAC secret."""
    key = await api.client.post(f"{BASE}/partner-keys", json={"name": "TheFork"}, headers=staff)
    assert key.status_code == 201, key.text
    issued = await api.client.post(
        f"{BASE}/partner-keys/{key.json()['id']}/marketplace/thefork", headers=staff
    )
    assert issued.status_code == 200, issued.text
    return str(key.json()["api_key"]), str(issued.json()["hmac_secret"])


def _fork_event() -> bytes:
    event: dict[str, Any] = {
        "eventId": f"evt-{uuid.uuid4().hex[:12]}",
        "eventType": "RESERVATION_CANCELLED",
        "occurredAt": now_iso(),
        "reservation": {"reservationId": f"tf-{uuid.uuid4().hex[:8]}", "restaurantId": "x"},
    }
    return body_bytes(event)


async def _send_fork(
    api: Api, key: str, *, body: bytes, timestamp: bytes, signature: bytes
) -> httpx.Response:
    return await api.client.post(
        THEFORK_PATH,
        content=body,
        headers={
            b"content-type": b"application/json",
            b"x-partner-key": key.encode(),
            b"x-thefork-timestamp": timestamp,
            b"x-thefork-signature": signature,
        },
    )


async def _fork_processed(api: Api) -> int:
    async with api.db.sessions() as session:
        return int(
            await session.scalar(select(func.count()).select_from(ProcessedWebhookEvent)) or 0
        )


@NON_ASCII_SIGNATURES
async def test_thefork_non_ascii_signature_is_401(
    api: Api, thefork: tuple[str, str], signature: bytes
) -> None:
    key, _ = thefork
    stamp = str(unix_now()).encode()
    r = await _send_fork(api, key, body=_fork_event(), timestamp=stamp, signature=signature)
    assert_unauthorized(r)
    assert r.json()["detail"] == "the signature does not match"
    assert await _fork_processed(api) == 0


@pytest.mark.parametrize(
    "timestamp",
    [b"9" * 400, b"-" + b"9" * 400, b"9" * 4300, b"9" * 5000, b"1e400", b"\xe9"],
    ids=["400-digits", "minus-400-digits", "4300-digits", "5000-digits", "float", "non-ascii"],
)
async def test_thefork_timestamp_past_any_clock_is_401(
    api: Api, thefork: tuple[str, str], timestamp: bytes
) -> None:
    key, secret = thefork
    body = _fork_event()
    # signed over the very timestamp sent, so only its value can be what refuses it
    mac = hmac.new(secret.encode(), timestamp + b"." + body, hashlib.sha256)
    signature = b"sha256=" + mac.hexdigest().encode()
    r = await _send_fork(api, key, body=body, timestamp=timestamp, signature=signature)
    assert_unauthorized(r)
    assert "timestamp" in r.json()["detail"]
    assert await _fork_processed(api) == 0
