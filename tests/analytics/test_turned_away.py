"""Demand turned away as full, over HTTP, equals a plain-Python oracle's count of the
recorded requests, on PostgreSQL and on SQLite (hypothesis; a new restaurant per example)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.enums import ReservationSource, StaffRole
from models.orm import Guest
from tests.analytics.helpers import get, same
from tests.analytics.history import FROM, TO, TZ, a_restaurant
from tests.conftest import Api, Database
from tests.demand import add_request

CHANNELS = [ReservationSource.ONLINE, ReservationSource.GOOGLE, ReservationSource.PHONE]


@dataclass(frozen=True)
class Asked:
    day: date
    at: time
    party: int
    channel: ReservationSource
    elsewhere: bool  # at another restaurant
    booked_later: bool  # refused, then booked under the same id (a retried key)


asked = st.builds(
    Asked,
    # the range's edges, inside it and just outside
    day=st.sampled_from(
        [FROM - timedelta(days=1), FROM, FROM + timedelta(days=3), TO, TO + timedelta(days=1)]
    ),
    at=st.sampled_from([time(12), time(19), time(19, 30), time(0, 30)]),
    party=st.integers(1, 12),
    channel=st.sampled_from(CHANNELS),
    elsewhere=st.booleans(),
    booked_later=st.booleans(),
)


async def write_turned_away(
    db: Database, rows: list[Asked], here: uuid.UUID, there: uuid.UUID
) -> None:
    """The requests as the booking paths record them (and the later bookings)."""
    async with db.sessions() as session:
        guest = Guest(email=f"t-{uuid.uuid4().hex[:8]}@example.com", first_name="T")
        session.add(guest)
        await session.flush()
        for a in rows:
            starts_at = datetime.combine(a.day, a.at, tzinfo=ZoneInfo(TZ)).astimezone(UTC)
            add_request(
                session,
                restaurant_id=there if a.elsewhere else here,
                guest_id=guest.id,
                day=a.day,
                at=a.at,
                starts_at=starts_at,
                party=a.party,
                asked_at=starts_at - timedelta(days=2),
                source=a.channel,
                turned_away=True,
                booked=a.booked_later,
            )
        await session.commit()


def oracle(rows: list[Asked]) -> dict[str, Any]:
    """The report read straight from the rows."""
    mine = [a for a in rows if not a.elsewhere and not a.booked_later and FROM <= a.day <= TO]

    def grouped(key: Any) -> list[tuple[Any, int, int]]:
        requests: Counter[Any] = Counter()
        covers: Counter[Any] = Counter()
        for a in mine:
            requests[key(a)] += 1
            covers[key(a)] += a.party
        return [(k, requests[k], covers[k]) for k in sorted(requests)]

    return {
        "total": {"requests": len(mine), "covers": sum(a.party for a in mine)},
        "days": [
            {"day": d.isoformat(), "requests": n, "covers": c}
            for d, n, c in grouped(lambda a: a.day)
        ],
        "channels": [
            {"channel": ch, "requests": n, "covers": c}
            for ch, n, c in grouped(lambda a: a.channel.value)
        ],
        "cells": [
            {"weekday": w, "time": t.isoformat(), "requests": n, "covers": c}
            for (w, t), n, c in grouped(lambda a: (a.day.weekday(), a.at))
        ],
    }


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(asked, max_size=20))
async def test_turned_away_figures_match_the_oracle(api: Api, rows: list[Asked]) -> None:
    here, there = await a_restaurant(api.db), await a_restaurant(api.db)
    await write_turned_away(api.db, rows, here, there)
    manager = await api.token_for(StaffRole.MANAGER, [here])
    answer = await get(api, here, "turned-away", manager, FROM, TO)
    same(answer, oracle(rows))
    assert answer["range"]["days"] == (TO - FROM).days + 1
