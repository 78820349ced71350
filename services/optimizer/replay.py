"""Replaying a day's requests through the engine under other rules (pure; "what if").

Each request asks for one time; the engine (``rules.availability.check_time``)
answers it with the bookings accepted so far, in the order the requests came.
Run once with the restaurant's rules and once with the changed ones, the two
tallies per slot show what a change of turn times, pacing or table mix does.
With a ``Protection``, capacity protection (``services.optimizer.admission``) may
refuse a table the engine found, as it would if it were switched on for booking.
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
from services.optimizer.admission import ForecastClass, admit, kind_of
from services.optimizer.forecast import BookingCurve, first_opening, minute_of

PROTECTED = "protected"  # the reason tallied for a request capacity protection refused


@dataclass(frozen=True, slots=True)
class Request:
    """One guest's ask: a wall-clock time and a party size.

    ``lead_minutes`` is how long before the reservation it was made; ``None`` means
    booked well ahead (the whole day's demand still to come).
    """

    local_time: time
    party_size: int
    seating_area: str | None = None
    lead_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """What the engine needs besides the requests."""

    timezone: str
    services: tuple[ServiceHours, ...]
    special_day: SpecialDay | None
    policy: BookingPolicy
    tables: tuple[TableSpec, ...]


@dataclass(frozen=True, slots=True)
class Protection:
    """Capacity protection on: the forecast of the day's requests and its booking curve."""

    forecast: tuple[ForecastClass, ...]
    curve: BookingCurve = field(default_factory=BookingCurve)


@dataclass
class Tally:
    """Covers accepted and turned away, per slot (``HH:MM``).

    ``outcomes`` has one entry per request, in order: the booking made, or the
    reason it was turned away.
    """

    accepted: Counter[str] = field(default_factory=Counter)
    turned_away: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    outcomes: list[Booking | str] = field(default_factory=list)


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


def replay(
    rules: Rules,
    day: date,
    requests: Sequence[Request],
    *,
    now: datetime,
    protection: Protection | None = None,
) -> Tally:
    """Book ``requests`` in order with the engine; tally the covers per slot.

    With ``protection``, a table the engine found is still refused (reason
    ``protected``) when the forecast says the party displaces more covers.
    """
    tally = Tally()
    bookings: list[Booking] = []
    opening = first_opening(rules.services, day)
    # each seated party's first and last minute from the opening, and its tables
    seated: list[tuple[int, int, tuple[str, ...]]] = []
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
            start = minute_of(r.local_time, opening)
            stay = int((answer.end_utc - answer.start_utc).total_seconds() // 60)
            table_ids = answer.tables.table_ids
            if protection is None or _admitted(
                rules, protection, r, start, stay, table_ids, seated
            ):
                booking = Booking(table_ids, answer.start_utc, answer.end_utc, r.party_size)
                bookings.append(booking)
                seated.append((start, start + stay, table_ids))
                tally.accepted[slot] += r.party_size
                tally.outcomes.append(booking)
                continue
            reason = PROTECTED
        else:
            reason = str(answer.reason)
        tally.turned_away[slot] += r.party_size
        tally.reasons[reason] += r.party_size
        tally.outcomes.append(reason)
    return tally


def _admitted(
    rules: Rules,
    protection: Protection,
    r: Request,
    start: int,
    stay: int,
    table_ids: tuple[str, ...],
    seated: Sequence[tuple[int, int, tuple[str, ...]]],
) -> bool:
    """Capacity protection's verdict on the tables the engine found for ``r``.

    Free tables are counted among tables of the same kind as the first one found,
    as the benchmark's ``protected`` policy counts them.
    """
    if not protection.forecast:
        return True
    by_id = {t.id: t for t in rules.tables}
    kind = kind_of(by_id[table_ids[0]])
    alike = {t.id for t in rules.tables if kind_of(t) == kind}
    step = rules.policy.interval_minutes
    free: dict[int, int] = {}
    for moment in range(start, start + stay, step):
        busy = {t for s, e, ids in seated if s <= moment < e for t in ids}
        free[moment] = len(alike - busy)
    verdict = admit(
        size=r.party_size,
        start=start,
        stay=stay,
        kind=kind,
        combinable=any(t.combinable_with for t in rules.tables),
        free_tables=free,
        forecast=protection.forecast,
        still_to_come=protection.curve.still_to_come(r.lead_minutes),
        step=step,
    )
    return verdict.accept


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


def made_along(requests: Sequence[Request], curve: BookingCurve) -> list[Request]:
    """``requests`` (in order) given lead times that follow ``curve``: the first made as
    early as the earliest past request, the last as late as the latest.

    A generated day has no lead times; without them protection would judge every
    request as if the whole day were still to come.
    """
    leads = curve.lead_minutes
    if not leads or not requests:
        return list(requests)
    # the i-th of n requests takes the lead time leaving the share (n - i) / n to come
    n = len(requests)
    return [
        replace(r, lead_minutes=leads[max(len(leads) * (n - i) // n - 1, 0)])
        for i, r in enumerate(requests)
    ]


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
