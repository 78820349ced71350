"""Per-restaurant statistics kept by a real lifecycle, and `reservations guests recount`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from models.enums import StaffRole
from models.orm import Guest, GuestRelationship, Reservation
from models.schemas.lifecycle import CompleteRequest, Transition
from reservations.cli import app
from reservations.settings import Settings
from rules.state_machine import ReservationAction, ReservationStatus
from services.booking import record_transition
from services.crm import stats
from tests.api.conftest import LiveApi, live_api
from tests.api.test_reservation_lifecycle import BASE, booking, restaurant
from tests.api.workflow_probe import reservation_workflow_id
from tests.conftest import Database
from tests.crm.fixtures import bare_restaurant
from workflows.reservation import ReservationWorkflow

runner = CliRunner()


@pytest.fixture
async def life(db: Database, dev_server: WorkflowEnvironment) -> AsyncIterator[LiveApi]:
    # no-shows may be marked at once, so a test need not wait for a booking's start
    async with live_api(db, dev_server, no_show_after_minutes=-24 * 60) as api:
        yield api


def soon(minutes: int) -> dict[str, str]:
    """A slot `minutes` (about) from now on Amsterdam's clock, on the quarter hour."""
    local = datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(minutes=minutes)
    local += timedelta(minutes=-local.minute % 15)
    return {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}


async def recount_cli(
    db: Database, tmp: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> Result:
    """`reservations guests recount ...` on the test's database (in a thread: it runs a loop)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp)
    env = {"DATABASE_URL": db.url, "JWT_SECRET": "cli-" + "z" * 40}
    return await asyncio.to_thread(
        runner.invoke, app, ["guests", "recount", *args], env=env, catch_exceptions=False
    )


async def relationship(db: Database, email: str, rid: str) -> GuestRelationship:
    async with db.sessions() as session:
        found = await session.scalar(
            select(GuestRelationship)
            .join(Guest, Guest.id == GuestRelationship.guest_id)
            .where(Guest.email == email, GuestRelationship.restaurant_id == uuid.UUID(rid))
        )
    assert found is not None, (email, rid)
    return found


async def book(live: LiveApi, rid: str, email: str, **slot: str) -> dict[str, Any]:
    r = await live.client.post(f"{BASE}/reservations", json={**booking(rid, email=email), **slot})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def staff(
    live: LiveApi, rid: str, res: dict[str, Any], action: str, headers: dict[str, str], **body: Any
) -> None:
    url = f"{BASE}/restaurants/{rid}/reservations/{res['id']}/{action}"
    r = await live.client.post(url, headers=headers, json=body or None)
    assert r.status_code == 200, r.text


async def test_lifecycle_statistics_match_a_recount(
    life: LiveApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = life
    admin = await live.token_for(StaffRole.ADMIN)
    a = await restaurant(live, admin, all_day=True, tables=3)
    b = await restaurant(live, admin, all_day=True, tables=3)
    ann, bob = "ann@example.com", "bob@example.com"

    # Ann at A: a visit of 3 with a POS bill, a no-show, a timely cancellation
    visit = await book(live, a, ann, **soon(120))
    await staff(live, a, visit, "check-in", admin, actual_party_size=3)
    handle = live.env.client.get_workflow_handle(reservation_workflow_id(visit["id"]))
    await handle.execute_update(ReservationWorkflow.complete, CompleteRequest(spend_minor=5000))
    missed = await book(live, a, ann, **soon(180))
    await staff(live, a, missed, "no-show", admin)
    later = await book(live, a, ann)  # ten days ahead
    cancel = await live.client.post(
        f"{BASE}/reservations/{later['id']}/cancel", params={"token": later["manage_token"]}
    )
    assert cancel.json()["cancelled_within_deadline"] is True
    # Ann at B: a cancellation two hours before (the deadline was 24 h before)
    late = await book(live, b, ann, **soon(120))
    late_cancel = await live.client.post(
        f"{BASE}/reservations/{late['id']}/cancel", params={"token": late["manage_token"]}
    )
    assert late_cancel.json()["cancelled_within_deadline"] is False
    # Bob: a walk-in at B that completes, a booking at A the restaurant cancels
    walk = await live.client.post(
        f"{BASE}/restaurants/{b}/walk-ins",
        headers=admin,
        json={"party_size": 2, "guest": {"email": bob, "first_name": "Bob"}},
    )
    assert walk.status_code == 201, walk.text
    await staff(live, b, walk.json(), "complete", admin)
    dropped = await book(live, a, bob, **soon(240))
    await staff(live, a, dropped, "cancel", admin, reason="kitchen flooded")

    ann_a = await relationship(live.db, ann, a)
    assert (ann_a.bookings, ann_a.visits, ann_a.covers, ann_a.spend_minor) == (3, 1, 3, 5000)
    assert (ann_a.no_shows, ann_a.cancellations, ann_a.late_cancellations) == (1, 1, 0)
    assert ann_a.first_visit_at is not None and ann_a.first_visit_at == ann_a.last_visit_at
    ann_b = await relationship(live.db, ann, b)
    assert (ann_b.bookings, ann_b.visits, ann_b.cancellations, ann_b.late_cancellations) == (
        1,
        0,
        1,
        1,
    )
    bob_b = await relationship(live.db, bob, b)
    assert (bob_b.bookings, bob_b.visits, bob_b.covers) == (1, 1, 2)
    bob_a = await relationship(live.db, bob, a)
    assert (bob_a.bookings, bob_a.visits, bob_a.cancellations) == (1, 0, 0)
    async with live.db.sessions() as session:
        guest = await session.scalar(select(Guest).where(Guest.email == ann))
    assert guest is not None and guest.last_activity_at is not None
    assert (guest.total_reservations, guest.completed_reservations) == (4, 1)
    assert (guest.no_show_count, guest.cancellation_count, guest.total_spend_minor) == (1, 2, 5000)

    checked = await recount_cli(live.db, tmp_path, monkeypatch, "--check")
    assert checked.exit_code == 0, checked.output
    assert "match" in checked.output

    # a counter gone wrong is found by --check and repaired by recount
    async with live.db.sessions() as session:
        await session.execute(
            update(GuestRelationship)
            .where(GuestRelationship.id == ann_a.id)
            .values(visits=7, last_visit_at=None)
        )
        await session.commit()
    failed = await recount_cli(live.db, tmp_path, monkeypatch, "--check")
    assert failed.exit_code == 1
    assert f"guest {ann_a.guest_id} at restaurant {a}" in failed.output
    assert "visits 7 -> 1" in failed.output
    repaired = await recount_cli(live.db, tmp_path, monkeypatch)
    assert repaired.exit_code == 0 and "rewrote 1 relationships" in repaired.output
    assert (await relationship(live.db, ann, a)).visits == 1
    again = await recount_cli(live.db, tmp_path, monkeypatch, "--check")
    assert again.exit_code == 0, again.output


async def test_a_transition_recorded_twice_counts_once(
    life: LiveApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Temporal retries activities: the second recording of a completion is a no-op."""
    live = life
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, all_day=True)
    res = await book(live, rid, "cara@example.com", **soon(120))
    await staff(live, rid, res, "check-in", admin)
    completion = Transition(
        reservation_id=uuid.UUID(res["id"]),
        action=ReservationAction.COMPLETE,
        status=ReservationStatus.COMPLETED,
        at=datetime.now(UTC),
        spend_minor=1200,
        release_tables=True,
    )
    for _ in range(2):
        async with live.db.sessions() as session, session.begin():
            assert await record_transition(session, transition=completion)
    rel = await relationship(live.db, "cara@example.com", rid)
    assert (rel.visits, rel.covers, rel.spend_minor) == (1, 2, 1200)
    async with live.db.sessions() as session:
        stored = await session.get(Reservation, uuid.UUID(res["id"]))
        assert stored is not None and stored.status is ReservationStatus.COMPLETED
        assert await stats.mismatches(session) == []


async def test_concurrent_bookings_lose_no_count(db: Database) -> None:
    """Counters are SQL increments: parallel transactions each add their one."""
    async with db.sessions() as session:
        guest = Guest(email="dan@example.com", first_name="Dan", search_name="dan")
        session.add(guest)
        await session.flush()
        rid = await bare_restaurant(session)
        await session.commit()
        guest_id = guest.id

    async def one() -> None:
        async with db.sessions() as session, session.begin():
            await stats.note_booking(
                session, guest_id=guest_id, restaurant_id=rid, at=datetime.now(UTC)
            )

    if db.kind == "postgres":
        await asyncio.gather(*(one() for _ in range(8)))
    else:  # SQLite serialises writers; the increments still add up
        for _ in range(8):
            await one()
    async with db.sessions() as session:
        rel = await session.scalar(
            select(GuestRelationship).where(GuestRelationship.guest_id == guest_id)
        )
        stored = await session.get(Guest, guest_id)
    assert rel is not None and rel.bookings == 8
    assert stored is not None and stored.total_reservations == 8
