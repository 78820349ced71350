"""Make room at booking time: move unlocked, unseated parties so a new party fits.

Bounded on purpose: only parties whose stay meets the new party's stay (widened
by ``reach`` minutes on each side) may move; every seated or locked party and
every other party near them is fixed, parties far away are left out of the model,
and the solver gets a small time budget.
"""

from __future__ import annotations

import time as clock
from collections.abc import Sequence
from dataclasses import dataclass, replace

from services.optimizer.solver import Party, Plan, Seat, solve


@dataclass(frozen=True, slots=True)
class RoomMade:
    """Where the new party sits and who moves for it."""

    seat: Seat
    moves: tuple[Seat, ...]  # other parties' new tables
    plan: Plan


def make_room(
    parties: Sequence[Party],
    newcomer: Party,
    *,
    time_budget_ms: int,
    reach: int | None = None,
) -> RoomMade | None:
    """Seat ``newcomer`` by moving others, fewest moves first; None when it cannot be done.

    ``parties`` are the bookings as they stand (each with its current tables).
    """
    started = clock.perf_counter()
    widen = 0 if reach is None else reach
    low, high = newcomer.start - widen, newcomer.end + widen
    movable = [
        p
        for p in parties
        if p.current is not None and not p.fixed and p.start < high and low < p.end
    ]
    if not movable or not could_fit([*parties, newcomer], newcomer):
        return None
    # fixed parties matter only where a movable one (or the newcomer) could sit
    first = min(low, *(p.start for p in movable))
    last = max(high, *(p.end for p in movable))
    moving = {p.id for p in movable}
    fixed = [
        p if p.fixed else replace(p, fixed=True)
        for p in parties
        if p.current is not None and p.id not in moving and p.start < last and first < p.end
    ]
    movable = _trimmed(movable, fixed, newcomer)
    bounded = [*movable, *fixed]
    wanted = replace(newcomer, required=True, fixed=False, current=None)
    if not seatable_each_moment([*bounded, wanted], wanted):
        return None  # the bounded model has no room: no need to ask the solver
    # the budget covers this function's own work too: the solver gets what is left,
    # less the few milliseconds CP-SAT takes to stop and hand back its answer
    spent = int((clock.perf_counter() - started) * 1000)
    left = time_budget_ms - spent - SOLVER_STOP_MS
    plan = solve([*bounded, wanted], time_budget_ms=max(left, 1))
    if plan.status not in ("optimal", "feasible"):
        return None
    seat = next((s for s in plan.seats if s.party_id == newcomer.id), None)
    if seat is None:
        return None
    moves = tuple(s for s in plan.seats if s.moved)
    return RoomMade(seat=seat, moves=moves, plan=plan)


SOLVER_STOP_MS = 10

# a bounded model answers within a booking's time: the parties most in the way, and
# for each the best options that no fixed party blocks
MAX_MOVABLE = 24
MAX_OPTIONS = 16


def _trimmed(movable: list[Party], fixed: list[Party], newcomer: Party) -> list[Party]:
    """At most MAX_MOVABLE movable parties (the longest overlap with the newcomer first),
    each with its current tables and at most MAX_OPTIONS options free of fixed parties."""
    blocked: dict[str, list[tuple[int, int]]] = {}
    for p in fixed:
        for t in p.current or ():
            blocked.setdefault(t, []).append((p.start, p.end))

    def overlap(p: Party) -> int:
        return min(p.end, newcomer.end) - max(p.start, newcomer.start)

    kept = sorted(movable, key=overlap, reverse=True)[:MAX_MOVABLE]
    out = []
    for p in kept:
        here = sorted(p.current or ())
        free = [
            o
            for o in p.options
            if sorted(o.table_ids) == here
            or not any(
                s < p.end and p.start < e for t in o.table_ids for s, e in blocked.get(t, ())
            )
        ]
        current = [o for o in free if sorted(o.table_ids) == here]
        others = [o for o in free if sorted(o.table_ids) != here][:MAX_OPTIONS]
        out.append(replace(p, options=tuple(current + others)))
    dropped = {p.id for p in movable} - {p.id for p in kept}
    # parties left out of the bounded search stay where they are
    return out + [replace(p, fixed=True) for p in movable if p.id in dropped]


def could_fit(parties: Sequence[Party], newcomer: Party) -> bool:
    """A quick necessary test: at no moment of the newcomer's stay do parties need more
    tables than exist (interval graphs are perfect, so on identical tables it suffices).

    Each party counts the fewest tables any of its options uses; the solver is only
    asked when this passes.
    """
    tables = {t for p in parties for o in p.options for t in o.table_ids}
    needs = [
        (p.start, p.end, min((len(o.table_ids) for o in p.options), default=len(tables) + 1))
        for p in parties
        if p.current is not None or p is newcomer
    ]
    moments = {newcomer.start} | {s for s, _, _ in needs if newcomer.start < s < newcomer.end}
    return all(sum(n for s, e, n in needs if s <= moment < e) <= len(tables) for moment in moments)


def seatable_each_moment(parties: Sequence[Party], newcomer: Party) -> bool:
    """A necessary test on the bounded model: at every moment of the newcomer's stay,
    the parties free to move (and the newcomer) can each get a table of their options
    that no fixed party holds over their whole stay (a bipartite matching per moment)."""
    blocked: dict[str, list[tuple[int, int]]] = {}
    for p in parties:
        if p.fixed:
            for t in p.current or ():
                blocked.setdefault(t, []).append((p.start, p.end))
    usable: dict[str, list[str]] = {}
    for p in parties:
        if p.fixed:
            continue
        if any(len(o.table_ids) > 1 for o in p.options):
            return True  # combinations: leave it to the solver
        usable[p.id] = [
            o.table_ids[0]
            for o in p.options
            if not any(s < p.end and p.start < e for s, e in blocked.get(o.table_ids[0], ()))
        ]
    moving = [p for p in parties if not p.fixed]
    moments = {newcomer.start} | {
        p.start for p in moving if newcomer.start < p.start < newcomer.end
    }
    return all(_matched([usable[p.id] for p in moving if p.start <= m < p.end]) for m in moments)


def _matched(wants: Sequence[Sequence[str]]) -> bool:
    """Whether every party gets a different table of those it may use (augmenting paths)."""
    holder: dict[str, int] = {}

    def place(i: int, seen: set[str]) -> bool:
        for t in wants[i]:
            if t in seen:
                continue
            seen.add(t)
            if t not in holder or place(holder[t], seen):
                holder[t] = i
                return True
        return False

    return all(place(i, set()) for i in range(len(wants)))
