"""A partner key books through the same path as the public API, recorded with its channel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from models.enums import ReservationSource
from models.orm import Reservation
from tests.api.conftest import LiveApi
from tests.partners.conftest import BASE, make_restaurant


def body(rid: str, email: str = "guest@example.com") -> dict[str, object]:
    day = (datetime.now(UTC) + timedelta(days=9)).date().isoformat()
    return {
        "restaurant_id": rid,
        "date": day,
        "time": "19:00",
        "party_size": 2,
        "guest": {"email": email, "first_name": "Bo"},
    }


async def new_key(live: LiveApi, admin: dict[str, str], rid: str, scopes: list[str]) -> str:
    made = await live.client.post(
        f"{BASE}/partner-keys",
        json={"name": "fork", "restaurant_ids": [rid], "scopes": scopes, "channel": "thefork"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["api_key"])


async def test_a_partner_booking_carries_channel_and_key(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await make_restaurant(live, admin)
    writer = await new_key(live, admin, rid, ["bookings:write"])
    reader = await new_key(live, admin, rid, ["availability:read"])
    url = f"{BASE}/partners/restaurants/{rid}/reservations"
    c = live.client

    refused = await c.post(url, json=body(rid), headers={"X-Api-Key": reader})
    assert refused.status_code == 403

    headers = {"X-Api-Key": writer, "Idempotency-Key": "order-77"}
    first = await c.post(url, json=body(rid), headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["source"] == "thefork"
    again = await c.post(url, json=body(rid), headers=headers)
    assert again.json()["id"] == first.json()["id"]

    async with live.db.sessions() as session:
        row = await session.get(Reservation, uuid.UUID(first.json()["id"]))
    assert row is not None
    assert row.source is ReservationSource.THEFORK and row.partner_id is not None

    listed = await c.get(
        f"{BASE}/restaurants/{rid}/reservations",
        params=[("source", "thefork"), ("source", "google")],
        headers=admin,
    )
    assert [r["id"] for r in listed.json()["items"]] == [first.json()["id"]]

    elsewhere = await c.post(url, json=body(str(uuid.uuid4())), headers={"X-Api-Key": writer})
    assert elsewhere.status_code == 422  # the body's restaurant must be the path's
