"""Replaying a day's requests through the engine under other rules (pure; "what if").

Each request asks for one time; the engine (``rules.availability.check_time``)
answers it with the bookings accepted so far, in the order the requests came.
Run once with the restaurant's rules and once with the changed ones, the two
tallies per slot show what a change of turn times, pacing or table mix does.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from rules.availability import BookingPolicy, check_time
from rules.occupancy import Booking
from rules.opening_hours import ServiceHours, SpecialDay
from rules.pacing import PacingLimits
from rules.slots import service_slots
from rules.table_fit import TableSpec
from rules.turn_time import TurnTimeRule


@dataclass(frozen=True, slots=True)
class Request:
    """One guest's ask: a wall-clock time and a party size."""

    local_time: time
    party_size: int
    seating_area: str | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """What the engine needs besides the requests."""

    timezone: str
    services: tuple[ServiceHours, ...]
    special_day: SpecialDay | None
    policy: BookingPolicy
    tables: tuple[TableSpec, ...]


@dataclass
class Tally:
    """Covers accepted and turned away, per slot (``HH:MM``)."""

    accepted: Counter[str] = field(default_factory=Counter)
    turned_away: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)


def changed(
    rules: Rules,
    *,
    turn_times: Sequence[TurnTimeRule] = (),
    pacing_covers: int | None = None,
    tables: Sequence[TableSpec] | None = None,
) -> Rules:
    """``rules`` with turn times replaced by size, a pacing cap, or another table mix."""
    policy = rules.policy
    if turn_times:
        sizes = {t.min_party_size for t in turn_times}
        kept = [t for t in policy.turn_times if t.min_party_size not in sizes]
        policy = replace(policy, turn_times=(*kept, *turn_times))
    if pacing_covers is not None:
        policy = replace(policy, pacing=PacingLimits(max_covers=pacing_covers))
    return replace(rules, policy=policy, tables=tuple(tables) if tables else rules.tables)


def replay(rules: Rules, day: date, requests: Sequence[Request], *, now: datetime) -> Tally:
    """Book ``requests`` in order with the engine; tally the covers per slot."""
    tally = Tally()
    bookings: list[Booking] = []
    for r in requests:
        answer = check_time(
            day=day,
            local_time=r.local_time,
            party_size=r.party_size,
            timezone=rules.timezone,
            services=rules.services,
            special_day=rules.special_day,
            policy=rules.policy,
            tables=rules.tables,
            bookings=bookings,
            now=now,
            seating_area=r.seating_area,
            staff=True,  # staff replay: notice and online-bookable limits do not apply
        )
        slot = r.local_time.strftime("%H:%M")
        if answer.available and answer.tables is not None:
            bookings.append(
                Booking(answer.tables.table_ids, answer.start_utc, answer.end_utc, r.party_size)
            )
            tally.accepted[slot] += r.party_size
        else:
            tally.turned_away[slot] += r.party_size
            tally.reasons[str(answer.reason)] += r.party_size
    return tally


def generated_day(rules: Rules, day: date, *, seed: int, covers: int) -> list[Request]:
    """About ``covers`` covers of demand over the day's slots, peaking mid-service.

    Party sizes: more than 60% of parties are of 1-2 (as in restaurant data).
    """
    slots = [
        s.local_time.time()
        for s in service_slots(
            day=day,
            services=rules.services,
            timezone=rules.timezone,
            interval_minutes=rules.policy.interval_minutes,
            special_day=rules.special_day,
        )
    ]
    if not slots:
        return []
    rng = random.Random(seed)
    middle = len(slots) / 2
    weights = [max(1.0, middle - abs(i - middle)) for i in range(len(slots))]
    requests: list[Request] = []
    asked = 0
    while asked < covers:
        size = rng.choices((1, 2, 3, 4, 5, 6), (8, 55, 10, 17, 5, 5))[0]
        requests.append(Request(rng.choices(slots, weights)[0], size))
        asked += size
    return requests


def report(before: Tally, after: Tally) -> list[str]:
    """Lines comparing the two tallies, slot by slot, then the totals."""
    slots = sorted(
        set(before.accepted)
        | set(before.turned_away)
        | set(after.accepted)
        | set(after.turned_away)
    )
    lines = [
        f"{'slot':<6} {'now: seated / turned away':>26} {'changed: seated / away':>24} {'delta':>6}"
    ]
    for slot in slots:
        a0, t0 = before.accepted[slot], before.turned_away[slot]
        a1, t1 = after.accepted[slot], after.turned_away[slot]
        lines.append(f"{slot:<6} {a0:>17} / {t0:<6} {a1:>15} / {t1:<6} {a1 - a0:>+6}")
    a0, t0 = sum(before.accepted.values()), sum(before.turned_away.values())
    a1, t1 = sum(after.accepted.values()), sum(after.turned_away.values())
    lines.append(f"{'total':<6} {a0:>17} / {t0:<6} {a1:>15} / {t1:<6} {a1 - a0:>+6}")
    for name, tally in (("now", before), ("changed", after)):
        if tally.reasons:
            why = ", ".join(f"{k} {v}" for k, v in sorted(tally.reasons.items()))
            lines.append(f"turned away ({name}), covers by reason: {why}")
    return lines
