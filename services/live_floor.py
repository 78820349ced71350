"""The live floor: what is happening at every table of a restaurant at one instant.

A table's status, first match wins:

1. ``seated``: a party checked in on it (from check-in, which may come hours before
   the booking's start, until the party completes; for a future instant, until the
   booking's planned end; a booking that started more than a day before is taken as
   forgotten). Nothing overrides a party.
2. ``cleaning`` / ``blocked``: the manual mark a host set (or ``cleaning``, which a
   completed party leaves behind), until a host marks the table ``free``.
3. ``blocked``: an inactive table (listed, never hidden), with ``set_by_staff`` false.
4. ``booked``: a booked allocation (confirmed, or awaiting the restaurant's manual
   confirmation) overlapping the turn window ``[at, at + turn)``, where the turn is the
   restaurant's default seating minutes; a late party whose slot is under way counts.
5. ``held``: an unexpired hold (a booking waiting for its deposit, a waitlist offer)
   overlapping the same window.
6. ``free``.

Manual marks are a fact for hosts on the floor only: availability never reads them.
Checking a party in clears the mark of its tables; completing it marks them
``cleaning`` (unless a host blocked them), for a host to mark ``free`` again.

Every status comes from one query over the day's allocations and their reservations,
beside the restaurant, its plans, areas and tables: never a query per table.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus, ReservationStatus, TableLiveStatus
from models.orm import FloorPlan, Guest, Reservation, RestaurantTable, SeatingArea, TableAllocation
from models.schemas.live_floor import (
    LiveFloor,
    LiveFloorPlan,
    LiveReservation,
    LiveSeatingArea,
    LiveTable,
    TableState,
)
from rules.state_machine import EARLIEST_CHECK_IN
from services.errors import NotFoundError
from services.restaurants import get_restaurant

# reservations whose tables the floor shows (the others have released them)
ON_THE_FLOOR = (
    ReservationStatus.HELD,
    ReservationStatus.PENDING_CONFIRMATION,
    ReservationStatus.CONFIRMED,
    ReservationStatus.SEATED,
)


# a party checked in (or a booking starting) this long before the instant is left out:
# nobody is still at the table, someone forgot to complete it
FORGOTTEN_AFTER = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Booking:
    """One allocation of one table, with the reservation it belongs to."""

    table_id: uuid.UUID
    allocation: AllocationStatus
    hold_expires_at: datetime | None
    starts_at: datetime
    ends_at: datetime
    reservation: LiveReservation
    created_at: datetime
    seated_at: datetime | None
    duration_minutes: int


def _end_of_local_day(at: datetime, zone: ZoneInfo) -> datetime:
    local_day = at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(local_day, time(0), tzinfo=zone)


async def _bookings(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    at: datetime,
    until: datetime,
    table_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[_Booking]]:
    """The allocations that can matter at ``at``, per table, in one query."""
    query = (
        select(
            TableAllocation.table_id,
            TableAllocation.status,
            TableAllocation.hold_expires_at,
            TableAllocation.starts_at,
            TableAllocation.ends_at,
            Reservation.id,
            Reservation.reference,
            Reservation.party_size,
            Reservation.starts_at,
            Reservation.ends_at,
            Reservation.status,
            Reservation.created_at,
            Reservation.seated_at,
            Reservation.duration_minutes,
            Guest.first_name,
            Guest.last_name,
        )
        .join(Reservation, Reservation.id == TableAllocation.reservation_id)
        .join(Guest, Guest.id == Reservation.guest_id)
        .where(
            TableAllocation.restaurant_id == restaurant_id,
            TableAllocation.status != AllocationStatus.RELEASED,
            Reservation.status.in_(ON_THE_FLOOR),
            or_(
                TableAllocation.starts_at < until,
                # a party checked in early for a later slot (after midnight, say) sits there now
                and_(
                    Reservation.status == ReservationStatus.SEATED,
                    TableAllocation.starts_at < at + EARLIEST_CHECK_IN,
                ),
            ),
            # bounded on both sides, so the index range stays a day or two wide and bookings
            # nobody closed long ago are not read at every call
            TableAllocation.starts_at > at - FORGOTTEN_AFTER,
            TableAllocation.starts_at < max(until, at + EARLIEST_CHECK_IN),
            # a seated party that overstays its slot is still at the table
            or_(TableAllocation.ends_at > at, Reservation.status == ReservationStatus.SEATED),
        )
        .order_by(TableAllocation.starts_at)
    )
    if table_id is not None:
        query = query.where(TableAllocation.table_id == table_id)
    found: dict[uuid.UUID, list[_Booking]] = defaultdict(list)
    for row in await session.execute(query):
        (tid, allocation, expires, a_start, a_end, rid, reference, party, r_start, r_end) = row[:10]
        status, created, seated, duration, first, last = row[10:]
        found[tid].append(
            _Booking(
                table_id=tid,
                allocation=allocation,
                hold_expires_at=expires,
                starts_at=a_start,
                ends_at=a_end,
                reservation=LiveReservation(
                    id=rid,
                    reference=reference,
                    guest_name=" ".join(part for part in (first, last) if part),
                    party_size=party,
                    starts_at=r_start,
                    ends_at=r_end,
                    status=status,
                ),
                created_at=created,
                seated_at=seated,
                duration_minutes=duration,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class _Window:
    at: datetime
    now: datetime
    turn: timedelta
    day_end: datetime

    def seats(self, booking: _Booking) -> bool:
        """The party sits at the table at ``at``."""
        if booking.reservation.status is not ReservationStatus.SEATED:
            return False
        since = booking.seated_at or booking.starts_at
        # up to now a seated party is there; for a later instant, until its planned end
        return since <= self.at and (self.at <= self.now or self.at < booking.ends_at)

    def live(self, booking: _Booking) -> bool:
        """A booking that still claims the table (a hold not yet expired)."""
        if booking.reservation.status is ReservationStatus.SEATED:
            return False
        if booking.allocation is AllocationStatus.HELD:
            return booking.hold_expires_at is None or booking.hold_expires_at > self.now
        return True

    def claims(self, booking: _Booking) -> bool:
        """The booking overlaps the turn window after ``at``."""
        return (
            self.live(booking)
            and booking.starts_at < self.at + self.turn
            and booking.ends_at > self.at
        )

    def later(self, booking: _Booking) -> bool:
        """The booking starts after ``at``, the same local day."""
        return self.live(booking) and self.at < booking.starts_at < self.day_end


def _manual(table: RestaurantTable) -> TableState | None:
    if table.live_status in {TableLiveStatus.CLEANING, TableLiveStatus.BLOCKED}:
        return "cleaning" if table.live_status is TableLiveStatus.CLEANING else "blocked"
    return None


def live_table(table: RestaurantTable, bookings: list[_Booking], window: _Window) -> LiveTable:
    """One table's state at the window's instant (the module's precedence)."""
    seated = next((b for b in bookings if window.seats(b)), None)
    claiming = sorted(
        (b for b in bookings if window.claims(b)),
        key=lambda b: (b.starts_at, b.allocation is not AllocationStatus.BOOKED),
    )
    current = claiming[0] if claiming else None
    behind = seated or current
    upcoming = next(
        (
            b
            for b in bookings
            if window.later(b) and (behind is None or b.reservation.id != behind.reservation.id)
        ),
        None,
    )
    state: TableState = "free"
    since = table.live_status_at
    note = table.live_status_note
    by_staff = table.live_status_by_staff and table.live_status is not None
    reservation: LiveReservation | None = None
    minutes_seated: int | None = None
    expected_end: datetime | None = None
    if seated is not None:
        state, reservation, note, by_staff = "seated", seated.reservation, None, False
        since = seated.seated_at or seated.starts_at
        minutes_seated = max(0, int((window.at - since).total_seconds() // 60))
        expected_end = since + timedelta(minutes=seated.duration_minutes)
    elif (manual := _manual(table)) is not None:
        state = manual
    elif not table.is_active:
        state, since, note, by_staff = "blocked", None, None, False
    elif current is not None:
        state = "booked" if current.allocation is AllocationStatus.BOOKED else "held"
        reservation, since, note, by_staff = current.reservation, current.created_at, None, False
    return LiveTable(
        id=table.id,
        number=table.number,
        name=table.name,
        seating_area_id=table.seating_area_id,
        floor_plan_id=table.floor_plan_id,
        min_capacity=table.min_capacity,
        max_capacity=table.max_capacity,
        table_type=table.table_type,
        x=table.x,
        y=table.y,
        width=table.width,
        height=table.height,
        rotation=table.rotation,
        is_active=table.is_active,
        status=state,
        status_since=since,
        status_note=note,
        set_by_staff=by_staff,
        reservation=reservation,
        minutes_seated=minutes_seated,
        expected_end=expected_end,
        next_reservation=upcoming.reservation if upcoming else None,
    )


async def _window(
    session: AsyncSession, *, restaurant_id: uuid.UUID, at: datetime, now: datetime
) -> tuple[_Window, str]:
    restaurant = await get_restaurant(session, restaurant_id=restaurant_id)
    zone = ZoneInfo(restaurant.timezone)
    turn = timedelta(minutes=restaurant.default_seating_minutes)
    window = _Window(at=at, now=now, turn=turn, day_end=_end_of_local_day(at, zone))
    return window, restaurant.timezone


async def live_floor(
    session: AsyncSession, *, restaurant_id: uuid.UUID, at: datetime, now: datetime
) -> LiveFloor:
    """Every table of the restaurant (inactive ones as blocked) with its state at ``at``."""
    window, timezone = await _window(session, restaurant_id=restaurant_id, at=at, now=now)
    plans = await session.scalars(
        select(FloorPlan).where(FloorPlan.restaurant_id == restaurant_id).order_by(FloorPlan.name)
    )
    areas = await session.scalars(
        select(SeatingArea)
        .where(SeatingArea.restaurant_id == restaurant_id)
        .order_by(SeatingArea.name)
    )
    tables = await session.scalars(
        select(RestaurantTable)
        .where(RestaurantTable.restaurant_id == restaurant_id)
        .order_by(func.length(RestaurantTable.number), RestaurantTable.number)
    )
    bookings = await _bookings(
        session, restaurant_id=restaurant_id, at=at, until=max(window.day_end, at + window.turn)
    )
    return LiveFloor(
        restaurant_id=restaurant_id,
        timezone=timezone,
        at=at,
        turn_minutes=int(window.turn.total_seconds() // 60),
        floor_plans=[
            LiveFloorPlan(
                id=p.id, name=p.name, width=p.width, height=p.height, is_active=p.is_active
            )
            for p in plans
        ],
        seating_areas=[
            LiveSeatingArea(id=a.id, name=a.name, floor_plan_id=a.floor_plan_id) for a in areas
        ],
        tables=[live_table(t, bookings.get(t.id, []), window) for t in tables],
    )


async def table_now(session: AsyncSession, *, table: RestaurantTable, now: datetime) -> LiveTable:
    """One table's live state now."""
    window, _ = await _window(session, restaurant_id=table.restaurant_id, at=now, now=now)
    bookings = await _bookings(
        session,
        restaurant_id=table.restaurant_id,
        at=now,
        until=max(window.day_end, now + window.turn),
        table_id=table.id,
    )
    return live_table(table, bookings.get(table.id, []), window)


async def find_table(session: AsyncSession, *, table_id: uuid.UUID) -> RestaurantTable:
    """The table with this id in any restaurant (callers check who may see it)."""
    table = await session.get(RestaurantTable, table_id)
    if table is None:
        raise NotFoundError(f"table {table_id} not found")
    return table


def mark_table(
    table: RestaurantTable, *, status: TableLiveStatus, note: str | None, now: datetime
) -> None:
    """A host's mark: free clears cleaning or blocked; the note goes with the mark."""
    table.live_status = status
    table.live_status_note = note
    table.live_status_at = now
    table.live_status_by_staff = True


async def _tables_of(session: AsyncSession, reservation_id: uuid.UUID) -> list[RestaurantTable]:
    held = select(TableAllocation.table_id).where(
        TableAllocation.reservation_id == reservation_id,
        TableAllocation.status != AllocationStatus.RELEASED,
    )
    return list(await session.scalars(select(RestaurantTable).where(RestaurantTable.id.in_(held))))


async def party_seated(session: AsyncSession, *, reservation_id: uuid.UUID) -> None:
    """A party sat down: its tables were evidently ready, so their marks are cleared."""
    for table in await _tables_of(session, reservation_id):
        if table.live_status is not None:
            table.live_status = None
            table.live_status_note = None
            table.live_status_at = None
            table.live_status_by_staff = False


async def party_left(session: AsyncSession, *, reservation_id: uuid.UUID, at: datetime) -> None:
    """A party completed: its tables need cleaning (a host's block stays). Call before the
    allocations are released."""
    for table in await _tables_of(session, reservation_id):
        if table.live_status is not TableLiveStatus.BLOCKED:
            table.live_status = TableLiveStatus.CLEANING
            table.live_status_note = None
            table.live_status_at = at
            table.live_status_by_staff = False
