"""A process memo of availability inputs, for search across thousands of restaurants.

Two parts, each behind versions kept in the shared cache (Redis, or the in-process
cache), so every API process sees every write:

* the **static** inputs of a restaurant (settings, services, special days, party-size
  overrides, tables with their areas and combinations). Every write to those calls
  ``invalidate_restaurant``, which calls ``bump_static``: it takes a stamp from a
  global generation counter, stores it as the restaurant's static version, and
  counts the generation once more. A reader whose generation is unchanged trusts
  every entry without another read; after a change it reads the versions of the
  restaurants it holds (one MGET) and reloads only those that moved. The second
  count closes the race of a reader that sees the first count before the
  restaurant's version is written.
* the **bookings** of a (restaurant, service day), behind the day version that
  ``invalidate_day`` bumps for every allocation change, read with one MGET per
  search. An entry also ends at the earliest expiry of a hold in it (an expiring
  hold bumps nothing) and after ``CACHE_TTL_SECONDS``, as cached answers do.

As everywhere in the availability cache, versions are read *before* the database,
and writers bump them *after* they commit. When the shared cache cannot answer
(Redis down, or the API's ``NullCache`` that no writer can reach) nothing is
remembered and every search reads the database.

Search reads through the memo; the cached public day answers (`cached_days`) take
only the static inputs from it and read the bookings;
holds, moves and the pre-check's confirmation of a "full" always read the database.
"""

from __future__ import annotations

import random
import time
import uuid
import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from reservations.cache import Cache
from services.availability.inputs import (
    RestaurantInputs,
    StaticInputs,
    booking_window,
    load_bookings,
    load_static,
)

STATIC_TTL_SECONDS = 600  # heals a bump lost while Redis was unreachable
BOOKINGS_TTL_SECONDS = 30  # as CACHE_TTL_SECONDS of cached answers
_GENERATION_KEY = "avail:static"
_VERSION_TTL_SECONDS = 7 * 24 * 3600  # an expired version reads as a change, never as none


def _static_key(restaurant_id: uuid.UUID) -> str:
    return f"avail:static:{restaurant_id}"


def _day_key(restaurant_id: uuid.UUID, day: date) -> str:
    # the key ``invalidate_day`` bumps (services/availability/cache.py)
    return f"avail:ver:{restaurant_id}:{day.isoformat()}"


async def bump_static(cache: Cache, restaurant_id: uuid.UUID) -> None:
    """After commit: the restaurant's static inputs changed (see the module docstring)."""
    stamp = await cache.incr(_GENERATION_KEY)
    if stamp is not None:
        await cache.set(
            _static_key(restaurant_id), str(stamp).encode(), ttl_seconds=_VERSION_TTL_SECONDS
        )
    await cache.incr(_GENERATION_KEY)


async def _generation(cache: Cache) -> bytes | None:
    """The current generation; started at a random number, so a flushed Redis never
    repeats one a process remembers. None when the cache cannot keep one."""
    current = await cache.get(_GENERATION_KEY)
    if current is None:
        start = str(random.randrange(1 << 40, 1 << 60)).encode()
        await cache.set_if_absent(_GENERATION_KEY, start, ttl_seconds=10 * 365 * 24 * 3600)
        current = await cache.get(_GENERATION_KEY)
    return current


@dataclass(slots=True)
class _Static:
    version: bytes | None  # the restaurant's static version read before loading
    generation: bytes  # the last generation at which ``version`` was still current
    loaded: float
    inputs: StaticInputs


@dataclass(slots=True)
class _Day:
    version: bytes | None
    static: StaticInputs
    loaded_now: datetime
    valid_until: datetime | None
    loaded: float
    inputs: RestaurantInputs
    # answers computed from exactly these inputs, by question and minute
    answers: dict[Hashable, object] = field(default_factory=dict)


_ANSWERS_PER_DAY = 64  # remembered questions per (restaurant, day) before starting afresh


T = TypeVar("T")
_MAX_DAYS = 200_000  # remembered (restaurant, day) entries before starting afresh


@dataclass
class InputsMemo:
    """The remembered inputs of one process (one per shared cache)."""

    static: dict[uuid.UUID, _Static] = field(default_factory=dict)
    days: dict[tuple[uuid.UUID, date], _Day] = field(default_factory=dict)
    # what the last call did, for the benchmark's account of where time goes
    last_static_loads: int = 0
    last_booking_loads: int = 0

    async def _fresh_static(
        self, session: AsyncSession, cache: Cache, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, StaticInputs] | None:
        generation = await _generation(cache)
        if generation is None:
            return None
        clock = time.monotonic()
        # an entry checked at this generation is current; others are checked by version
        unchecked = [
            rid
            for rid in ids
            if (entry := self.static.get(rid)) is not None and entry.generation != generation
        ]
        if unchecked:
            versions = await cache.get_many([_static_key(rid) for rid in unchecked])
            for rid, version in zip(unchecked, versions, strict=True):
                entry = self.static[rid]
                if entry.version == version:
                    entry.generation = generation
                else:
                    del self.static[rid]
        missing = [
            rid
            for rid in ids
            if (entry := self.static.get(rid)) is None or clock - entry.loaded > STATIC_TTL_SECONDS
        ]
        self.last_static_loads = len(missing)
        if missing:
            versions = await cache.get_many([_static_key(rid) for rid in missing])
            loaded = await load_static(session, restaurant_ids=missing, days=None)
            for rid, version in zip(missing, versions, strict=True):
                found = loaded.get(rid)
                if found is None:
                    self.static.pop(rid, None)
                else:
                    self.static[rid] = _Static(version, generation, clock, found)
        return {rid: self.static[rid].inputs for rid in ids if rid in self.static}

    async def static_inputs(
        self, session: AsyncSession, cache: Cache, restaurant_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, StaticInputs] | None:
        """The static inputs of these restaurants, current by their versions (loaded when
        not); None when nothing can be remembered (the caller reads the database)."""
        return await self._fresh_static(session, cache, restaurant_ids)

    async def inputs(
        self,
        session: AsyncSession,
        cache: Cache,
        *,
        restaurant_ids: Sequence[uuid.UUID],
        day: date,
        now: datetime,
    ) -> dict[uuid.UUID, RestaurantInputs] | None:
        """Inputs of these restaurants for one service day; None when nothing can be
        remembered (the caller then loads from the database)."""
        versions = await cache.get_many([_day_key(rid, day) for rid in restaurant_ids])
        static = await self._fresh_static(session, cache, restaurant_ids)
        if static is None:
            return None
        clock = time.monotonic()
        result: dict[uuid.UUID, RestaurantInputs] = {}
        stale: list[tuple[uuid.UUID, bytes | None]] = []
        for rid, version in zip(restaurant_ids, versions, strict=True):
            spec = static.get(rid)
            if spec is None:
                continue
            entry = self.days.get((rid, day))
            if (
                entry is not None
                and entry.version == version
                and entry.static is spec
                and entry.loaded_now <= now
                and (entry.valid_until is None or now < entry.valid_until)
                and clock - entry.loaded <= BOOKINGS_TTL_SECONDS
            ):
                result[rid] = entry.inputs
            else:
                stale.append((rid, version))
        self.last_booking_loads = len(stale)
        if stale:
            if len(self.days) > _MAX_DAYS:
                self.days.clear()
            stale_ids = [rid for rid, _ in stale]
            start, end = booking_window(day, day, {static[rid].timezone for rid in stale_ids})
            bookings, expiries = await load_bookings(
                session,
                restaurant_ids=stale_ids,
                window_start=start,
                window_end=end,
                now=now,
            )
            for rid, version in stale:
                spec = static[rid]
                inputs = spec.with_bookings(tuple(bookings.get(str(rid), ())))
                self.days[(rid, day)] = _Day(
                    version, spec, now, expiries.get(str(rid)), clock, inputs
                )
                result[rid] = inputs
        return result

    def answer(
        self,
        inputs: RestaurantInputs,
        *,
        day: date,
        now: datetime,
        question: Hashable,
        compute: Callable[[], T],
    ) -> T:
        """``compute()``, remembered while ``inputs`` are the memo's current ones for the day.

        Keyed by the question and ``now``'s minute, as cached answers are (an answer
        depends on ``now`` through minimum notice and past slots).
        """
        entry = self.days.get((inputs.restaurant_id, day))
        if entry is None or entry.inputs is not inputs:
            return compute()
        key = (question, now.astimezone(UTC).strftime("%Y%m%d%H%M"))
        if key in entry.answers:
            return entry.answers[key]  # type: ignore[return-value]
        if len(entry.answers) >= _ANSWERS_PER_DAY:
            entry.answers.clear()
        value = entry.answers[key] = compute()
        return value


_MEMOS: weakref.WeakKeyDictionary[Cache, InputsMemo] = weakref.WeakKeyDictionary()


def memo_for(cache: Cache) -> InputsMemo:
    """The memo that follows this cache's versions (one per cache object)."""
    memo = _MEMOS.get(cache)
    if memo is None:
        memo = _MEMOS[cache] = InputsMemo()
    return memo
