"""Walk-in quotes from the live timeline: how long until a fitting table is free.

Seated parties leave at their check-in plus the turn time for their party size
(an overdue party is taken to leave now); booked and held parties block their
tables for their booking; the party needs a table (or combination) that seats it
for its own turn time. Parties already queued at the door for today come first: in
queue order, each is given the earliest fit left for it (its tables busy for its turn
time from then), and the new party's quote is what remains. The quote is recorded
on the entry (`quoted_wait_minutes`, `quoted_at`) and the seat time (`seated_at`)
when it sits, so the error can be measured. The quote looks `QUOTE_HORIZON` ahead,
past midnight when the evening runs late, so it reads the next calendar day's
bookings too.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationStatus, WaitlistStatus
from models.orm import Reservation, WaitlistEntry
from models.schemas.waitlist import WaitlistKind, WaitQuote
from rules.turn_time import turn_time_minutes
from rules.wait_quotes import Busy, Fit, earliest_fit
from services.availability import restaurant_inputs, timeline

# a walk-in waits for tonight's tables, not tomorrow's: the quote looks this far ahead
QUOTE_HORIZON = timedelta(hours=8)


async def quote_wait(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    party_size: int,
    timezone: str,
    now: datetime,
    seating_area: str | None = None,
) -> WaitQuote:
    """The wait for a party arriving now (null minutes: no fitting table frees up
    within `QUOTE_HORIZON`)."""
    zone = ZoneInfo(timezone)
    day = now.astimezone(zone).date()
    until = now + QUOTE_HORIZON
    live_days = [await timeline(session, restaurant_id=restaurant_id, day=day, now=now)]
    if until.astimezone(zone).date() > day:
        live_days.append(
            await timeline(
                session, restaurant_id=restaurant_id, day=day + timedelta(days=1), now=now
            )
        )
    live_tables = [t for live in live_days for t in live.tables]
    inputs = await restaurant_inputs(
        session, restaurant_id=restaurant_id, first_day=day, last_day=day, now=now, staff=True
    )
    policy = inputs.policy
    seated_ids = {
        e.reservation_id
        for t in live_tables
        for e in t.entries
        if e.reservation_status is ReservationStatus.SEATED
    }
    seated_at: dict[uuid.UUID, tuple[datetime | None, int]] = {}
    if seated_ids:
        rows = await session.execute(
            select(
                Reservation.id,
                Reservation.seated_at,
                Reservation.actual_party_size,
                Reservation.party_size,
            ).where(Reservation.id.in_(seated_ids))
        )
        seated_at = {rid: (at, actual or size) for rid, at, actual, size in rows}
    busy: dict[str, list[Busy]] = defaultdict(list)
    for table in live_tables:
        for e in table.entries:
            start, end = e.starts_at, e.ends_at
            if e.reservation_id in seated_at:
                checked_in, size = seated_at[e.reservation_id]
                turn = turn_time_minutes(size, policy.turn_times, policy.default_turn_minutes)
                start = checked_in or e.starts_at
                # a party past its turn time is taken to be leaving now
                end = max(start + timedelta(minutes=turn), now)
            busy[str(table.table_id)].append(Busy(start, end))

    def first_fit(size: int, area: str | None) -> tuple[Fit | None, int]:
        """The earliest table for a party of ``size`` on the tables as now taken, and its stay."""
        stay = turn_time_minutes(size, policy.turn_times, policy.default_turn_minutes)
        found = earliest_fit(
            party_size=size,
            tables=inputs.tables,
            busy=busy,
            turn_minutes=stay,
            now=now,
            until=until,
            seating_area=area,
        )
        return found, stay

    ahead = await _queued_ahead(session, restaurant_id=restaurant_id, day=day)
    for size, area in ahead:
        # the first in line takes the first fitting table; the next one what is left
        taken, stay = first_fit(size, area)
        if taken is not None:
            for table_id in taken.option.table_ids:
                busy[table_id].append(Busy(taken.at, taken.at + timedelta(minutes=stay)))
    fit, _ = first_fit(party_size, seating_area)
    if fit is None:
        return WaitQuote(party_size=party_size, wait_minutes=None, parties_ahead=len(ahead))
    minutes = math.ceil((fit.at - now).total_seconds() / 60)
    return WaitQuote(
        party_size=party_size,
        wait_minutes=minutes,
        table_numbers=list(fit.option.numbers),
        at=fit.at,
        parties_ahead=len(ahead),
    )


async def _queued_ahead(
    session: AsyncSession, *, restaurant_id: uuid.UUID, day: date
) -> list[tuple[int, str | None]]:
    """Party size and seating area of each party waiting at the door today, in line order."""
    rows = await session.execute(
        select(WaitlistEntry.party_size, WaitlistEntry.seating_area)
        .where(
            WaitlistEntry.restaurant_id == restaurant_id,
            WaitlistEntry.kind == WaitlistKind.WALK_IN.value,
            WaitlistEntry.desired_date == day,
            WaitlistEntry.status == WaitlistStatus.WAITING,
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    return [(size, area) for size, area in rows]
