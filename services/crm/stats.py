"""What each restaurant's visit statistics for a guest are, kept by the reservation lifecycle.

Definitions (the lifecycle and the recount use the same ones):

- a **booking** is a reservation the guest made: any reservation with a workflow
  (a waitlist offer counts once it is accepted or seated; an offer that lapsed does not);
  joining a waitlist is activity, not a booking;
- a **visit** is a *completed* reservation (not a check-in: a party seated and then
  cancelled by the restaurant did not finish its visit). Its **covers** are the party
  counted at check-in, else the booked party size; its instant is when the party sat
  (else the booked start); its **spend** is what the POS reported at completion;
- a **no-show** is a reservation marked no-show;
- a **cancellation** is one by the guest; it is **late** when it came after the
  cancellation deadline (`cancelled_within_deadline` is false).

Every counter moves by an atomic ``UPDATE ... SET x = x + n``, never read-modify-write,
so concurrent transitions cannot lose a count. Callers run inside the transition's
transaction, which holds the reservation's row lock and is a no-op when the status is
already recorded, so a retried activity never counts twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models.enums import ReservationStatus
from models.orm import Guest, GuestRelationship, Reservation
from models.orm.base import UTCDateTime
from services.crm.visibility import add_relationship_if_missing

S = ReservationStatus
R = GuestRelationship


def _later(column: InstrumentedAttribute[datetime | None], at: datetime) -> ColumnElement[Any]:
    """The column's value or `at`, whichever is later (NULL counts as earliest), in SQL."""
    value = literal(at, UTCDateTime())
    return case((column.is_(None), value), (column < value, value), else_=column)


def _earlier(column: InstrumentedAttribute[datetime | None], at: datetime) -> ColumnElement[Any]:
    value = literal(at, UTCDateTime())
    return case((column.is_(None), value), (column > value, value), else_=column)


async def _bump(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    relationship: Mapping[InstrumentedAttribute[Any], Any],
    guest: Mapping[InstrumentedAttribute[Any], Any],
) -> None:
    # updated by key below: the row need only exist, not be read
    await add_relationship_if_missing(session, guest_id=guest_id, restaurant_id=restaurant_id)
    if relationship:
        await session.execute(
            update(GuestRelationship)
            .where(GuestRelationship.guest_id == guest_id)
            .where(GuestRelationship.restaurant_id == restaurant_id)
            .values(dict(relationship))
            .execution_options(synchronize_session=False)
        )
    if guest:
        await _bump_guest(session, guest_id=guest_id, values=guest)


async def _bump_guest(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    values: Mapping[InstrumentedAttribute[Any], Any],
) -> None:
    await session.execute(
        update(Guest)
        .where(Guest.id == guest_id)
        .values(dict(values))
        .execution_options(synchronize_session=False)
    )


async def note_activity(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID, at: datetime
) -> None:
    """The guest did something at the restaurant (e.g. joined its waitlist): relationship
    and retention clock, no counter."""
    await _bump(
        session,
        guest_id=guest_id,
        restaurant_id=restaurant_id,
        relationship={},
        guest={Guest.last_activity_at: _later(Guest.last_activity_at, at)},
    )


async def note_booking(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID, at: datetime
) -> None:
    """A reservation was made: one more booking here and on the guest's global count."""
    # one statement creates the relationship or counts the booking on it
    await add_relationship_if_missing(
        session, guest_id=guest_id, restaurant_id=restaurant_id, counts={"bookings": 1}
    )
    await _bump_guest(
        session,
        guest_id=guest_id,
        values={
            Guest.total_reservations: Guest.total_reservations + 1,
            Guest.last_activity_at: _later(Guest.last_activity_at, at),
        },
    )


async def note_visit(session: AsyncSession, *, reservation: Reservation, at: datetime) -> None:
    """A reservation was completed: a visit with its covers, instant and spend."""
    covers = reservation.actual_party_size or reservation.party_size
    visited_at = reservation.seated_at or reservation.starts_at
    spend = reservation.spend_minor or 0
    await _bump(
        session,
        guest_id=reservation.guest_id,
        restaurant_id=reservation.restaurant_id,
        relationship={
            GuestRelationship.visits: GuestRelationship.visits + 1,
            GuestRelationship.covers: GuestRelationship.covers + covers,
            GuestRelationship.spend_minor: GuestRelationship.spend_minor + spend,
            R.first_visit_at: _earlier(R.first_visit_at, visited_at),
            R.last_visit_at: _later(R.last_visit_at, visited_at),
        },
        guest={
            Guest.completed_reservations: Guest.completed_reservations + 1,
            Guest.total_spend_minor: Guest.total_spend_minor + spend,
            Guest.last_activity_at: _later(Guest.last_activity_at, at),
        },
    )


async def note_no_show(session: AsyncSession, *, reservation: Reservation) -> None:
    """The party did not come."""
    await _bump(
        session,
        guest_id=reservation.guest_id,
        restaurant_id=reservation.restaurant_id,
        relationship={GuestRelationship.no_shows: GuestRelationship.no_shows + 1},
        guest={Guest.no_show_count: Guest.no_show_count + 1},
    )


async def note_guest_cancellation(
    session: AsyncSession, *, reservation: Reservation, late: bool
) -> None:
    """The guest cancelled; `late` when after the cancellation deadline."""
    values: dict[InstrumentedAttribute[Any], Any] = {
        GuestRelationship.cancellations: GuestRelationship.cancellations + 1
    }
    if late:
        values[GuestRelationship.late_cancellations] = GuestRelationship.late_cancellations + 1
    await _bump(
        session,
        guest_id=reservation.guest_id,
        restaurant_id=reservation.restaurant_id,
        relationship=values,
        guest={Guest.cancellation_count: Guest.cancellation_count + 1},
    )


# --- recount ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statistics:
    """One restaurant's statistics for one guest."""

    bookings: int = 0
    visits: int = 0
    covers: int = 0
    no_shows: int = 0
    cancellations: int = 0
    late_cancellations: int = 0
    first_visit_at: datetime | None = None
    last_visit_at: datetime | None = None
    spend_minor: int = 0


STATISTICS = tuple(f.name for f in fields(Statistics))


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A relationship whose stored statistics differ from its reservations'."""

    guest_id: uuid.UUID
    restaurant_id: uuid.UUID
    stored: Statistics
    expected: Statistics

    def describe(self) -> str:
        """One line: which counters differ, stored -> expected."""
        diffs = [
            f"{name} {getattr(self.stored, name)} -> {getattr(self.expected, name)}"
            for name in STATISTICS
            if getattr(self.stored, name) != getattr(self.expected, name)
        ]
        return f"guest {self.guest_id} at restaurant {self.restaurant_id}: " + ", ".join(diffs)


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _expected_query() -> Any:
    r = Reservation
    completed = r.status == S.COMPLETED
    visited_at = func.coalesce(r.seated_at, r.starts_at)
    return select(
        r.guest_id,
        r.restaurant_id,
        _count(r.workflow_id.is_not(None)).label("bookings"),
        _count(completed).label("visits"),
        func.coalesce(
            func.sum(case((completed, func.coalesce(r.actual_party_size, r.party_size)), else_=0)),
            0,
        ).label("covers"),
        _count(r.status == S.NO_SHOW).label("no_shows"),
        _count(r.status == S.CANCELLED_BY_GUEST).label("cancellations"),
        _count(
            and_(r.status == S.CANCELLED_BY_GUEST, r.cancelled_within_deadline.is_(False))
        ).label("late_cancellations"),
        type_coerce(func.min(case((completed, visited_at))), UTCDateTime()).label("first_visit_at"),
        type_coerce(func.max(case((completed, visited_at))), UTCDateTime()).label("last_visit_at"),
        func.coalesce(
            func.sum(case((completed, func.coalesce(r.spend_minor, 0)), else_=0)), 0
        ).label("spend_minor"),
    ).group_by(r.guest_id, r.restaurant_id)


def _statistics(row: Any) -> Statistics:
    values = {name: getattr(row, name) for name in STATISTICS}
    for name in STATISTICS:
        if name not in {"first_visit_at", "last_visit_at"}:
            values[name] = int(values[name] or 0)
    return Statistics(**values)


async def expected_statistics(
    session: AsyncSession,
) -> dict[tuple[uuid.UUID, uuid.UUID], Statistics]:
    """Every (guest, restaurant)'s statistics computed from its reservations (one GROUP BY)."""
    rows = (await session.execute(_expected_query())).all()
    return {(row.guest_id, row.restaurant_id): _statistics(row) for row in rows}


async def stored_statistics(
    session: AsyncSession,
) -> dict[tuple[uuid.UUID, uuid.UUID], Statistics]:
    """Every relationship's statistics as the lifecycle kept them."""
    columns = [getattr(GuestRelationship, name) for name in STATISTICS]
    rows = (
        await session.execute(
            select(GuestRelationship.guest_id, GuestRelationship.restaurant_id, *columns)
        )
    ).all()
    return {(row.guest_id, row.restaurant_id): _statistics(row) for row in rows}


async def mismatches(session: AsyncSession) -> list[Mismatch]:
    """The relationships whose statistics differ from their reservations', in a stable order."""
    expected = await expected_statistics(session)
    stored = await stored_statistics(session)
    found: list[Mismatch] = []
    for key in sorted(set(expected) | set(stored), key=lambda k: (str(k[0]), str(k[1]))):
        want, have = expected.get(key, Statistics()), stored.get(key, Statistics())
        if want != have:
            found.append(Mismatch(key[0], key[1], have, want))
    return found


async def recount(session: AsyncSession) -> list[Mismatch]:
    """Rewrite every mismatched relationship from its reservations; returns what it fixed.

    The global counters on the guest row are not rewritten: they also carry history
    that predates per-restaurant relationships (and merged or erased profiles).
    """
    fixed = await mismatches(session)
    for mismatch in fixed:
        await add_relationship_if_missing(
            session, guest_id=mismatch.guest_id, restaurant_id=mismatch.restaurant_id
        )
        await session.execute(
            update(GuestRelationship)
            .where(GuestRelationship.guest_id == mismatch.guest_id)
            .where(GuestRelationship.restaurant_id == mismatch.restaurant_id)
            .values({name: getattr(mismatch.expected, name) for name in STATISTICS})
            .execution_options(synchronize_session=False)
        )
    await session.flush()
    return fixed
