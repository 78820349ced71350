"""Availability: load a restaurant's rules inputs from the database and answer with the engine.

The rules package decides; this module only gathers its inputs (services, special
days, policy, tables, active bookings) in a few queries and shapes the answers.

Active bookings are allocation rows that are ``booked``, or ``held`` with
``hold_expires_at > now``: an expired hold never blocks, released or not.

Caching (``cached_*``): a day's answer is stored under a key holding a version
counter per (restaurant, service day).  Writers bump it with ``invalidate_day``
*after* they commit; a reader reads the version *before* it queries, so an answer
computed from pre-commit data lands under the old version and is never served
again.  Entries live ``CACHE_TTL_SECONDS`` so a bump missed while Redis was down
heals quickly.  Answers depend on ``now`` (past slots, minimum notice), so keys
are bucketed by the minute: slot boundaries are whole minutes, so every ``now``
within one minute gives the same answer.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Select, String, Text, and_, cast, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus, ReservationStatus
from models.orm import PartySizeOverride as OverrideRow
from models.orm import (
    Reservation,
    Restaurant,
    RestaurantTable,
    SeatingArea,
    ServicePeriod,
    TableAllocation,
)
from models.orm import SpecialDay as SpecialDayRow
from reservations.cache import Cache
from rules.alternatives import nearest_alternatives
from rules.availability import (
    BookingPolicy,
    PartySizeOverride,
    SlotAvailability,
    UnavailableReason,
    day_availability,
    day_closed_reason,
    nearest_available,
)
from rules.occupancy import Booking
from rules.opening_hours import ServiceHours, SpecialDay
from rules.pacing import PacingLimits
from rules.table_fit import TableOption, TableSpec, natural_key
from rules.turn_time import TurnTimeRule
from services.errors import NotFoundError
from services.restaurants import RestaurantFilters, filtered_restaurants

NOT_ACCEPTING = "not_accepting_reservations"  # closed reason when online booking is off
ALTERNATIVE_WINDOW_MINUTES = 90
ALTERNATIVE_DAYS = 3
CACHE_TTL_SECONDS = 30
_CHANGES_KEY = "availability.changed_days"

RestaurantIds = Sequence[uuid.UUID] | Select[uuid.UUID]


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class RestaurantInputs:
    """Everything the rules need for one restaurant over a range of service days."""

    restaurant_id: uuid.UUID
    name: str
    timezone: str
    is_active: bool
    accepts_reservations: bool
    services: tuple[ServiceHours, ...]
    special_days: tuple[tuple[date, date, SpecialDay], ...]
    policy: BookingPolicy
    tables: tuple[TableSpec, ...]
    bookings: tuple[Booking, ...]

    def special_day(self, day: date) -> SpecialDay | None:
        """The special day covering ``day``, if any."""
        for starts, ends, special in self.special_days:
            if starts <= day <= ends:
                return special
        return None


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0)).replace(tzinfo=zone).astimezone(UTC)


def booking_window(
    first_day: date, last_day: date, timezones: Iterable[str]
) -> tuple[datetime, datetime]:
    """UTC instants bounding every booking that can matter for these service days.

    From local midnight before ``first_day`` (overnight stays of the previous day's
    service) to local midnight two days after ``last_day`` (this day's overnight
    slots and their turn time).
    """
    zones = [ZoneInfo(tz) for tz in set(timezones)] or [ZoneInfo("UTC")]
    start = min(_local_midnight(first_day - timedelta(days=1), z) for z in zones)
    end = max(_local_midnight(last_day + timedelta(days=2), z) for z in zones)
    return start, end


def _uuid_text(session: AsyncSession, column: Any) -> Any:
    """A UUID column as text on PostgreSQL (skips building uuid.UUID objects per row).

    SQLite stores UUIDs as undashed hex, so there the column stays as it is and
    ``str()`` of the loaded UUID gives the same dashed form.
    """
    return cast(column, String) if session.get_bind().dialect.name == "postgresql" else column


def _instant(session: AsyncSession, column: Any) -> Any:
    """A UTC timestamp column, read without the re-attaching TypeDecorator on PostgreSQL.

    asyncpg already returns aware UTC datetimes there; SQLite's naive values still
    go through the column type, which attaches UTC.
    """
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(column, DateTime(timezone=True))
    return column


def _json_list(raw: Any) -> list[Any]:
    # JSON selected as text: most lists are empty, and skipping json.loads for them is cheap
    if raw is None or raw == "[]":
        return []
    return list(json.loads(raw)) if isinstance(raw, str) else list(raw)


def _parse_time(value: Any) -> time | None:
    if value is None or isinstance(value, time):
        return value
    return time.fromisoformat(str(value))


def _custom_services(rows: list[dict[str, Any]]) -> tuple[ServiceHours, ...]:
    services = []
    for row in rows:
        opens, closes = _parse_time(row["opens_at"]), _parse_time(row["closes_at"])
        assert opens is not None and closes is not None
        services.append(
            ServiceHours(
                name=str(row.get("name") or "service"),
                weekday=0,  # ignored for custom hours
                opens=opens,
                closes=closes,
                last_seating=_parse_time(row.get("last_seating_at")),
            )
        )
    return tuple(services)


_TableRow = tuple[Any, ...]  # restaurant id, id, number, min, max, area, features, ...
_TABLE_SPECS: dict[_TableRow, TableSpec] = {}
_TABLE_SPECS_MAX = 100_000


def _table_spec(row: _TableRow) -> TableSpec:
    """The TableSpec of a loaded table row, shared by every load that sees the same row.

    The key is the whole row and TableSpec is immutable, so a shared spec is never
    stale; sharing saves rebuilding it and lets the engine's memo of table options
    match floors by identity.
    """
    spec = _TABLE_SPECS.get(row)
    if spec is None:
        if len(_TABLE_SPECS) >= _TABLE_SPECS_MAX:
            _TABLE_SPECS.clear()
        _rid, tid, number, low, high, area, feats, prio, online, combos, combined = row
        spec = TableSpec(
            id=str(tid),
            number=number,
            min_capacity=low,
            max_capacity=high,
            area=area,
            features=frozenset(_json_list(feats)),
            priority=prio,
            online_bookable=online,
            combinable_with=frozenset(str(c) for c in _json_list(combos)),
            combined_max_capacity=combined,
        )
        _TABLE_SPECS[row] = spec
    return spec


async def load_inputs(
    session: AsyncSession,
    *,
    restaurant_ids: RestaurantIds,
    first_day: date,
    last_day: date,
    now: datetime,
    exclude_reservation_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, RestaurantInputs]:
    """Rules inputs for many restaurants in six queries (no per-restaurant queries).

    ``restaurant_ids`` is a list or a SELECT of ids (e.g. a filtered list).  Bookings
    of ``exclude_reservation_id`` are left out (a reservation being moved).
    """
    ids = list(restaurant_ids) if isinstance(restaurant_ids, Sequence) else restaurant_ids
    r = Restaurant
    restaurant_rows = (
        await session.execute(
            select(
                r.id,
                r.name,
                r.timezone,
                r.is_active,
                r.accepts_reservations,
                r.slot_interval_minutes,
                r.min_party_size,
                r.max_party_size,
                r.advance_booking_days,
                r.min_notice_minutes,
                r.default_seating_minutes,
                r.turn_times,
                r.buffer_minutes,
                r.pacing_max_covers,
                r.pacing_max_parties,
                r.pacing_window_minutes,
            ).where(r.id.in_(ids))
        )
    ).all()
    if not restaurant_rows:
        return {}
    weekdays = {
        (first_day + timedelta(days=i)).weekday() for i in range((last_day - first_day).days + 1)
    }

    services: dict[uuid.UUID, list[ServiceHours]] = defaultdict(list)
    service_rows = await session.execute(
        select(
            ServicePeriod.restaurant_id,
            ServicePeriod.name,
            ServicePeriod.weekday,
            ServicePeriod.opens_at,
            ServicePeriod.closes_at,
            ServicePeriod.last_seating_at,
        )
        .where(ServicePeriod.restaurant_id.in_(ids), ServicePeriod.weekday.in_(weekdays))
        .order_by(ServicePeriod.restaurant_id, ServicePeriod.weekday, ServicePeriod.opens_at)
    )
    for rid, name, weekday, opens, closes, last in service_rows:
        services[rid].append(ServiceHours(name, weekday, opens, closes, last))

    specials: dict[uuid.UUID, list[tuple[date, date, SpecialDay]]] = defaultdict(list)
    special_rows = await session.execute(
        select(
            SpecialDayRow.restaurant_id,
            SpecialDayRow.starts_on,
            SpecialDayRow.ends_on,
            SpecialDayRow.kind,
            SpecialDayRow.note,
            SpecialDayRow.custom_services,
        ).where(
            SpecialDayRow.restaurant_id.in_(ids),
            SpecialDayRow.starts_on <= last_day,
            SpecialDayRow.ends_on >= first_day,
        )
    )
    for rid, starts, ends, kind, note, custom in special_rows:
        special = SpecialDay(kind=kind.value, services=_custom_services(custom), note=note or "")
        specials[rid].append((starts, ends, special))

    overrides: dict[uuid.UUID, list[PartySizeOverride]] = defaultdict(list)
    override_rows = await session.execute(
        select(
            OverrideRow.restaurant_id,
            OverrideRow.day,
            OverrideRow.starts_at,
            OverrideRow.ends_at,
            OverrideRow.max_party_size,
            OverrideRow.min_party_size,
        ).where(
            OverrideRow.restaurant_id.in_(ids),
            OverrideRow.day >= first_day,
            OverrideRow.day <= last_day + timedelta(days=1),  # overnight slots
        )
    )
    for rid, day, start, end, high, low in override_rows:
        overrides[rid].append(PartySizeOverride(day, start, end, high, low))

    tables: dict[uuid.UUID, list[TableSpec]] = defaultdict(list)
    t = RestaurantTable
    by_text = {str(row[0]): row[0] for row in restaurant_rows}
    conn = await session.connection()  # Core rows: no ORM loading cost for 10,000s of rows
    table_rows = await conn.execute(
        select(
            _uuid_text(session, t.restaurant_id),
            _uuid_text(session, t.id),
            t.number,
            t.min_capacity,
            t.max_capacity,
            SeatingArea.name,
            cast(t.features, Text),
            t.priority,
            t.online_bookable,
            cast(t.combinable_with, Text),
            t.combined_max_capacity,
        )
        .outerjoin(SeatingArea, SeatingArea.id == t.seating_area_id)
        .where(t.restaurant_id.in_(ids), t.is_active.is_(True))
    )
    for table_row in table_rows:
        tables[by_text[str(table_row[0])]].append(_table_spec(tuple(table_row)))

    window_start, window_end = booking_window(
        first_day, last_day, (row[2] for row in restaurant_rows)
    )
    bookings = await _active_bookings(
        session,
        restaurant_ids=ids,
        window_start=window_start,
        window_end=window_end,
        now=now,
        exclude_reservation_id=exclude_reservation_id,
    )

    result: dict[uuid.UUID, RestaurantInputs] = {}
    for row in restaurant_rows:
        (
            rid,
            name,
            tz,
            active,
            accepts,
            interval,
            low,
            high,
            advance,
            notice,
            default_turn,
            turn_times,
            buffer,
            max_covers,
            max_parties,
            pacing_window,
        ) = row
        policy = BookingPolicy(
            interval_minutes=interval,
            min_party_size=low,
            max_party_size=high,
            advance_booking_days=advance,
            min_notice_minutes=notice,
            default_turn_minutes=default_turn,
            turn_times=tuple(
                TurnTimeRule(int(t["min_party_size"]), int(t["minutes"])) for t in turn_times or ()
            ),
            buffer_minutes=buffer,
            pacing=PacingLimits(max_covers, max_parties, pacing_window),
            party_size_overrides=tuple(overrides.get(rid, ())),
        )
        result[rid] = RestaurantInputs(
            restaurant_id=rid,
            name=name,
            timezone=tz,
            is_active=active,
            accepts_reservations=accepts,
            services=tuple(services.get(rid, ())),
            special_days=tuple(specials.get(rid, ())),
            policy=policy,
            tables=tuple(tables.get(rid, ())),
            bookings=tuple(bookings.get(str(rid), ())),
        )
    return result


async def _active_bookings(
    session: AsyncSession,
    *,
    restaurant_ids: list[uuid.UUID] | Select[uuid.UUID],
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    exclude_reservation_id: uuid.UUID | None,
) -> dict[str, list[Booking]]:
    """Blocking allocations overlapping the window, one Booking per reservation.

    Keyed by the restaurant id as text.
    """
    a = TableAllocation
    query = select(
        a.restaurant_id, a.reservation_id, a.table_id, a.starts_at, a.ends_at, a.covers
    ).where(
        a.restaurant_id.in_(restaurant_ids),
        a.status != AllocationStatus.RELEASED,  # the partial index
        or_(a.status == AllocationStatus.BOOKED, a.hold_expires_at > now),
        a.starts_at < window_end,
        a.starts_at >= window_start - timedelta(days=1),  # bounds the index scan; stays < 12 h
        a.ends_at > window_start,
    )
    if exclude_reservation_id is not None:
        query = query.where(a.reservation_id != exclude_reservation_id)
    conn = await session.connection()
    rows = await conn.execute(
        query.with_only_columns(
            _uuid_text(session, a.restaurant_id),
            _uuid_text(session, a.reservation_id),
            _uuid_text(session, a.table_id),
            _instant(session, a.starts_at),
            _instant(session, a.ends_at),
            a.covers,
        )
    )
    # one Booking per (restaurant, reservation, times), grown by each further table
    grouped: dict[tuple[Any, Any, datetime, datetime], Booking] = {}
    for rid, res_id, table_id, starts, ends, covers in rows:
        key = (rid, res_id, starts, ends)
        found = grouped.get(key)
        if found is None:
            grouped[key] = Booking((str(table_id),), starts, ends, covers)
        else:
            # covers sit on the first table only, so the sum counts the party once
            tables = (*found.table_ids, str(table_id))
            grouped[key] = Booking(tables, starts, ends, found.covers + covers)
    result: dict[str, list[Booking]] = defaultdict(list)
    for (rid, *_), booking in grouped.items():
        result[str(rid)].append(booking)
    return result


async def restaurant_inputs(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    first_day: date,
    last_day: date,
    now: datetime,
    staff: bool = False,
    exclude_reservation_id: uuid.UUID | None = None,
) -> RestaurantInputs:
    """Inputs of one restaurant; NotFoundError if unknown (or inactive, for the public)."""
    found = await load_inputs(
        session,
        restaurant_ids=[restaurant_id],
        first_day=first_day,
        last_day=last_day,
        now=now,
        exclude_reservation_id=exclude_reservation_id,
    )
    inputs = found.get(restaurant_id)
    if inputs is None or not (inputs.is_active or staff):
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    return inputs


# --------------------------------------------------------------------------- answers


@dataclass(frozen=True, slots=True)
class DayAnswer:
    """A service day's slots; ``closed_reason`` says why there are none."""

    day: date
    closed_reason: str | None
    slots: list[SlotAvailability]


@dataclass(frozen=True, slots=True)
class Alternative:
    """An available slot offered instead; ``day`` is its service day (what to book with)."""

    day: date
    slot: SlotAvailability


@dataclass(frozen=True, slots=True)
class TimeAnswer:
    """The answer for one wall-clock time, and what else is free."""

    day: date
    local_time: time
    slot: SlotAvailability | None  # None when the time is not a slot of the day
    reason: str | None  # None when available
    alternatives: list[Alternative]

    @property
    def available(self) -> bool:
        """True when the time can be booked."""
        return self.reason is None


def answer_day(
    inputs: RestaurantInputs,
    *,
    day: date,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
    staff: bool = False,
    features: frozenset[str] = frozenset(),
    between: tuple[datetime, datetime] | None = None,
) -> DayAnswer:
    """The day's slots from already loaded inputs (pure, no I/O).

    With ``between`` (naive local bounds, both included) only those slots are judged.
    """
    if not inputs.accepts_reservations and not staff:
        return DayAnswer(day, NOT_ACCEPTING, [])
    special = inputs.special_day(day)
    slots = day_availability(
        day=day,
        party_size=party_size,
        timezone=inputs.timezone,
        services=inputs.services,
        special_day=special,
        policy=inputs.policy,
        tables=inputs.tables,
        bookings=inputs.bookings,
        now=now,
        seating_area=seating_area,
        features=features,
        staff=staff,
        between=between,
    )
    closed = None
    if not slots:
        reason = day_closed_reason(day=day, services=inputs.services, special_day=special)
        closed = (reason or UnavailableReason.OUTSIDE_OPENING_HOURS).value
    return DayAnswer(day, closed, slots)


def nearest_in_window(
    inputs: RestaurantInputs,
    *,
    day: date,
    party_size: int,
    now: datetime,
    wanted: datetime,
    between: tuple[datetime, datetime],
    seating_area: str | None = None,
    staff: bool = False,
) -> SlotAvailability | None:
    """The available slot within ``between`` nearest to ``wanted`` (ties: earlier), or None.

    The same slot as the nearest available one of ``answer_day(..., between=between)``,
    without judging the slots further away.
    """
    if not inputs.accepts_reservations and not staff:
        return None
    return nearest_available(
        day=day,
        party_size=party_size,
        timezone=inputs.timezone,
        services=inputs.services,
        special_day=inputs.special_day(day),
        policy=inputs.policy,
        tables=inputs.tables,
        bookings=inputs.bookings,
        now=now,
        wanted=wanted,
        between=between,
        seating_area=seating_area,
        staff=staff,
    )


def _slot_at(answer: DayAnswer, wanted: time) -> SlotAvailability | None:
    # an after-midnight time matches the day's overnight slot, as rules.check_time does
    return next((s for s in answer.slots if s.local_time.time() == wanted), None)


def answer_time(days: Sequence[DayAnswer], *, local_time: time) -> TimeAnswer:
    """Compose the answer for ``local_time`` on ``days[0]`` with alternatives.

    Alternatives: available slots within ±90 min on the same day, nearest first,
    then the same time on each following day given in ``days[1:]``.
    """
    first = days[0]
    wanted = local_time.replace(tzinfo=None, fold=0)
    slot = _slot_at(first, wanted)
    if slot is None:
        reason: str | None = first.closed_reason or UnavailableReason.OUTSIDE_OPENING_HOURS.value
    else:
        reason = None if slot.available else (slot.reason or UnavailableReason.NO_TABLE_FITS).value
    target = slot.local_time if slot is not None else datetime.combine(first.day, wanted)
    alternatives = [
        Alternative(first.day, s)
        for s in nearest_alternatives(
            first.slots, wanted=target, window_minutes=ALTERNATIVE_WINDOW_MINUTES
        )
        if s is not slot
    ]
    for later in days[1:]:
        other = _slot_at(later, wanted)
        if other is not None and other.available:
            alternatives.append(Alternative(later.day, other))
    return TimeAnswer(first.day, wanted, slot, reason, alternatives)


async def day_answer(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
    staff: bool = False,
) -> DayAnswer:
    """The day's slots with availability for a party (uncached)."""
    inputs = await restaurant_inputs(
        session, restaurant_id=restaurant_id, first_day=day, last_day=day, now=now, staff=staff
    )
    return answer_day(
        inputs, day=day, party_size=party_size, now=now, seating_area=seating_area, staff=staff
    )


async def day_slots(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
    staff: bool = False,
) -> list[SlotAvailability]:
    """The day's slots with availability for a party (``[]`` on a closed day)."""
    answer = await day_answer(
        session,
        restaurant_id=restaurant_id,
        day=day,
        party_size=party_size,
        now=now,
        seating_area=seating_area,
        staff=staff,
    )
    return answer.slots


async def time_answer(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    local_time: time,
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
    staff: bool = False,
    features: frozenset[str] = frozenset(),
    exclude_reservation_id: uuid.UUID | None = None,
) -> TimeAnswer:
    """The answer for one time with alternatives (same day ±90 min, then the next 3 days)."""
    last = day + timedelta(days=ALTERNATIVE_DAYS)
    inputs = await restaurant_inputs(
        session,
        restaurant_id=restaurant_id,
        first_day=day,
        last_day=last,
        now=now,
        staff=staff,
        exclude_reservation_id=exclude_reservation_id,
    )
    days = [
        answer_day(
            inputs,
            day=day + timedelta(days=i),
            party_size=party_size,
            now=now,
            seating_area=seating_area,
            staff=staff,
            features=features,
        )
        for i in range(ALTERNATIVE_DAYS + 1)
    ]
    return answer_time(days, local_time=local_time)


# --------------------------------------------------------------------------- cache


def _version_key(restaurant_id: uuid.UUID, day: date) -> str:
    return f"avail:ver:{restaurant_id}:{day.isoformat()}"


def affected_days(day: date) -> list[date]:
    """Service days whose answers a change on service day ``day`` can alter.

    The previous day's overnight slots and the next day's early slots can overlap it.
    """
    return [day - timedelta(days=1), day, day + timedelta(days=1)]


def _restaurant_version_key(restaurant_id: uuid.UUID) -> str:
    return f"avail:ver:{restaurant_id}"


async def invalidate_restaurant(cache: Cache, restaurant_id: uuid.UUID) -> None:
    """After commit: make every cached day of the restaurant stale.

    For changes that can alter any day: hours, special days, settings, tables.
    """
    await cache.incr(_restaurant_version_key(restaurant_id))


async def invalidate_day(cache: Cache, restaurant_id: uuid.UUID, day: date) -> None:
    """After commit: make cached answers stale for a change on this service day.

    Bumps the versions of ``affected_days(day)``, so callers need not know about
    overnight services.
    """
    for affected in affected_days(day):
        await cache.incr(_version_key(restaurant_id, affected))


def note_change(session: AsyncSession, *, restaurant_id: uuid.UUID, day: date) -> None:
    """Record that allocations of (restaurant, service day) changed in this session."""
    changes: set[tuple[uuid.UUID, date]] = session.info.setdefault(_CHANGES_KEY, set())
    changes.add((restaurant_id, day))


def pending_changes(session: AsyncSession) -> set[tuple[uuid.UUID, date]]:
    """The (restaurant, service day) pairs changed in this session and not yet invalidated."""
    changes: set[tuple[uuid.UUID, date]] = session.info.get(_CHANGES_KEY, set())
    return set(changes)


async def invalidate_pending(session: AsyncSession, cache: Cache) -> int:
    """After commit: invalidate the cache for every change recorded in the session."""
    changes: set[tuple[uuid.UUID, date]] = session.info.pop(_CHANGES_KEY, set())
    for restaurant_id, day in changes:
        await invalidate_day(cache, restaurant_id, day)
    return len(changes)


def _encode_option(option: TableOption | None) -> list[Any] | None:
    if option is None:
        return None
    return [
        list(option.table_ids),
        option.capacity,
        option.min_capacity,
        option.area,
        option.waste,
        list(option.numbers),
        sorted(option.features),
        option.priority,
        option.matched_features,
    ]


def _decode_option(raw: list[Any] | None) -> TableOption | None:
    if raw is None:
        return None
    ids, capacity, low, area, waste, numbers, features, priority, matched = raw
    return TableOption(
        tuple(ids),
        capacity,
        low,
        area,
        waste,
        tuple(numbers),
        frozenset(features),
        priority,
        matched,
    )


def encode_day(answer: DayAnswer) -> bytes:
    """JSON bytes of a day answer (no pickle: the cache is not trusted with code)."""
    return json.dumps(
        {
            "d": answer.day.isoformat(),
            "c": answer.closed_reason,
            "s": [
                [
                    s.local_time.isoformat(),
                    s.start_utc.isoformat(),
                    s.end_utc.isoformat(),
                    s.reason.value if s.reason else None,
                    s.service,
                    _encode_option(s.tables),
                ]
                for s in answer.slots
            ],
        },
        separators=(",", ":"),
    ).encode()


def decode_day(raw: bytes) -> DayAnswer:
    """The day answer stored by ``encode_day``."""
    data = json.loads(raw)
    slots = [
        SlotAvailability(
            local_time=datetime.fromisoformat(local),
            start_utc=datetime.fromisoformat(start),
            end_utc=datetime.fromisoformat(end),
            available=reason is None,
            reason=UnavailableReason(reason) if reason else None,
            tables=_decode_option(option),
            service=service,
        )
        for local, start, end, reason, service, option in data["s"]
    ]
    return DayAnswer(date.fromisoformat(data["d"]), data["c"], slots)


async def _ttl_before_next_expiry(
    session: AsyncSession, *, restaurant_id: uuid.UUID, now: datetime
) -> int:
    """Seconds an answer may live: the TTL, cut short by the next live hold's expiry.

    An expiring hold changes nothing stored (its row just stops blocking), so no
    version is bumped; the answer must simply not outlive it.
    """
    a = TableAllocation
    expiry = await session.scalar(
        select(func.min(a.hold_expires_at)).where(
            a.restaurant_id == restaurant_id,
            a.status == AllocationStatus.HELD,
            a.hold_expires_at > now,
        )
    )
    if expiry is None:
        return CACHE_TTL_SECONDS
    return max(0, min(CACHE_TTL_SECONDS, int((expiry - now).total_seconds())))


async def cached_days(
    session: AsyncSession,
    cache: Cache,
    *,
    restaurant_id: uuid.UUID,
    days: Sequence[date],
    party_size: int,
    now: datetime,
    seating_area: str | None = None,
) -> list[DayAnswer]:
    """Public answers for several days, from the cache where fresh, else computed and stored."""
    minute = now.astimezone(UTC).strftime("%Y%m%d%H%M")
    keys: list[str] = []
    answers: dict[date, DayAnswer] = {}
    # read the versions before the database: see the module docstring
    everything = (await cache.get(_restaurant_version_key(restaurant_id)) or b"0").decode()
    for day in days:
        version = (await cache.get(_version_key(restaurant_id, day)) or b"0").decode()
        keys.append(
            f"avail:{restaurant_id}:{day.isoformat()}:{everything}.{version}:"
            f"{party_size}:{seating_area or ''}:{minute}"
        )
        hit = await cache.get(keys[-1])
        if hit is not None:
            answers[day] = decode_day(hit)
    missing = [(day, key) for day, key in zip(days, keys, strict=True) if day not in answers]
    if missing:
        inputs = await restaurant_inputs(
            session,
            restaurant_id=restaurant_id,
            first_day=min(d for d, _ in missing),
            last_day=max(d for d, _ in missing),
            now=now,
        )
        ttl = await _ttl_before_next_expiry(session, restaurant_id=restaurant_id, now=now)
        for day, key in missing:
            answer = answer_day(
                inputs, day=day, party_size=party_size, now=now, seating_area=seating_area
            )
            answers[day] = answer
            if ttl > 0:
                await cache.set(key, encode_day(answer), ttl_seconds=ttl)
    return [answers[day] for day in days]


async def cached_availability(
    session: AsyncSession,
    cache: Cache,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    party_size: int,
    now: datetime,
    local_time: time | None = None,
    seating_area: str | None = None,
) -> tuple[DayAnswer, TimeAnswer | None]:
    """The public answer: the day's slots, and with ``local_time`` that time's answer."""
    count = 1 if local_time is None else ALTERNATIVE_DAYS + 1
    days = await cached_days(
        session,
        cache,
        restaurant_id=restaurant_id,
        days=[day + timedelta(days=i) for i in range(count)],
        party_size=party_size,
        now=now,
        seating_area=seating_area,
    )
    timed = None if local_time is None else answer_time(days, local_time=local_time)
    return days[0], timed


# --------------------------------------------------------------------------- search


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A restaurant with available slots in the searched window."""

    restaurant: Restaurant
    slots: list[SlotAvailability]
    nearest: SlotAvailability


async def search(
    session: AsyncSession,
    *,
    filters: RestaurantFilters,
    day: date,
    time_from: time,
    time_to: time,
    party_size: int,
    now: datetime,
    limit: int,
    offset: int,
    preferred_time: time | None = None,
    seating_area: str | None = None,
) -> tuple[list[SearchHit], int]:
    """Restaurants with an available slot on ``day`` between the two local times.

    Sorted by the distance of their nearest available slot to ``preferred_time``
    (default ``time_from``), then by name.  Returns one page and the total.  All
    candidates are loaded in a handful of queries, whatever their number.
    """
    candidates = (
        filtered_restaurants(filters)
        .where(
            Restaurant.accepts_reservations.is_(True),
            Restaurant.min_party_size <= party_size,
            Restaurant.max_party_size >= party_size,
        )
        .with_only_columns(Restaurant.id)
    )
    inputs = await load_inputs(
        session, restaurant_ids=candidates, first_day=day, last_day=day, now=now
    )
    window = (datetime.combine(day, time_from), datetime.combine(day, time_to))
    target = datetime.combine(day, preferred_time or time_from)
    ranked: list[tuple[tuple[timedelta, datetime, str, str], uuid.UUID, SlotAvailability]] = []
    for rid, restaurant in inputs.items():
        # the nearest slot ranks a restaurant: judge nearest first, stop at the first free one
        best = nearest_in_window(
            restaurant,
            day=day,
            party_size=party_size,
            now=now,
            wanted=target,
            between=window,
            seating_area=seating_area,
        )
        if best is not None:
            key = (
                abs(best.local_time - target),
                best.local_time,
                restaurant.name.lower(),
                str(rid),
            )
            ranked.append((key, rid, best))
    ranked.sort(key=lambda item: item[0])
    page = ranked[offset : offset + limit]
    rows = await session.scalars(
        select(Restaurant).where(Restaurant.id.in_([rid for _, rid, _ in page]))
    )
    by_id = {row.id: row for row in rows}
    hits = []
    for _, rid, best in page:
        answer = answer_day(
            inputs[rid],
            day=day,
            party_size=party_size,
            now=now,
            seating_area=seating_area,
            between=window,
        )
        slots = [s for s in answer.slots if s.available]
        hits.append(SearchHit(restaurant=by_id[rid], slots=slots, nearest=best))
    return hits, len(ranked)


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One blocking allocation on a table."""

    reservation_id: uuid.UUID
    reference: str
    status: AllocationStatus
    reservation_status: ReservationStatus
    starts_at: datetime
    ends_at: datetime
    party_size: int
    hold_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class TableTimeline:
    """A table and its allocations of the day, in time order."""

    table_id: uuid.UUID
    number: str
    name: str | None
    seating_area: str | None
    min_capacity: int
    max_capacity: int
    is_active: bool
    entries: list[TimelineEntry]


@dataclass(frozen=True, slots=True)
class Timeline:
    """A service day's allocations per table, for the floor-plan and timeline views."""

    restaurant_id: uuid.UUID
    day: date
    timezone: str
    tables: list[TableTimeline]


async def timeline(
    session: AsyncSession, *, restaurant_id: uuid.UUID, day: date, now: datetime
) -> Timeline:
    """Every table with the day's blocking allocations (expired holds left out).

    The day is the local calendar day, plus anything booked for this service day
    (an overnight service's after-midnight bookings).
    """
    timezone = await session.scalar(
        select(Restaurant.timezone).where(Restaurant.id == restaurant_id)
    )
    if timezone is None:
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    zone = ZoneInfo(timezone)
    start = _local_midnight(day, zone)
    end = _local_midnight(day + timedelta(days=1), zone)
    a = TableAllocation
    rows = await session.execute(
        select(
            a.table_id,
            a.reservation_id,
            Reservation.reference,
            a.status,
            Reservation.status,
            a.starts_at,
            a.ends_at,
            Reservation.party_size,
            a.hold_expires_at,
        )
        .join(Reservation, Reservation.id == a.reservation_id)
        .where(
            a.restaurant_id == restaurant_id,
            a.status != AllocationStatus.RELEASED,
            or_(a.status == AllocationStatus.BOOKED, a.hold_expires_at > now),
            or_(and_(a.starts_at < end, a.ends_at > start), Reservation.reservation_date == day),
        )
        .order_by(a.starts_at, Reservation.reference)
    )
    entries: dict[uuid.UUID, list[TimelineEntry]] = defaultdict(list)
    for table_id, res_id, ref, status, res_status, starts, ends, party, expires in rows:
        entries[table_id].append(
            TimelineEntry(res_id, ref, status, res_status, starts, ends, party, expires)
        )
    t = RestaurantTable
    table_rows = await session.execute(
        select(
            t.id, t.number, t.name, SeatingArea.name, t.min_capacity, t.max_capacity, t.is_active
        )
        .outerjoin(SeatingArea, SeatingArea.id == t.seating_area_id)
        .where(t.restaurant_id == restaurant_id)
    )
    tables = [
        TableTimeline(tid, number, name, area, low, high, active, entries.get(tid, []))
        for tid, number, name, area, low, high, active in table_rows
        if active or tid in entries
    ]
    tables.sort(key=lambda tt: natural_key(tt.number))
    return Timeline(restaurant_id, day, timezone, tables)
