"""Caching availability answers.

A day's answer is stored under a key holding a version counter per (restaurant,
service day) and one per restaurant. Writers bump them with ``invalidate_day`` or
``invalidate_restaurant`` *after* they commit; a reader reads the versions *before*
it queries, so an answer computed from pre-commit data lands under old versions and
is never served again. Entries live ``CACHE_TTL_SECONDS`` at most (less when a hold
expires sooner), so a bump missed while Redis was down heals quickly. Answers depend
on ``now`` (past slots, minimum notice), so keys are bucketed by the minute.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus
from models.orm import (
    TableAllocation,
)
from reservations.cache import Cache
from rules.availability import (
    SlotAvailability,
    UnavailableReason,
)
from rules.table_fit import TableOption
from services import live_events
from services.availability.answers import (
    ALTERNATIVE_DAYS,
    DayAnswer,
    TimeAnswer,
    answer_day,
    answer_time,
)
from services.availability.inputs import RestaurantInputs, restaurant_inputs, with_day_bookings
from services.availability.memo import bump_static, memo_for
from services.errors import NotFoundError
from services.live_events import LiveEvent

CACHE_TTL_SECONDS = 30
_CHANGES_KEY = "availability.changed_days"
# a day's version key lives until this many days after the day (at least an hour): far
# longer than any answer or memo entry keyed by it (30 s), so a key that expired and
# restarts its count can never meet an answer stored under its old count
VERSION_DAYS_KEPT = 3
VERSION_MIN_TTL_SECONDS = 3600


def _version_key(restaurant_id: uuid.UUID, day: date) -> str:
    return f"avail:ver:{restaurant_id}:{day.isoformat()}"


def version_ttl_seconds(day: date, now: datetime) -> int:
    """How long a day's version key is kept once created (Redis keeps nothing forever)."""
    until = datetime.combine(day + timedelta(days=VERSION_DAYS_KEPT), time(), tzinfo=UTC)
    return max(VERSION_MIN_TTL_SECONDS, int((until - now).total_seconds()))


def affected_days(day: date) -> list[date]:
    """Service days whose answers a change on service day ``day`` can alter.

    The previous day's overnight slots and the next day's early slots can overlap it.
    """
    return [day - timedelta(days=1), day, day + timedelta(days=1)]


def _restaurant_version_key(restaurant_id: uuid.UUID) -> str:
    return f"avail:ver:{restaurant_id}"


async def invalidate_restaurant(cache: Cache, restaurant_id: uuid.UUID) -> None:
    """After commit: make every cached day of the restaurant stale.

    For changes that can alter any day: hours, special days, settings, tables, areas.
    Also moves the version of the static inputs search remembers (``memo``).
    """
    await cache.incr(_restaurant_version_key(restaurant_id))
    await bump_static(cache, restaurant_id)
    await live_events.publish(
        cache, LiveEvent(type="availability.changed", restaurant_id=restaurant_id)
    )


async def forget_cached_day(cache: Cache, restaurant_id: uuid.UUID, day: date) -> None:
    """Make the day's cached answers stale without telling listeners anything changed:
    for a cached "free" the hold has just contradicted (the tables were taken before
    the change that took them reached the cache)."""
    now = datetime.now(UTC)
    await cache.incr_many_with_ttl(
        [
            (_version_key(restaurant_id, affected), version_ttl_seconds(affected, now))
            for affected in affected_days(day)
        ]
    )


async def invalidate_day(cache: Cache, restaurant_id: uuid.UUID, day: date) -> None:
    """After commit: make cached answers stale for a change on this service day.

    Bumps the versions of ``affected_days(day)``, so callers need not know about
    overnight services.
    """
    await forget_cached_day(cache, restaurant_id, day)
    # listeners hear it once the cached answers are stale, so a re-read is fresh
    await live_events.publish(
        cache, LiveEvent(type="availability.changed", restaurant_id=restaurant_id, day=day)
    )


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
    store: bool = True,
) -> list[DayAnswer]:
    """Public answers for several days, from the cache where fresh, else computed and stored.

    With ``store=False`` a computed answer is not stored: for a caller about to bump
    the day's version (a booking's pre-check), storing would cost a write and a read
    of the next hold expiry for an answer no one could read.
    """
    minute = now.astimezone(UTC).strftime("%Y%m%d%H%M")
    keys: list[str] = []
    answers: dict[date, DayAnswer] = {}
    # read the versions before the database: see the module docstring; two round
    # trips however many days (the release rush asks this for every request)
    versions = await cache.get_many(
        [_restaurant_version_key(restaurant_id), *(_version_key(restaurant_id, d) for d in days)]
    )
    everything = (versions[0] or b"0").decode()
    for day, version in zip(days, versions[1:], strict=True):
        keys.append(
            f"avail:{restaurant_id}:{day.isoformat()}:{everything}.{(version or b'0').decode()}:"
            f"{party_size}:{seating_area or ''}:{minute}"
        )
    for day, hit in zip(days, await cache.get_many(keys), strict=True):
        if hit is not None:
            answers[day] = decode_day(hit)
    missing = [(day, key) for day, key in zip(days, keys, strict=True) if day not in answers]
    if missing:
        inputs = await _inputs_of_days(
            session, cache, restaurant_id=restaurant_id, days=[d for d, _ in missing], now=now
        )
        ttl = (
            await _ttl_before_next_expiry(session, restaurant_id=restaurant_id, now=now)
            if store
            else 0
        )
        for day, key in missing:
            answer = answer_day(
                inputs, day=day, party_size=party_size, now=now, seating_area=seating_area
            )
            answers[day] = answer
            if ttl > 0:
                await cache.set(key, encode_day(answer), ttl_seconds=ttl)
    return [answers[day] for day in days]


async def _inputs_of_days(
    session: AsyncSession,
    cache: Cache,
    *,
    restaurant_id: uuid.UUID,
    days: Sequence[date],
    now: datetime,
) -> RestaurantInputs:
    """The public inputs of these days: the static part from the process memo while its
    versions say it is current (every write to the floor, hours or settings bumps them),
    the bookings read now; all from the database when the memo cannot answer.
    NotFoundError for an unknown or inactive restaurant."""
    first, last = min(days), max(days)
    remembered = await memo_for(cache).static_inputs(session, cache, [restaurant_id])
    if remembered is None:  # nothing can be remembered (Redis unreachable, a NullCache)
        return await restaurant_inputs(
            session, restaurant_id=restaurant_id, first_day=first, last_day=last, now=now
        )
    static = remembered.get(restaurant_id)
    if static is None or not static.is_active:
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    return await with_day_bookings(session, static, first_day=first, last_day=last, now=now)


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
