"""Alert notes, allergies and VIP on reservations: staff answers only, as the circle sees them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select, update
from temporalio.testing import WorkflowEnvironment

from models.enums import StaffRole
from models.orm import Guest, GuestNote, GuestRelationship, Restaurant, RestaurantGroup
from services.crm.visibility import ensure_relationship
from tests.api.conftest import LiveApi, live_api
from tests.conftest import Database
from tests.crm.test_blocked_guests import public_body
from tests.crm.test_stats_lifecycle import soon
from tests.partners.conftest import BASE, GOOGLE_CREDENTIALS
from tests.partners.helpers import restaurant
from tests.partners.test_google_booking_server import basic, create_body

ANN = "ann@example.com"
NUTS = "Severe nut allergy: epipen in her bag"
SHOUTED = "Shouted at the sommelier (sister restaurant)"
SECRET = "Owes us for a broken glass (unrelated restaurant)"
WINDOW = "Likes the window table"


@pytest.fixture
async def channels(db: Database, dev_server: WorkflowEnvironment) -> AsyncIterator[LiveApi]:
    async with live_api(db, dev_server, google_booking_credentials=GOOGLE_CREDENTIALS) as api:
        yield api


async def group(db: Database, *rids: str, shares: bool) -> None:
    async with db.sessions() as session:
        made = RestaurantGroup(name=f"group {uuid.uuid4().hex[:6]}", shares_guest_profiles=shares)
        session.add(made)
        await session.flush()
        await session.execute(
            update(Restaurant)
            .where(Restaurant.id.in_([uuid.UUID(r) for r in rids]))
            .values(group_id=made.id)
        )
        await session.commit()


async def know(db: Database, rid: str, email: str, **values: Any) -> None:
    async with db.sessions() as session:
        guest = await session.scalar(select(Guest).where(Guest.email == email))
        assert guest is not None
        await ensure_relationship(session, guest_id=guest.id, restaurant_id=uuid.UUID(rid))
        if values:
            await session.execute(
                update(GuestRelationship)
                .where(GuestRelationship.guest_id == guest.id)
                .where(GuestRelationship.restaurant_id == uuid.UUID(rid))
                .values(**values)
            )
        await session.commit()


async def note(db: Database, rid: str, email: str, body: str, kind: str, alert: bool) -> None:
    async with db.sessions() as session:
        guest = await session.scalar(select(Guest).where(Guest.email == email))
        assert guest is not None
        session.add(
            GuestNote(
                guest_id=guest.id,
                restaurant_id=uuid.UUID(rid),
                body=body,
                note_type=kind,
                is_alert=alert,
            )
        )
        await session.commit()


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)


async def test_alerts_reach_staff_and_never_guests(channels: LiveApi) -> None:
    live = channels
    c = live.client
    admin = await live.token_for(StaffRole.ADMIN)
    a = await restaurant(live, admin, tables=4)
    b = await restaurant(live, admin, tables=4)
    other = await restaurant(live, admin, tables=4)
    await group(live.db, a, b, shares=True)
    host = await live.token_for(StaffRole.HOST, [a])

    first = await c.post(f"{BASE}/reservations", json={**public_body(a), **soon(120)})
    assert first.status_code == 201, first.text
    await know(live.db, a, ANN, allergies=["shellfish"], is_vip=True)
    await know(live.db, b, ANN, allergies=["gluten"])
    await know(live.db, other, ANN, allergies=["sesame"], is_vip=True)
    await note(live.db, a, ANN, NUTS, "allergy", alert=False)
    await note(live.db, a, ANN, WINDOW, "preference", alert=False)
    await note(live.db, b, ANN, SHOUTED, "incident", alert=True)
    await note(live.db, other, ANN, SECRET, "incident", alert=True)

    def check(staff_view: dict[str, Any]) -> None:
        texts = {(x["kind"], x["text"]) for x in staff_view["guest_alerts"]}
        assert texts == {
            ("note", NUTS),
            ("note", SHOUTED),
            ("allergy", "shellfish"),
            ("allergy", "gluten"),
        }
        assert staff_view["guest_vip"] is True

    rid = first.json()["id"]
    one = await c.get(f"{BASE}/restaurants/{a}/reservations/{rid}", headers=host)
    assert one.status_code == 200, one.text
    check(one.json())
    listed = await c.get(f"{BASE}/restaurants/{a}/reservations", headers=host)
    (item,) = listed.json()["items"]
    check(item)
    day = date.fromisoformat(first.json()["date"])
    timeline = await c.get(
        f"{BASE}/restaurants/{a}/timeline", params={"date": day.isoformat()}, headers=host
    )
    assert timeline.status_code == 200, timeline.text
    (allocation,) = [x for t in timeline.json()["tables"] for x in t["allocations"]]
    check(allocation)

    # the staff-made booking's answer (a walk-in) carries them too
    walk = await c.post(
        f"{BASE}/restaurants/{a}/walk-ins",
        headers=host,
        json={"party_size": 2, "guest": {"email": ANN, "first_name": "Ann"}},
    )
    assert walk.status_code == 201, walk.text
    check(walk.json())

    # at the unrelated restaurant the sister's notes are not visible, nor A's VIP flag
    await c.post(f"{BASE}/reservations", json={**public_body(other), **soon(120)})
    theirs = await c.get(
        f"{BASE}/restaurants/{other}/reservations",
        headers=await live.token_for(StaffRole.HOST, [other]),
    )
    (their_item,) = theirs.json()["items"]
    assert {x["text"] for x in their_item["guest_alerts"]} == {SECRET, "sesame"}

    # guests, the manage page, partners and Google never see any of it
    guest_answers = [first.text]
    token = first.json()["manage_token"]
    own = await c.get(f"{BASE}/reservations/{rid}", params={"token": token})
    assert own.status_code == 200
    guest_answers.append(own.text)
    page = await c.get(f"/manage/{rid}", params={"token": token})
    assert page.status_code == 200
    guest_answers.append(page.text)
    key = await c.post(
        f"{BASE}/partner-keys",
        json={"name": "p", "restaurant_ids": [a], "scopes": ["bookings:write"]},
        headers=admin,
    )
    partner = await c.post(
        f"{BASE}/partners/restaurants/{a}/reservations",
        json={**public_body(a), **soon(150)},
        headers={"X-Api-Key": key.json()["api_key"]},
    )
    assert partner.status_code == 201, partner.text
    guest_answers.append(partner.text)
    google = await c.post(
        "/google/v3/CreateBooking", headers=basic(), json=create_body(a, uuid.uuid4().hex)
    )
    assert google.status_code == 200, google.text
    guest_answers.append(google.text)
    for answer in guest_answers:
        assert "guest_alerts" not in answer and "guest_vip" not in answer
        for text in (NUTS, SHOUTED, SECRET, WINDOW, "shellfish", "gluten"):
            assert text not in answer


async def test_a_page_of_alerts_costs_the_same_queries_as_one(live: LiveApi) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=6)
    for n in range(5):
        email = f"guest{n}@example.com"
        made = await live.client.post(
            f"{BASE}/reservations", json={**public_body(rid, email), **soon(120 + 15 * n)}
        )
        assert made.status_code == 201, made.text
        await note(live.db, rid, email, f"alert {n}", "general", alert=True)
    url = f"{BASE}/restaurants/{rid}/reservations"
    with counting(live.db) as small:
        one = await live.client.get(url, params={"limit": 1}, headers=admin)
    with counting(live.db) as large:
        five = await live.client.get(url, params={"limit": 5}, headers=admin)
    assert len(one.json()["items"]) == 1 and len(five.json()["items"]) == 5
    assert [x["guest_alerts"][0]["text"] for x in five.json()["items"]] == [
        f"alert {n}" for n in range(5)
    ]
    # the worker may query in the background: count the alerts' own statements
    for table in ("FROM guest_notes", "FROM guest_relationships"):
        assert sum(table in q for q in small) == sum(table in q for q in large) == 1, table
