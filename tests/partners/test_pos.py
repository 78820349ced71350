"""A POS's side: Square order webhooks and the generic signed format, against a real worker."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from square.utils.webhooks_helper import verify_signature
from temporalio.testing import WorkflowEnvironment

from models.enums import ReservationStatus, StaffRole
from models.orm import Guest, PosEvent, Reservation
from services.partners import pos
from services.partners.pos import sign_generic
from tests.api.conftest import LiveApi, live_api
from tests.conftest import Database
from tests.partners.fake_square import TOKEN, FakeSquare
from tests.partners.helpers import BASE, body_bytes, now_iso, restaurant, slot

SQUARE_PATH = f"{BASE}/webhooks/pos/square"
GENERIC_PATH = f"{BASE}/webhooks/pos/generic"
PUBLIC = "http://127.0.0.1:8000"  # the test settings' public_base_url: what Square signs
SIGNATURE_KEY = "square-signature-key-0123456789"
GENERIC_SECRET = "generic-pos-secret-0123456789"
LOCATION = "L7DZ0EXAMPLE"


@pytest.fixture
async def square_api() -> AsyncIterator[FakeSquare]:
    server = FakeSquare()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def pos_live(
    db: Database, dev_server: WorkflowEnvironment, square_api: FakeSquare
) -> AsyncIterator[LiveApi]:
    async with live_api(
        db, dev_server, square_access_token=TOKEN, square_api_url=square_api.url
    ) as api:
        yield api


@pytest.fixture
async def admin(pos_live: LiveApi) -> dict[str, str]:
    """An admin of the POS test's own database (not the Google fixtures' one)."""
    return await pos_live.token_for(StaffRole.ADMIN)


def square_signature(body: bytes) -> str:
    """Square's signature as its documentation defines it, checked by the SDK's own helper."""
    mac = hmac.new(SIGNATURE_KEY.encode(), (PUBLIC + SQUARE_PATH).encode() + body, hashlib.sha256)
    signature = base64.b64encode(mac.digest()).decode()
    assert verify_signature(
        request_body=body.decode(),
        signature_header=signature,
        signature_key=SIGNATURE_KEY,
        notification_url=PUBLIC + SQUARE_PATH,
    )
    return signature


def order_event(kind: str, order_id: str, state: str) -> dict[str, Any]:
    key = "order_created" if kind == "order.created" else "order_updated"
    return {
        "merchant_id": "MLEXAMPLE",
        "type": kind,
        "event_id": str(uuid.uuid4()),
        "created_at": now_iso(),
        "data": {
            "type": "order",
            "id": order_id,
            "object": {
                key: {
                    "order_id": order_id,
                    "location_id": LOCATION,
                    "state": state,
                    "version": 1,
                    "created_at": now_iso(),
                }
            },
        },
    }


async def send_square(live: LiveApi, payload: dict[str, Any] | bytes, *, sign: bool = True) -> Any:
    body = payload if isinstance(payload, bytes) else body_bytes(payload)
    headers = {"content-type": "application/json"}
    if sign:
        headers["x-square-hmacsha256-signature"] = square_signature(body)
    return await live.client.post(SQUARE_PATH, content=body, headers=headers)


async def setup(live: LiveApi, admin: dict[str, str]) -> tuple[str, str, str]:
    """A restaurant with one table, Square and generic connections, and a booking now."""
    rid = await restaurant(live, admin, tables=1)
    tables = await live.client.get(f"{BASE}/restaurants/{rid}/tables", headers=admin)
    table_id = (
        tables.json()[0]["id"]
        if isinstance(tables.json(), list)
        else tables.json()["items"][0]["id"]
    )
    for system, body in (
        ("square", {"external_location_id": LOCATION, "signing_secret": SIGNATURE_KEY}),
        ("generic", {"signing_secret": GENERIC_SECRET}),
    ):
        r = await live.client.put(
            f"{BASE}/restaurants/{rid}/pos/connections/{system}", json=body, headers=admin
        )
        assert r.status_code == 200, r.text
    for system, external in (("square", "Table 1"), ("generic", "T1")):
        r = await live.client.put(
            f"{BASE}/restaurants/{rid}/pos/table-mappings",
            json={"system": system, "external_table_id": external, "table_id": table_id},
            headers=admin,
        )
        assert r.status_code == 200, r.text
    day, time = slot(0.25)
    booked = await live.client.post(
        f"{BASE}/reservations",
        json={
            "restaurant_id": rid,
            "date": day,
            "time": time,
            "party_size": 2,
            "guest": {"email": f"pos-{uuid.uuid4().hex[:6]}@example.com", "first_name": "Ann"},
        },
    )
    assert booked.status_code == 201, booked.text
    return rid, table_id, booked.json()["id"]


async def reservation(live: LiveApi, rid: str) -> Reservation:
    async with live.db.sessions() as session:
        found = await session.get(Reservation, uuid.UUID(rid))
        assert found is not None
        return found


async def test_square_check_opened_then_closed(
    pos_live: LiveApi, admin: dict[str, str], square_api: FakeSquare
) -> None:
    live = pos_live
    rid, _, reservation_id = await setup(live, admin)
    square_api.put_order("ORD1", location_id=LOCATION, ticket_name="Table 1", state="OPEN")
    opened = await send_square(live, order_event("order.created", "ORD1", "OPEN"))
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "applied"
    assert (await reservation(live, reservation_id)).status is ReservationStatus.SEATED

    square_api.put_order(
        "ORD1", location_id=LOCATION, ticket_name="Table 1", state="COMPLETED", total=8450
    )
    closed_event = order_event("order.updated", "ORD1", "COMPLETED")
    closed = await send_square(live, closed_event)
    assert closed.status_code == 200 and closed.json()["status"] == "applied", closed.text
    done = await reservation(live, reservation_id)
    assert done.status is ReservationStatus.COMPLETED and done.spend_minor == 8450
    async with live.db.sessions() as session:
        guest = await session.get(Guest, done.guest_id)
        assert guest is not None and guest.total_spend_minor == 8450

    # Square delivers again: recorded once, spent once
    again = await send_square(live, closed_event)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    async with live.db.sessions() as session:
        guest = await session.get(Guest, done.guest_id)
        assert guest is not None and guest.total_spend_minor == 8450
        count = await session.scalar(
            select(func.count())
            .select_from(PosEvent)
            .where(PosEvent.event_id == closed_event["event_id"])
        )
    assert count == 1
    events = await live.client.get(f"{BASE}/restaurants/{rid}/pos/events", headers=admin)
    assert [e["status"] for e in events.json()["items"]] == ["applied", "applied"]


async def test_unknown_table_is_recorded_for_staff(
    pos_live: LiveApi, admin: dict[str, str], square_api: FakeSquare
) -> None:
    live = pos_live
    rid, _, _ = await setup(live, admin)
    square_api.put_order("ORD9", location_id=LOCATION, ticket_name="Patio 9", state="OPEN")
    r = await send_square(live, order_event("order.created", "ORD9", "OPEN"))
    assert r.status_code == 200 and r.json()["status"] == "unmatched", r.text
    listed = await live.client.get(
        f"{BASE}/restaurants/{rid}/pos/events", params={"status": "unmatched"}, headers=admin
    )
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert item["external_table_id"] == "Patio 9" and "no table mapped" in item["detail"]


async def test_generic_format(pos_live: LiveApi, admin: dict[str, str]) -> None:
    live = pos_live
    rid, _, reservation_id = await setup(live, admin)

    async def send(payload: dict[str, Any], secret: str = GENERIC_SECRET) -> Any:
        body = body_bytes(payload)
        return await live.client.post(
            GENERIC_PATH,
            content=body,
            headers={
                "content-type": "application/json",
                "x-pos-signature": sign_generic(body, secret),
            },
        )

    base = {"restaurantId": rid, "tableId": "T1", "occurredAt": now_iso()}
    opened = await send({**base, "eventId": "g-1", "type": "check.opened"})
    assert opened.status_code == 200 and opened.json()["status"] == "applied", opened.text
    # no bill is that large; summed into the guest's lifetime spend it would overflow
    absurd = {**base, "eventId": "g-2", "type": "check.closed", "totalMinor": 2**63 - 1}
    refused = await send(absurd)
    assert refused.status_code == 422 and refused.json()["field"] == "totalMinor", refused.text
    closed = await send({**base, "eventId": "g-2", "type": "check.closed", "totalMinor": 3100})
    assert closed.status_code == 200 and closed.json()["status"] == "applied", closed.text
    done = await reservation(live, reservation_id)
    assert done.status is ReservationStatus.COMPLETED and done.spend_minor == 3100
    # a closed reservation's table: recorded for staff, a 200
    late = await send({**base, "eventId": "g-3", "type": "check.closed", "totalMinor": 10})
    assert late.status_code == 200 and late.json()["status"] == "unmatched"
    status = await send({**base, "eventId": "g-4", "type": "table.status", "status": "dirty"})
    assert status.status_code == 200 and status.json()["status"] == "recorded"
    assert (
        await send({**base, "eventId": "g-5", "type": "check.opened"}, "wrong")
    ).status_code == 401


async def test_bad_input_is_a_clean_4xx(
    pos_live: LiveApi, admin: dict[str, str], square_api: FakeSquare
) -> None:
    live = pos_live
    rid, _, _ = await setup(live, admin)
    event = order_event("order.created", "ORDX", "OPEN")
    body = body_bytes(event)
    wrong = await live.client.post(
        SQUARE_PATH, content=body, headers={"x-square-hmacsha256-signature": "bm9wZQ=="}
    )
    assert wrong.status_code == 401
    unsigned = await send_square(live, event, sign=False)
    assert unsigned.status_code == 401
    assert (await send_square(live, b'{"event_id": ')).status_code == 422
    assert (await send_square(live, b"[1, 2]")).status_code == 422
    nul = order_event("order.created", "ORD\u0000", "OPEN")
    assert (await send_square(live, nul)).status_code == 422
    huge = await live.client.post(GENERIC_PATH, content=b"{" + b" " * (1024 * 1024) + b"}")
    assert huge.status_code == 413
    generic_bad = await live.client.post(
        GENERIC_PATH, content=b'{"eventId": 1}', headers={"x-pos-signature": "sha256=00"}
    )
    assert generic_bad.status_code == 422
    async with live.db.sessions() as session:
        assert not await session.scalar(select(func.count()).select_from(PosEvent))
    # the unknown order (Square answers 404): recorded, unmatched, never a 5xx
    ok = await send_square(live, event)
    assert ok.status_code == 200 and ok.json()["status"] == "unmatched"
    _ = rid


async def test_two_restaurants_tills_may_send_the_same_event_id(
    pos_live: LiveApi, admin: dict[str, str]
) -> None:
    """A till picks its own event ids: one restaurant's `till-1` is not another's."""
    live = pos_live
    sent: dict[str, Any] = {}
    for n in (1, 2):
        rid = await restaurant(live, admin, tables=1)
        secret = f"till-secret-{n}-{uuid.uuid4().hex}"
        r = await live.client.put(
            f"{BASE}/restaurants/{rid}/pos/connections/generic",
            json={"signing_secret": secret},
            headers=admin,
        )
        assert r.status_code == 200, r.text
        payload = {
            "restaurantId": rid,
            "tableId": "T1",
            "occurredAt": now_iso(),
            "eventId": "till-1",
            "type": "table.status",
            "status": "dirty",
        }
        body = body_bytes(payload)
        headers = {
            "content-type": "application/json",
            "x-pos-signature": sign_generic(body, secret),
        }
        answer = await live.client.post(GENERIC_PATH, content=body, headers=headers)
        # recorded for staff (no table is mapped to T1): kept, not taken for a duplicate
        assert answer.status_code == 200 and answer.json()["status"] == "unmatched", answer.text
        sent[rid] = (body, headers)
    for rid in sent:
        async with live.db.sessions() as session:
            kept = await session.scalar(
                select(func.count())
                .select_from(PosEvent)
                .where(PosEvent.restaurant_id == uuid.UUID(rid), PosEvent.event_id == "till-1")
            )
        assert kept == 1, rid
    # a redelivery is still one restaurant's duplicate
    body, headers = sent[next(iter(sent))]
    again = await live.client.post(GENERIC_PATH, content=body, headers=headers)
    assert again.status_code == 200 and again.json()["status"] == "duplicate", again.text


async def test_a_close_resent_after_a_crash_completes_only_the_party_it_was_for(
    pos_live: LiveApi, admin: dict[str, str]
) -> None:
    """The first delivery claimed party A, checked it in and completed it, and the API
    died before answering; the till sends the close again. Matched afresh, the table's
    next party would be completed with A's bill."""
    live = pos_live
    rid, _, first = await setup(live, admin)
    quick = await live.client.put(
        f"{BASE}/restaurants/{rid}/settings",
        json={"min_notice_minutes": 0, "default_seating_minutes": 15},
        headers=admin,
    )
    assert quick.status_code == 200, quick.text
    # the set-up's own booking makes way
    cancel_setup = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{first}/cancel", headers=admin, json={}
    )
    assert cancel_setup.status_code == 200, cancel_setup.text
    # party A now, party B on the same table right after it
    day, at = slot(0)
    for email in ("a", "b"):
        made = await live.client.post(
            f"{BASE}/reservations",
            json={
                "restaurant_id": rid, "date": day, "time": at, "party_size": 2,
                "guest": {"email": f"{email}-{uuid.uuid4().hex[:6]}@example.com", "first_name": email},
            },
        )  # fmt: skip
        assert made.status_code == 201, made.text
        at = (datetime.strptime(at, "%H:%M") + timedelta(minutes=15)).strftime("%H:%M")
        if email == "a":
            party_a = made.json()["id"]
        else:
            party_b = made.json()["id"]
    payload = {
        "eventId": "chk-1", "type": "check.closed", "restaurantId": rid, "tableId": "T1",
        "occurredAt": now_iso(), "totalMinor": 4200,
    }  # fmt: skip
    event = pos.generic_event(pos.parse_generic(body_bytes(payload)), payload)
    # what the first delivery wrote before its updates, then the updates themselves
    async with live.db.sessions() as session:
        row_id = await pos.record_event(session, event=event, now=datetime.now(UTC))
        assert row_id is not None
        table = await pos.table_for(
            session, restaurant_id=uuid.UUID(rid), system="generic", external_table_id="T1"
        )
        assert table is not None
        await pos.claim_event(
            session, event_row_id=row_id, table_id=table, reservation_id=uuid.UUID(party_a)
        )
        await session.commit()
    staff = f"{BASE}/restaurants/{rid}/reservations/{party_a}"
    assert (await live.client.post(f"{staff}/check-in", headers=admin)).status_code == 200
    assert (await live.client.post(f"{staff}/complete", headers=admin)).status_code == 200
    body = body_bytes(payload)
    again = await live.client.post(
        GENERIC_PATH,
        content=body,
        headers={
            "content-type": "application/json",
            "x-pos-signature": sign_generic(body, GENERIC_SECRET),
        },
    )
    assert again.status_code == 200, again.text
    assert again.json() == {"status": "applied", "detail": "completed", "reservation_id": party_a}
    b = await reservation(live, party_b)
    assert b.status is ReservationStatus.CONFIRMED and b.spend_minor is None
