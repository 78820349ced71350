"""Holding, confirming, moving and releasing tables: the writes that must never double-book.

Every function runs inside the caller's open transaction and never commits.

Guards, from the outside in:

* PostgreSQL: ``pg_advisory_xact_lock`` per (restaurant, service day) serializes the
  read-check-write of holds, so pacing counts are exact; the exclusion constraint
  ``ex_table_allocations_no_overlap`` forbids overlapping blocking rows on one table
  even if every application check were wrong.  A violation is caught in a SAVEPOINT
  and answered "not available" with alternatives.
* SQLite: every transaction is ``BEGIN IMMEDIATE`` (reservations/db.py), so the
  same checks run with writes serialized.
* Expired holds are released (status ``released``) before a hold or move checks its
  window, because the exclusion constraint still sees them as ``held``.

Cache: after committing, the caller invalidates the cached availability of every
service day it changed; the reservation activities do so for the old and the new
day of each hold, move, assignment and transition (``activities/reservations.py``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus
from models.orm import ReferenceCounter, Reservation, RestaurantTable, TableAllocation
from models.schemas.booking import BookingRequest, HoldOutcome
from models.schemas.lifecycle import PartyTables
from reservations.db import upsert_insert
from rules.availability import UnavailableReason
from rules.occupancy import Booking, TableOccupancy
from rules.references import format_reference
from rules.table_fit import TableOption, TableSpec, natural_key
from services import live_events
from services.availability import (
    ALTERNATIVE_DAYS,
    DayAnswer,
    RestaurantInputs,
    StaticInputs,
    TimeAnswer,
    alternative_slots,
    answer_day,
    answer_days,
    answer_time,
    note_change,
    restaurant_inputs,
    with_day_bookings,
)
from services.errors import ConflictError, InvalidError, NotFoundError

EXCLUSION_CONSTRAINT = "ex_table_allocations_no_overlap"
# exclusion violation, and the deadlock two concurrent conflicting inserts can meet
# (each waits for the other's uncommitted row): both mean "someone else got the table"
_CONFLICT_SQLSTATES = frozenset({"23P01", "40P01"})
_NOTICE_REASONS = frozenset({UnavailableReason.TOO_SHORT_NOTICE, UnavailableReason.IN_THE_PAST})


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_key(restaurant_id: uuid.UUID, day: date) -> int:
    """The signed 64-bit advisory lock key of a (restaurant, service day)."""
    digest = hashlib.blake2b(f"{restaurant_id}:{day.isoformat()}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


async def _lock_day(session: AsyncSession, restaurant_id: uuid.UUID, day: date) -> None:
    # SQLite needs nothing here: BEGIN IMMEDIATE already holds the database write lock
    if _is_postgres(session):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(restaurant_id, day)}
        )


async def lock_restaurant_day(
    session: AsyncSession, *, restaurant_id: uuid.UUID, day: date
) -> None:
    """Take the (restaurant, service day) writer lock every hold takes, until the commit."""
    await _lock_day(session, restaurant_id, day)


async def _release_expired(
    session: AsyncSession, *, restaurant_id: uuid.UUID, day: date, now: datetime
) -> int:
    """Release this restaurant's expired holds around ``day`` (all that could overlap it)."""
    around = datetime.combine(day, time(0), UTC)
    a = TableAllocation
    result = await session.execute(
        update(a)
        .where(
            a.restaurant_id == restaurant_id,
            a.status == AllocationStatus.HELD,
            a.hold_expires_at <= now,
            a.starts_at >= around - timedelta(days=3),
            a.starts_at < around + timedelta(days=ALTERNATIVE_DAYS + 3),
        )
        .values(status=AllocationStatus.RELEASED, released_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _is_conflict(exc: DBAPIError) -> bool:
    """True when the exclusion constraint refused the row (not some other failure)."""
    seen: BaseException | None = exc.orig
    while seen is not None:
        if getattr(seen, "sqlstate", None) in _CONFLICT_SQLSTATES:
            return True
        seen = seen.__cause__
    return EXCLUSION_CONSTRAINT in str(exc)


async def _insert_rows(
    session: AsyncSession,
    *,
    reservation_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    table_ids: Sequence[str],
    starts_at: datetime,
    ends_at: datetime,
    party_size: int,
    status: AllocationStatus,
    hold_expires_at: datetime | None,
    now: datetime,
    release_first: bool = False,
) -> bool:
    """Insert one row per table; False if the database saw a conflict.

    With ``release_first`` the reservation's active rows are released in a SAVEPOINT
    with the insert, so a refused move leaves them untouched.
    """
    values = _row_values(
        reservation_id=reservation_id,
        restaurant_id=restaurant_id,
        table_ids=table_ids,
        starts_at=starts_at,
        ends_at=ends_at,
        party_size=party_size,
        status=status,
        hold_expires_at=hold_expires_at,
        now=now,
    )
    if not release_first:
        return await _insert_unless_taken(session, values)
    try:
        async with session.begin_nested():
            if release_first:
                await _release_rows(session, reservation_id=reservation_id, now=now)
            session.add_all(TableAllocation(**row) for row in values)
            await session.flush()
    except DBAPIError as exc:
        if not _is_conflict(exc):
            raise
        return False
    return True


def _row_values(
    *,
    reservation_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    table_ids: Sequence[str],
    starts_at: datetime,
    ends_at: datetime,
    party_size: int,
    status: AllocationStatus,
    hold_expires_at: datetime | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """One allocation row per table; the first carries the party's covers."""
    return [
        {
            "id": uuid.uuid4(),
            "reservation_id": reservation_id,
            "restaurant_id": restaurant_id,
            "table_id": uuid.UUID(table_id),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "covers": party_size if i == 0 else 0,
            "status": status,
            "hold_expires_at": hold_expires_at,
            "created_at": now,
        }
        for i, table_id in enumerate(table_ids)
    ]


async def _insert_unless_taken(session: AsyncSession, rows: list[dict[str, Any]]) -> bool:
    """Insert the rows, or none of them if the no-overlap constraint refuses any.

    ON CONFLICT DO NOTHING instead of a SAVEPOINT around a plain insert: two round
    trips fewer per hold. Its arbiters are all the table's constraints, the no-overlap
    exclusion among them (PostgreSQL); a row it skipped means a table was taken.
    """
    inserted = list(
        await session.scalars(
            upsert_insert(session)(TableAllocation)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(TableAllocation.id)
        )
    )
    if len(inserted) == len(rows):
        live_events.note_tables_written(
            session,
            restaurant_id=rows[0]["restaurant_id"],
            table_ids=[row["table_id"] for row in rows],
        )
        return True
    if inserted:  # a combination of which one table was taken: none of it is held
        await session.execute(delete(TableAllocation).where(TableAllocation.id.in_(inserted)))
    return False


async def _release_rows(session: AsyncSession, *, reservation_id: uuid.UUID, now: datetime) -> int:
    a = TableAllocation
    result = await session.execute(
        update(a)
        .where(a.reservation_id == reservation_id, a.status != AllocationStatus.RELEASED)
        .values(status=AllocationStatus.RELEASED, released_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _pinned_option(
    inputs: RestaurantInputs, table_ids: Sequence[uuid.UUID], party_size: int
) -> TableOption:
    """Staff-chosen tables as an option; InvalidError if they cannot seat the party."""
    by_id = {spec.id: spec for spec in inputs.tables}
    wanted = [str(t) for t in table_ids]
    if not wanted:
        raise InvalidError("give at least one table", field="table_ids")
    if len(set(wanted)) != len(wanted):
        raise InvalidError("a table is listed twice", field="table_ids")
    missing = [t for t in wanted if t not in by_id]
    if missing:
        raise InvalidError(
            f"not active tables of this restaurant: {', '.join(missing)}", field="table_ids"
        )
    specs: list[TableSpec] = sorted((by_id[t] for t in wanted), key=lambda s: natural_key(s.number))
    capacity = sum(s.max_capacity for s in specs)
    if capacity < party_size:
        raise InvalidError(
            f"these tables seat {capacity}, the party is {party_size}", field="table_ids"
        )
    areas = {s.area for s in specs}
    return TableOption(
        table_ids=tuple(s.id for s in specs),
        capacity=capacity,
        min_capacity=min(s.min_capacity for s in specs),
        area=areas.pop() if len(areas) == 1 else None,
        waste=capacity - party_size,
        numbers=tuple(s.number for s in specs),
    )


def _free(
    inputs: RestaurantInputs, option: TableOption, starts_at: datetime, ends_at: datetime
) -> bool:
    buffer = timedelta(minutes=inputs.policy.buffer_minutes)
    occupancy = TableOccupancy(inputs.bookings, buffer=buffer)
    return occupancy.all_free(option.table_ids, starts_at, ends_at + buffer)


def _still_fitting(
    inputs: RestaurantInputs,
    table_ids: Sequence[uuid.UUID],
    party_size: int,
    starts_at: datetime,
    ends_at: datetime,
) -> TableOption | None:
    """The given tables as an option, if they are active, seat the party and are free."""
    try:
        option = _pinned_option(inputs, table_ids, party_size)
    except InvalidError:
        return None  # a table was removed or no longer seats the party
    return option if _free(inputs, option, starts_at, ends_at) else None


def _staff_may_bypass(answer: TimeAnswer, inputs: RestaurantInputs, now: datetime) -> bool:
    slot = answer.slot
    if slot is None or slot.reason not in _NOTICE_REASONS:
        return False
    return slot.start_utc > now - timedelta(minutes=inputs.policy.interval_minutes)


async def table_numbers(session: AsyncSession, *, table_ids: Sequence[uuid.UUID]) -> list[str]:
    """The numbers of ``table_ids``, in the same order."""
    rows = await session.execute(
        select(RestaurantTable.id, RestaurantTable.number).where(
            RestaurantTable.id.in_(list(table_ids))
        )
    )
    numbers = {tid: number for tid, number in rows}
    return [numbers[t] for t in table_ids if t in numbers]


async def _with_later_days(
    session: AsyncSession,
    *,
    first: DayAnswer,
    restaurant_id: uuid.UUID,
    local_time: time,
    party_size: int,
    seating_area: str | None,
    staff: bool,
    features: frozenset[str],
    now: datetime,
    exclude_reservation_id: uuid.UUID | None,
    calendar_day: date | None = None,
) -> TimeAnswer:
    """The time answer with the next days' alternatives (loaded only when needed)."""
    later_first = first.day + timedelta(days=1)
    inputs = await restaurant_inputs(
        session,
        restaurant_id=restaurant_id,
        first_day=later_first,
        last_day=first.day + timedelta(days=ALTERNATIVE_DAYS),
        now=now,
        staff=True,
        exclude_reservation_id=exclude_reservation_id,
    )
    later = answer_days(
        inputs,
        first_day=later_first,
        count=ALTERNATIVE_DAYS,
        party_size=party_size,
        now=now,
        seating_area=seating_area,
        staff=staff,
        features=features,
    )
    return answer_time([first, *later], local_time=local_time, on=calendar_day)


async def _place(
    session: AsyncSession,
    *,
    reservation_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    day: date,
    local_time: time,
    party_size: int,
    seating_area: str | None,
    features: frozenset[str],
    staff: bool,
    table_ids: Sequence[uuid.UUID] | None,
    status: AllocationStatus,
    hold_expires_at: datetime | None,
    now: datetime,
    lock: bool,
    moving: bool,
    keep_table_ids: Sequence[uuid.UUID] = (),
    reference: str | None = None,
    static: StaticInputs | None = None,
    calendar_day: date | None = None,
) -> HoldOutcome:
    """Check a time and write its allocations; the shared core of hold and move.

    `day` is the service day; `calendar_day` the date of the start as the caller asked
    it (then only a slot starting at that date and time will do).

    `keep_table_ids` (a move's current tables) are kept when they are still free and
    still seat the party at the new time, rather than the engine's choice. `static`
    are the restaurant's static inputs when the caller read them in this transaction
    (only the day's bookings are read then).
    """
    if lock:
        await _lock_day(session, restaurant_id, day)
    await _release_expired(session, restaurant_id=restaurant_id, day=day, now=now)
    exclude = reservation_id if moving else None

    async def today() -> tuple[RestaurantInputs, DayAnswer]:
        if static is None:
            inputs = await restaurant_inputs(
                session,
                restaurant_id=restaurant_id,
                first_day=day,
                last_day=day,
                now=now,
                staff=staff,
                exclude_reservation_id=exclude,
            )
        elif static.is_active or staff:
            inputs = await with_day_bookings(
                session, static, first_day=day, last_day=day, now=now,
                exclude_reservation_id=exclude,
            )  # fmt: skip
        else:
            raise NotFoundError(f"restaurant {restaurant_id} not found")
        answer = answer_day(
            inputs,
            day=day,
            party_size=party_size,
            now=now,
            seating_area=seating_area,
            staff=staff,
            features=features,
        )
        return inputs, answer

    inputs, first = await today()
    answer = answer_time([first], local_time=local_time, on=calendar_day)
    if staff and _staff_may_bypass(answer, inputs, now):
        # staff book inside the minimum notice, and walk-ins into the current slot
        assert answer.slot is not None
        earlier = answer.slot.start_utc - timedelta(minutes=inputs.policy.min_notice_minutes)
        shifted = answer_day(
            inputs,
            day=day,
            party_size=party_size,
            now=min(now, earlier - timedelta(microseconds=1)),
            seating_area=seating_area,
            staff=staff,
            features=features,
        )
        answer = answer_time([shifted], local_time=local_time, on=calendar_day)
    slot, reason = answer.slot, answer.reason
    option = slot.tables if slot is not None else None
    if (
        table_ids is not None
        and slot is not None
        and reason in (None, UnavailableReason.NO_TABLE_FITS)
    ):
        # staff pinned the tables: check those instead of the engine's choice
        option = _pinned_option(inputs, table_ids, party_size)
        free = _free(inputs, option, slot.start_utc, slot.end_utc)
        reason = None if free else UnavailableReason.NO_TABLE_FITS.value
    elif keep_table_ids and slot is not None and reason is None:
        kept = _still_fitting(inputs, keep_table_ids, party_size, slot.start_utc, slot.end_utc)
        option = kept or option
    if reason is None and slot is not None and option is not None:
        written = await _insert_rows(
            session,
            reservation_id=reservation_id,
            restaurant_id=restaurant_id,
            table_ids=option.table_ids,
            starts_at=slot.start_utc,
            ends_at=slot.end_utc,
            party_size=party_size,
            status=status,
            hold_expires_at=hold_expires_at,
            now=now,
            release_first=moving,
        )
        if written:
            note_change(session, restaurant_id=restaurant_id, day=day)
            return HoldOutcome(
                held=True,
                reservation_id=reservation_id,
                reference=reference or await _reference(session, reservation_id),
                table_ids=[uuid.UUID(t) for t in option.table_ids],
                table_numbers=list(option.numbers),
                starts_at=slot.start_utc,
                ends_at=slot.end_utc,
                hold_expires_at=hold_expires_at,
            )
        # another transaction won the table (the database said so): offer what is left
        reason = UnavailableReason.NO_TABLE_FITS.value
        _, first = await today()
    full = await _with_later_days(
        session,
        first=first,
        restaurant_id=restaurant_id,
        local_time=local_time,
        party_size=party_size,
        seating_area=seating_area,
        staff=staff,
        features=features,
        now=now,
        exclude_reservation_id=exclude,
        calendar_day=calendar_day,
    )
    return HoldOutcome(
        held=False,
        reservation_id=reservation_id,
        starts_at=slot.start_utc if slot is not None else None,  # the time asked for
        reason=reason,
        alternatives=alternative_slots(full, without_requested=True),
    )


async def _reference(session: AsyncSession, reservation_id: uuid.UUID) -> str | None:
    ref: str | None = await session.scalar(
        select(Reservation.reference).where(Reservation.id == reservation_id)
    )
    return ref


async def hold_tables(
    session: AsyncSession,
    *,
    request: BookingRequest,
    now: datetime,
    lock: bool = True,
    booked: bool = False,
    inserted_reference: str | None = None,
    static: StaticInputs | None = None,
    calendar_day: date | None = None,
) -> HoldOutcome:
    """Hold tables for ``request`` until ``now + hold_minutes``, or say why not and offer others.

    ``request.date`` is the service day; ``calendar_day`` the date of the start as the
    guest asked it, when it may differ (a slot after midnight).

    The caller has inserted the Reservation row and commits afterwards.  ``lock=False``
    skips the PostgreSQL advisory lock: for race tests only.  Repeating the call for
    a reservation that already holds tables answers with those (activities retry).
    ``booked`` writes the tables as booked at once (a booking with nothing to wait
    for), as a hold followed by ``confirm_allocations`` would, in fewer statements.
    ``inserted_reference`` is the reference of a reservation the caller inserted in
    this very transaction: no tables can be held for it yet, and its reference need
    not be read back. ``static`` are the restaurant's static inputs, covering
    ``request.date``, when the caller read them in this transaction.
    """
    if request.table_ids is not None and not request.staff:
        raise InvalidError("only staff can choose tables", field="table_ids")
    if inserted_reference is None:
        existing = await _active_rows(session, request.reservation_id)
        live = [r for r in existing if r.status == AllocationStatus.BOOKED or _unexpired(r, now)]
        if live:
            return await _outcome(session, request.reservation_id, live)
    return await _place(
        session,
        reservation_id=request.reservation_id,
        restaurant_id=request.restaurant_id,
        day=request.date,
        local_time=request.time,
        party_size=request.party_size,
        seating_area=request.seating_area,
        features=frozenset(request.features),
        staff=request.staff,
        table_ids=request.table_ids if request.staff else None,
        status=AllocationStatus.BOOKED if booked else AllocationStatus.HELD,
        hold_expires_at=None if booked else now + timedelta(minutes=request.hold_minutes),
        now=now,
        lock=lock,
        moving=False,
        reference=inserted_reference,
        static=static,
        calendar_day=calendar_day,
    )


async def next_reference(session: AsyncSession, *, year: int) -> str:
    """The next booking reference of ``year`` (``RES-2026-000042``), unique under concurrency.

    The counter row stays locked until the caller's transaction ends: call this in a
    short transaction of its own so bookings are not serialized behind it.
    """
    numbers = await take_reference_numbers(session, year=year, count=1)
    return format_reference(year, numbers[0])


async def take_reference_numbers(session: AsyncSession, *, year: int, count: int) -> range:
    """The next ``count`` reference numbers of ``year``, the caller's alone.

    As `next_reference`: the counter row stays locked until the transaction ends.
    """
    # one statement: the year's first numbers create the row, later ones count on
    last = await session.scalar(
        upsert_insert(session)(ReferenceCounter)
        .values(year=year, last_number=count)
        .on_conflict_do_update(
            index_elements=["year"],
            set_={"last_number": ReferenceCounter.last_number + count},
        )
        .returning(ReferenceCounter.last_number)
        .execution_options(synchronize_session=False)
    )
    assert last is not None
    return range(last - count + 1, last + 1)


async def _reservation(
    session: AsyncSession, reservation_id: uuid.UUID
) -> tuple[uuid.UUID, date, int]:
    row = (
        await session.execute(
            select(
                Reservation.restaurant_id, Reservation.reservation_date, Reservation.party_size
            ).where(Reservation.id == reservation_id)
        )
    ).first()
    if row is None:
        raise NotFoundError(f"reservation {reservation_id} not found")
    return row[0], row[1], row[2]


@dataclass(frozen=True, slots=True)
class _Row:
    table_id: uuid.UUID
    status: AllocationStatus
    starts_at: datetime
    ends_at: datetime
    hold_expires_at: datetime | None


async def _active_rows(session: AsyncSession, reservation_id: uuid.UUID) -> list[_Row]:
    # plain rows, not ORM objects: bulk updates below would leave those stale
    a = TableAllocation
    rows = await session.execute(
        select(a.table_id, a.status, a.starts_at, a.ends_at, a.hold_expires_at)
        .where(a.reservation_id == reservation_id, a.status != AllocationStatus.RELEASED)
        .order_by(a.covers.desc(), a.table_id)
    )
    return [_Row(*row) for row in rows]


async def confirm_allocations(
    session: AsyncSession, *, reservation_id: uuid.UUID, now: datetime
) -> bool:
    """Turn the reservation's held tables into booked ones.

    False when its tables were released meanwhile, or its hold has expired (an
    expired hold is released here: it is not confirmed in time).  Idempotent.
    """
    restaurant_id, day, _ = await _reservation(session, reservation_id)
    # the same lock as holds take, so no hold can release these rows under us
    await _lock_day(session, restaurant_id, day)
    rows = await _active_rows(session, reservation_id)
    if not rows:
        return False
    a = TableAllocation
    if any(
        r.status == AllocationStatus.HELD
        and r.hold_expires_at is not None
        and r.hold_expires_at <= now
        for r in rows
    ):
        await _release_rows(session, reservation_id=reservation_id, now=now)
        note_change(session, restaurant_id=restaurant_id, day=day)
        return False
    held = sum(1 for r in rows if r.status == AllocationStatus.HELD)
    result = await session.execute(
        update(a)
        .where(a.reservation_id == reservation_id, a.status == AllocationStatus.HELD)
        .values(status=AllocationStatus.BOOKED, hold_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    note_change(session, restaurant_id=restaurant_id, day=day)
    # a row released by a neighbouring day's hold meanwhile means the hold is lost
    return int(getattr(result, "rowcount", held)) == held


async def renew_hold(
    session: AsyncSession, *, reservation_id: uuid.UUID, now: datetime, until: datetime
) -> bool:
    """Keep a live hold's tables held until ``until``; False when the hold has expired or gone.

    An accepted waitlist offer whose booking needs a payment gets a fresh hold this way.
    """
    restaurant_id, day, _ = await _reservation(session, reservation_id)
    await _lock_day(session, restaurant_id, day)
    rows = await _active_rows(session, reservation_id)
    held = [r for r in rows if r.status == AllocationStatus.HELD]
    if not held or not all(_unexpired(r, now) for r in held):
        return False
    a = TableAllocation
    await session.execute(
        update(a)
        .where(a.reservation_id == reservation_id, a.status == AllocationStatus.HELD)
        .values(hold_expires_at=until)
        .execution_options(synchronize_session=False)
    )
    note_change(session, restaurant_id=restaurant_id, day=day)
    return True


async def release_allocations(
    session: AsyncSession, *, reservation_id: uuid.UUID, now: datetime
) -> int:
    """Release the reservation's tables; returns how many rows changed (0 when repeated).

    Under the day's lock: a waitlist round holds it while it judges its entries in
    line, so a table cannot be freed half-way through and go to a later entry that
    was judged after it came free, ahead of an earlier one judged before.
    """
    restaurant_id, day, _ = await _reservation(session, reservation_id)
    await _lock_day(session, restaurant_id, day)
    count = await _release_rows(session, reservation_id=reservation_id, now=now)
    if count:
        note_change(session, restaurant_id=restaurant_id, day=day)
    return count


def _unexpired(row: _Row, now: datetime) -> bool:
    return row.hold_expires_at is not None and row.hold_expires_at > now


async def _outcome(
    session: AsyncSession, reservation_id: uuid.UUID, rows: Sequence[_Row]
) -> HoldOutcome:
    """The success answer describing rows already written."""
    numbers = await table_numbers(session, table_ids=[r.table_id for r in rows])
    return HoldOutcome(
        held=True,
        reservation_id=reservation_id,
        reference=await _reference(session, reservation_id),
        table_ids=[r.table_id for r in rows],
        table_numbers=numbers,
        starts_at=rows[0].starts_at,
        ends_at=rows[0].ends_at,
        hold_expires_at=rows[0].hold_expires_at,
    )


def _current(rows: Sequence[_Row], now: datetime) -> tuple[AllocationStatus, datetime | None]:
    """Status to keep when the allocations move; ConflictError if nothing is active."""
    if any(r.status == AllocationStatus.BOOKED for r in rows):
        return AllocationStatus.BOOKED, None
    live = [r.hold_expires_at for r in rows if r.hold_expires_at is not None and _unexpired(r, now)]
    if not live:
        raise ConflictError(
            "the reservation holds no tables (its hold expired)", field="reservation_id"
        )
    return AllocationStatus.HELD, max(live)


async def move_allocations(
    session: AsyncSession,
    *,
    reservation_id: uuid.UUID,
    day: date,
    local_time: time,
    party_size: int,
    seating_area: str | None,
    staff: bool,
    now: datetime,
    lock: bool = True,
    keep_tables: bool = False,
    calendar_day: date | None = None,
) -> HoldOutcome:
    """Move a reservation to another time or party size; nothing changes if it does not fit.

    Availability ignores the reservation's own tables; held rows keep their expiry,
    booked rows stay booked. With `keep_tables` the party stays on its current tables
    (a staff assignment survives a time change) whenever they are free at the new time.
    """
    restaurant_id, old_day, _ = await _reservation(session, reservation_id)
    rows = await _active_rows(session, reservation_id)
    status, expires = _current(rows, now)
    outcome = await _place(
        session,
        reservation_id=reservation_id,
        restaurant_id=restaurant_id,
        day=day,
        local_time=local_time,
        party_size=party_size,
        seating_area=seating_area,
        features=frozenset(),
        staff=staff,
        table_ids=None,
        status=status,
        hold_expires_at=expires,
        now=now,
        lock=lock,
        moving=True,
        keep_table_ids=[row.table_id for row in rows] if keep_tables else (),
        calendar_day=calendar_day,
    )
    if outcome.held:
        note_change(session, restaurant_id=restaurant_id, day=old_day)
    return outcome


async def assign_tables(
    session: AsyncSession,
    *,
    reservation_id: uuid.UUID,
    table_ids: Sequence[uuid.UUID],
    now: datetime,
) -> HoldOutcome:
    """Staff reassignment: put the reservation on ``table_ids`` at its current time.

    The tables must seat the party and be free (ignoring the reservation's own rows);
    otherwise ``held=False`` with reason ``no_table_fits`` and nothing changes.
    """
    restaurant_id, day, party_size = await _reservation(session, reservation_id)
    rows = await _active_rows(session, reservation_id)
    status, expires = _current(rows, now)
    starts_at, ends_at = rows[0].starts_at, rows[0].ends_at
    await _lock_day(session, restaurant_id, day)
    await _release_expired(session, restaurant_id=restaurant_id, day=day, now=now)
    inputs = await restaurant_inputs(
        session,
        restaurant_id=restaurant_id,
        first_day=day,
        last_day=day,
        now=now,
        staff=True,
        exclude_reservation_id=reservation_id,
    )
    option = _pinned_option(inputs, table_ids, party_size)
    refused = HoldOutcome(
        held=False, reservation_id=reservation_id, reason=UnavailableReason.NO_TABLE_FITS.value
    )
    if not _free(inputs, option, starts_at, ends_at):
        return refused
    written = await _insert_rows(
        session,
        reservation_id=reservation_id,
        restaurant_id=restaurant_id,
        table_ids=option.table_ids,
        starts_at=starts_at,
        ends_at=ends_at,
        party_size=party_size,
        status=status,
        hold_expires_at=expires,
        now=now,
        release_first=True,
    )
    if not written:
        return refused
    note_change(session, restaurant_id=restaurant_id, day=day)
    return HoldOutcome(
        held=True,
        reservation_id=reservation_id,
        reference=await _reference(session, reservation_id),
        table_ids=[uuid.UUID(t) for t in option.table_ids],
        table_numbers=list(option.numbers),
        starts_at=starts_at,
        ends_at=ends_at,
        hold_expires_at=expires,
    )


class _ExchangeRefused(Exception):
    """Rolls the exchange's SAVEPOINT back: a new table is not free."""


async def exchange_tables(
    session: AsyncSession, *, parties: Sequence[PartyTables], now: datetime
) -> dict[uuid.UUID, HoldOutcome] | None:
    """Parties change tables at once: all leave their tables, then all take the new ones.

    For what no single move can do, two parties swapping tables (or a ring of them).
    Each party must still sit on exactly its ``from_table_ids``, at its current time;
    the new tables must seat it and be free of everyone else and of each other.
    Otherwise None and nothing changes.  References are left for the caller.
    """
    ids = [p.reservation_id for p in parties]
    if len(set(ids)) != len(ids):
        raise InvalidError("a party is listed twice", field="parties")
    reservations = [await _reservation(session, rid) for rid in ids]
    restaurant_id = reservations[0][0]
    if any(r[0] != restaurant_id for r in reservations):
        raise InvalidError("the parties are at different restaurants", field="parties")
    days = sorted({r[1] for r in reservations})
    for day in days:
        await _lock_day(session, restaurant_id, day)
        await _release_expired(session, restaurant_id=restaurant_id, day=day, now=now)
    current = [await _active_rows(session, rid) for rid in ids]
    if any(
        not rows or {r.table_id for r in rows} != set(party.from_table_ids)
        for party, rows in zip(parties, current, strict=True)
    ):
        return None  # someone moved, left or lost a hold since the plan was made
    outcomes: dict[uuid.UUID, HoldOutcome] = {}
    try:
        async with session.begin_nested():
            for rid in ids:
                await _release_rows(session, reservation_id=rid, now=now)
            # read after the release: the parties' own rows no longer block anything
            inputs = await restaurant_inputs(
                session,
                restaurant_id=restaurant_id,
                first_day=days[0],
                last_day=days[-1],
                now=now,
                staff=True,
            )
            values: list[dict[str, Any]] = []
            for party, rows, (_, _, size) in zip(parties, current, reservations, strict=True):
                option = _pinned_option(inputs, party.to_table_ids, size)
                starts_at, ends_at = rows[0].starts_at, rows[0].ends_at
                if not _free(inputs, option, starts_at, ends_at):
                    raise _ExchangeRefused
                status, expires = _current(rows, now)
                values += _row_values(
                    reservation_id=party.reservation_id,
                    restaurant_id=restaurant_id,
                    table_ids=option.table_ids,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    party_size=size,
                    status=status,
                    hold_expires_at=expires,
                    now=now,
                )
                # the next party must not land on this one's new tables either
                placed = Booking(option.table_ids, starts_at, ends_at, size)
                inputs = replace(inputs, bookings=(*inputs.bookings, placed))
                outcomes[party.reservation_id] = HoldOutcome(
                    held=True,
                    reservation_id=party.reservation_id,
                    table_ids=[uuid.UUID(t) for t in option.table_ids],
                    table_numbers=list(option.numbers),
                    starts_at=starts_at,
                    ends_at=ends_at,
                    hold_expires_at=expires,
                )
            if not await _insert_unless_taken(session, values):
                raise _ExchangeRefused
    except _ExchangeRefused:
        return None
    for day in days:
        note_change(session, restaurant_id=restaurant_id, day=day)
    return outcomes
