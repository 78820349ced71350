"""A guest blocked at a restaurant cannot book it online, on any guest channel; staff can."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from temporalio.testing import WorkflowEnvironment

from models.enums import StaffRole
from models.orm import Guest, GuestAudit, GuestRelationship, Reservation, Restaurant
from services.crm.visibility import ensure_relationship
from services.guests import search_name_of
from tests.api.conftest import LiveApi, live_api
from tests.conftest import Database
from tests.partners.conftest import BASE, GOOGLE_CREDENTIALS, make_restaurant
from tests.partners.helpers import restaurant as all_day_restaurant
from tests.partners.test_google_booking_server import basic, create_body
from tests.partners.test_thefork import TheFork

ANN = "ann@example.com"
POLITE = "We can't take this booking online; please contact the restaurant."


@pytest.fixture
async def channels(db: Database, dev_server: WorkflowEnvironment) -> AsyncIterator[LiveApi]:
    async with live_api(db, dev_server, google_booking_credentials=GOOGLE_CREDENTIALS) as api:
        yield api


async def block(db: Database, rid: str, email: str) -> uuid.UUID:
    """Block the guest at the restaurant as a manager would (rows written directly)."""
    async with db.sessions() as session:
        guest = await session.scalar(select(Guest).where(Guest.email == email))
        if guest is None:
            guest = Guest(email=email, first_name="Ann", search_name=search_name_of("Ann", None))
            session.add(guest)
            await session.flush()
        await ensure_relationship(session, guest_id=guest.id, restaurant_id=uuid.UUID(rid))
        await session.execute(
            update(GuestRelationship)
            .where(GuestRelationship.guest_id == guest.id)
            .where(GuestRelationship.restaurant_id == uuid.UUID(rid))
            .values(blocked_at=datetime.now(UTC), blocked_reason="threatened the staff")
        )
        await session.commit()
        return guest.id


def public_body(rid: str, email: str = ANN) -> dict[str, Any]:
    day = (datetime.now(UTC) + timedelta(days=9)).date().isoformat()
    return {
        "restaurant_id": rid,
        "date": day,
        "time": "19:00",
        "party_size": 2,
        "guest": {"email": email, "first_name": "Ann"},
    }


def waitlist_body(rid: str, email: str = ANN) -> dict[str, Any]:
    day = (datetime.now(UTC) + timedelta(days=9)).date().isoformat()
    return {
        "restaurant_id": rid,
        "date": day,
        "time_from": "19:00",
        "time_to": "19:30",
        "party_size": 2,
        "guest": {"email": email, "first_name": "Ann"},
    }


def shape(problem: dict[str, Any]) -> dict[str, Any]:
    """What a problem says beyond its wording: keys, status, title, field."""
    return {
        "keys": sorted(problem),
        "status": problem["status"],
        "title": problem["title"],
        "field": problem.get("field"),
    }


async def test_online_channels_refuse_a_blocked_guest_politely(
    channels: LiveApi,
) -> None:
    live = channels
    c = live.client
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await make_restaurant(live, admin, tables=3)
    other = await make_restaurant(live, admin)
    guest_id = await block(live.db, rid, ANN)

    # a refusal that gives nothing away: a restaurant that takes no bookings
    closed = await make_restaurant(live, admin)
    async with live.db.sessions() as session:
        await session.execute(
            update(Restaurant)
            .where(Restaurant.id == uuid.UUID(closed))
            .values(accepts_reservations=False)
        )
        await session.commit()
    reference = await c.post(f"{BASE}/reservations", json=public_body(closed, "x@example.com"))
    assert reference.status_code == 422

    public = await c.post(f"{BASE}/reservations", json=public_body(rid))
    assert public.status_code == 422, public.text
    assert public.headers["content-type"] == "application/problem+json"
    assert public.json()["detail"] == POLITE
    assert shape(public.json()) == shape(reference.json())
    assert "block" not in public.text.lower() and "threatened" not in public.text

    key = await c.post(
        f"{BASE}/partner-keys",
        json={"name": "fork", "restaurant_ids": [rid], "scopes": ["bookings:write"]},
        headers=admin,
    )
    assert key.status_code == 201, key.text
    partner = await c.post(
        f"{BASE}/partners/restaurants/{rid}/reservations",
        json=public_body(rid),
        headers={"X-Api-Key": key.json()["api_key"]},
    )
    assert partner.status_code == 422 and partner.json()["detail"] == POLITE
    assert shape(partner.json()) == shape(reference.json())

    google = await c.post("/google/v3/CreateBooking", headers=basic(), json=create_body(rid, "g"))
    assert google.status_code == 200, google.text
    assert "booking" not in google.json()
    assert google.json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"
    assert "block" not in google.text.lower()

    waitlist = await c.post(f"{BASE}/waitlist", json=waitlist_body(rid))
    assert waitlist.status_code == 422 and waitlist.json()["detail"] == POLITE

    # nothing was booked for her online; another guest, and another restaurant, are fine
    async with live.db.sessions() as session:
        booked = await session.scalar(
            select(func.count()).select_from(Reservation).where(Reservation.guest_id == guest_id)
        )
        trail = list(
            await session.scalars(
                select(GuestAudit)
                .where(GuestAudit.guest_id == guest_id)
                .order_by(GuestAudit.created_at)
            )
        )
    assert booked == 0
    assert {a.action for a in trail} == {"online_booking_refused"}
    assert {a.details["channel"] for a in trail} == {"online", "partner", "google", "waitlist"}
    assert {a.details["reason"] for a in trail} == {"guest_blocked"}
    assert all(str(a.restaurant_id) == rid for a in trail)
    assert trail[0].details["requested"]["party_size"] == 2
    bob = await c.post(f"{BASE}/reservations", json=public_body(rid, "bob@example.com"))
    assert bob.status_code == 201, bob.text
    elsewhere = await c.post(f"{BASE}/reservations", json=public_body(other))
    assert elsewhere.status_code == 201, elsewhere.text


async def test_staff_still_seat_a_blocked_guest(live: LiveApi) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await all_day_restaurant(live, admin)
    guest_id = await block(live.db, rid, ANN)
    host = await live.token_for(StaffRole.HOST, [rid])
    walk = await live.client.post(
        f"{BASE}/restaurants/{rid}/walk-ins",
        headers=host,
        json={"party_size": 2, "guest": {"email": ANN, "first_name": "Ann"}},
    )
    assert walk.status_code == 201, walk.text
    assert walk.json()["guest_id"] == str(guest_id)
    async with live.db.sessions() as session:
        refused = await session.scalar(
            select(func.count()).select_from(GuestAudit).where(GuestAudit.guest_id == guest_id)
        )
    assert refused == 0


async def test_a_marketplace_booking_of_a_blocked_guest_is_refused(live: LiveApi) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await all_day_restaurant(live, admin)
    guest_id = await block(live.db, rid, ANN)
    key = await live.client.post(f"{BASE}/partner-keys", json={"name": "TheFork"}, headers=admin)
    issued = await live.client.post(
        f"{BASE}/partner-keys/{key.json()['id']}/marketplace/thefork", headers=admin
    )
    assert issued.status_code == 200, issued.text
    fork = TheFork(live, key.json()["api_key"], issued.json()["hmac_secret"], rid)
    event = fork.event("RESERVATION_CREATED", "tf-blocked")
    event["reservation"]["customer"]["email"] = ANN
    refused = await fork.send(event)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == POLITE and "block" not in refused.text.lower()
    async with live.db.sessions() as session:
        trail = list(
            await session.scalars(select(GuestAudit).where(GuestAudit.guest_id == guest_id))
        )
        booked = await session.scalar(
            select(func.count()).select_from(Reservation).where(Reservation.guest_id == guest_id)
        )
    assert [a.details["channel"] for a in trail] == ["thefork"] and booked == 0
