"""Gathering the rules' inputs for restaurants and days from the database in a few queries.

Active bookings are allocation rows that are ``booked``, or ``held`` with
``hold_expires_at > now``: an expired hold never blocks, released or not.
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

from sqlalchemy import DateTime, Select, String, Text, case, cast, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus
from models.orm import PartySizeOverride as OverrideRow
from models.orm import (
    Restaurant,
    RestaurantTable,
    SeatingArea,
    ServicePeriod,
    TableAllocation,
)
from models.orm import SpecialDay as SpecialDayRow
from rules.availability import (
    BookingPolicy,
    PartySizeOverride,
)
from rules.occupancy import Booking
from rules.opening_hours import ServiceHours, SpecialDay
from rules.pacing import PacingLimits
from rules.table_fit import TableSpec
from rules.turn_time import TurnTimeRule
from services.errors import NotFoundError

RestaurantIds = Sequence[uuid.UUID] | Select[uuid.UUID]


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


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
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
    start = min(local_midnight(first_day - timedelta(days=1), z) for z in zones)
    end = max(local_midnight(last_day + timedelta(days=2), z) for z in zones)
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


@dataclass(frozen=True, slots=True)
class StaticInputs:
    """A restaurant's inputs that change only by writes to its settings, hours and floor.

    Everything of `RestaurantInputs` but the bookings; `with_bookings` completes it.
    """

    restaurant_id: uuid.UUID
    name: str
    timezone: str
    is_active: bool
    accepts_reservations: bool
    services: tuple[ServiceHours, ...]
    special_days: tuple[tuple[date, date, SpecialDay], ...]
    policy: BookingPolicy
    tables: tuple[TableSpec, ...]

    def with_bookings(self, bookings: tuple[Booking, ...]) -> RestaurantInputs:
        """The rules' inputs with these bookings."""
        return RestaurantInputs(
            restaurant_id=self.restaurant_id,
            name=self.name,
            timezone=self.timezone,
            is_active=self.is_active,
            accepts_reservations=self.accepts_reservations,
            services=self.services,
            special_days=self.special_days,
            policy=self.policy,
            tables=self.tables,
            bookings=bookings,
        )


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
    static = await load_static(session, restaurant_ids=restaurant_ids, days=(first_day, last_day))
    if not static:
        return {}
    window_start, window_end = booking_window(
        first_day, last_day, (s.timezone for s in static.values())
    )
    bookings, _ = await load_bookings(
        session,
        restaurant_ids=restaurant_ids,
        window_start=window_start,
        window_end=window_end,
        now=now,
        exclude_reservation_id=exclude_reservation_id,
    )
    return {
        rid: inputs.with_bookings(tuple(bookings.get(str(rid), ())))
        for rid, inputs in static.items()
    }


# the restaurant's own columns of its static inputs, in the order they are unpacked
_RESTAURANT_COLUMNS = (
    Restaurant.id,
    Restaurant.name,
    Restaurant.timezone,
    Restaurant.is_active,
    Restaurant.accepts_reservations,
    Restaurant.slot_interval_minutes,
    Restaurant.min_party_size,
    Restaurant.max_party_size,
    Restaurant.advance_booking_days,
    Restaurant.min_notice_minutes,
    Restaurant.default_seating_minutes,
    Restaurant.turn_times,
    Restaurant.buffer_minutes,
    Restaurant.pacing_max_covers,
    Restaurant.pacing_max_parties,
    Restaurant.pacing_window_minutes,
)


async def load_static(
    session: AsyncSession,
    *,
    restaurant_ids: RestaurantIds,
    days: tuple[date, date] | None,
    every_weekday: bool = False,
) -> dict[uuid.UUID, StaticInputs]:
    """Everything but bookings, in five queries; for ``days`` only, or all (``None``).

    With ``days=None`` every service, special day and party-size override is kept
    (the rules pick a day's own), so the result serves any day: what a cache keeps.
    ``every_weekday`` keeps the services of all weekdays even with ``days``.
    """
    ids = list(restaurant_ids) if isinstance(restaurant_ids, Sequence) else restaurant_ids
    rows = (await session.execute(select(*_RESTAURANT_COLUMNS).where(Restaurant.id.in_(ids)))).all()
    if not rows:
        return {}
    return await _static_of_rows(
        session, [tuple(row) for row in rows], ids, days=days, every_weekday=every_weekday
    )


async def static_of_restaurant(
    session: AsyncSession, restaurant: Restaurant, *, days: tuple[date, date]
) -> StaticInputs:
    """The static inputs of a restaurant whose row the caller has read, in four queries.

    For a booking on ``days``: their special days and party-size overrides, and the
    services of every weekday (the slot grid starts at any service's opening).
    """
    row = tuple(getattr(restaurant, column.key) for column in _RESTAURANT_COLUMNS)
    found = await _static_of_rows(session, [row], [restaurant.id], days=days, every_weekday=True)
    return found[restaurant.id]


async def _static_of_rows(
    session: AsyncSession,
    restaurant_rows: list[tuple[Any, ...]],
    ids: list[uuid.UUID] | Select[uuid.UUID],
    *,
    days: tuple[date, date] | None,
    every_weekday: bool,
) -> dict[uuid.UUID, StaticInputs]:
    """The static inputs of these restaurants' rows (of ``_RESTAURANT_COLUMNS``)."""

    services: dict[uuid.UUID, list[ServiceHours]] = defaultdict(list)
    service_query = (
        select(
            ServicePeriod.restaurant_id,
            ServicePeriod.name,
            ServicePeriod.weekday,
            ServicePeriod.opens_at,
            ServicePeriod.closes_at,
            ServicePeriod.last_seating_at,
        )
        .where(ServicePeriod.restaurant_id.in_(ids))
        .order_by(ServicePeriod.restaurant_id, ServicePeriod.weekday, ServicePeriod.opens_at)
    )
    if days is not None and not every_weekday:
        first_day, last_day = days
        weekdays = {
            (first_day + timedelta(days=i)).weekday()
            for i in range((last_day - first_day).days + 1)
        }
        service_query = service_query.where(ServicePeriod.weekday.in_(weekdays))
    for rid, name, weekday, opens, closes, last in await session.execute(service_query):
        services[rid].append(ServiceHours(name, weekday, opens, closes, last))

    specials: dict[uuid.UUID, list[tuple[date, date, SpecialDay]]] = defaultdict(list)
    special_query = select(
        SpecialDayRow.restaurant_id,
        SpecialDayRow.starts_on,
        SpecialDayRow.ends_on,
        SpecialDayRow.kind,
        SpecialDayRow.note,
        SpecialDayRow.custom_services,
    ).where(SpecialDayRow.restaurant_id.in_(ids))
    if days is not None:
        special_query = special_query.where(
            SpecialDayRow.starts_on <= days[1], SpecialDayRow.ends_on >= days[0]
        )
    for rid, starts, ends, kind, note, custom in await session.execute(special_query):
        special = SpecialDay(kind=kind.value, services=_custom_services(custom), note=note or "")
        specials[rid].append((starts, ends, special))

    overrides: dict[uuid.UUID, list[PartySizeOverride]] = defaultdict(list)
    override_query = select(
        OverrideRow.restaurant_id,
        OverrideRow.day,
        OverrideRow.starts_at,
        OverrideRow.ends_at,
        OverrideRow.max_party_size,
        OverrideRow.min_party_size,
    ).where(OverrideRow.restaurant_id.in_(ids))
    if days is not None:
        override_query = override_query.where(
            OverrideRow.day >= days[0],
            OverrideRow.day <= days[1] + timedelta(days=1),  # overnight slots
        )
    for rid, day, start, end, high, low in await session.execute(override_query):
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

    result: dict[uuid.UUID, StaticInputs] = {}
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
        result[rid] = StaticInputs(
            restaurant_id=rid,
            name=name,
            timezone=tz,
            is_active=active,
            accepts_reservations=accepts,
            services=tuple(services.get(rid, ())),
            special_days=tuple(specials.get(rid, ())),
            policy=policy,
            tables=tuple(tables.get(rid, ())),
        )
    return result


async def load_bookings(
    session: AsyncSession,
    *,
    restaurant_ids: RestaurantIds,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    exclude_reservation_id: uuid.UUID | None = None,
) -> tuple[dict[str, list[Booking]], dict[str, datetime]]:
    """Blocking allocations overlapping the window, one Booking per reservation.

    Keyed by the restaurant id as text; beside them, per restaurant, the earliest
    expiry of a hold among them (after it the bookings are no longer the truth).
    """
    ids = list(restaurant_ids) if isinstance(restaurant_ids, Sequence) else restaurant_ids
    a = TableAllocation
    query = select(a.id).where(
        a.restaurant_id.in_(ids),
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
            # a confirmed row may keep its old hold expiry: only holds expire
            _instant(
                session,
                case((a.status == AllocationStatus.HELD, a.hold_expires_at), else_=None),
            ),
        )
    )
    # one Booking per (restaurant, reservation, times), grown by each further table
    grouped: dict[tuple[Any, Any, datetime, datetime], Booking] = {}
    expiries: dict[str, datetime] = {}
    for rid, res_id, table_id, starts, ends, covers, expires in rows:
        if expires is not None:
            key_rid = str(rid)
            earliest = expiries.get(key_rid)
            if earliest is None or expires < earliest:
                expiries[key_rid] = expires
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
    return result, expiries


async def with_day_bookings(
    session: AsyncSession,
    static: StaticInputs,
    *,
    first_day: date,
    last_day: date,
    now: datetime,
    exclude_reservation_id: uuid.UUID | None = None,
) -> RestaurantInputs:
    """``static`` completed with its restaurant's bookings of these service days."""
    window_start, window_end = booking_window(first_day, last_day, [static.timezone])
    bookings, _ = await load_bookings(
        session,
        restaurant_ids=[static.restaurant_id],
        window_start=window_start,
        window_end=window_end,
        now=now,
        exclude_reservation_id=exclude_reservation_id,
    )
    return static.with_bookings(tuple(bookings.get(str(static.restaurant_id), ())))


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
