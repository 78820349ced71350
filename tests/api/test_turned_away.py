"""Requests turned away as full are kept as demand: once each, only for want of room.

Over HTTP against a real worker on the Temporal dev server, through both refusals:
the API's pre-check (no workflow) and the workflow's hold (the pre-check off).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from api.lifecycle import reservation_id_for
from models.enums import ReservationSource, StaffRole
from models.orm import Reservation, TurnedAwayRequest
from services.guests import normalise_email
from services.turned_away import counts_as_demand
from tests.api.conftest import LiveApi, live_api
from tests.api.test_reservation_lifecycle import BASE, booking_day, restaurant
from tests.conftest import Database

DAY = booking_day()


@pytest.fixture(params=[True, False], ids=["precheck", "workflow"])
async def shop(
    request: pytest.FixtureRequest, db: Database, dev_server: WorkflowEnvironment
) -> AsyncIterator[LiveApi]:
    async with live_api(db, dev_server, booking_precheck=request.param) as live:
        yield live


async def _book(live: LiveApi, rid: str, email: str, key: str, at: str = "19:00") -> int:
    answer = await live.client.post(
        f"{BASE}/reservations",
        json={
            "restaurant_id": rid,
            "date": DAY.isoformat(),
            "time": at,
            "party_size": 2,
            "guest": {"email": email, "first_name": "Asked"},
        },
        headers={"Idempotency-Key": key},
    )
    assert answer.status_code in (201, 409, 422), answer.text
    return answer.status_code


async def _turned_away(live: LiveApi, rid: str) -> list[TurnedAwayRequest]:
    async with live.db.sessions() as session:
        return list(
            await session.scalars(
                select(TurnedAwayRequest).where(TurnedAwayRequest.restaurant_id == uuid.UUID(rid))
            )
        )


async def test_a_request_refused_as_full_is_kept_once(shop: LiveApi) -> None:
    admin = await shop.token_for(StaffRole.ADMIN)
    rid = await restaurant(shop, admin, tables=1)
    assert await _book(shop, rid, "first@example.com", "first") == 201
    before = datetime.now(UTC)
    # refused, then retried with the same key: one request
    assert await _book(shop, rid, "late@example.com", "late") == 409
    assert await _book(shop, rid, "late@example.com", "late") == 409
    rows = await _turned_away(shop, rid)
    assert len(rows) == 1, rows
    row = rows[0]
    assert row.id == reservation_id_for(
        "late", scope=f"{rid}:{normalise_email('late@example.com')}"
    )
    assert (row.reservation_date, row.reservation_time, row.party_size) == (DAY, time(19), 2)
    assert row.source is ReservationSource.ONLINE and row.reason == "no_table_fits"
    assert row.seating_area is None and before <= row.asked_at <= datetime.now(UTC)
    async with shop.db.sessions() as session:
        booked = await session.scalar(
            select(Reservation.starts_at).where(Reservation.restaurant_id == uuid.UUID(rid))
        )
    assert row.starts_at == booked  # the instant asked for: the booked party's own 19:00


async def test_a_refusal_that_is_not_for_want_of_room_is_not_demand(shop: LiveApi) -> None:
    admin = await shop.token_for(StaffRole.ADMIN)
    rid = await restaurant(shop, admin, tables=1)
    # before opening: no table was ever on offer, so no one was turned away
    assert await _book(shop, rid, "early@example.com", "early", at="09:00") in (409, 422)
    assert await _turned_away(shop, rid) == []


def test_only_refusals_for_want_of_room_from_guests_count() -> None:
    online, waitlist = ReservationSource.ONLINE, ReservationSource.WAITLIST
    assert counts_as_demand("no_table_fits", online)
    assert counts_as_demand("pacing_limit_reached", ReservationSource.GOOGLE)
    assert not counts_as_demand("no_table_fits", waitlist)  # an offer tried for a queued guest
    assert not counts_as_demand("outside_opening_hours", online)
    assert not counts_as_demand(None, online)
