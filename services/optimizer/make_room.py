"""Make room at booking time: move unlocked, unseated parties so a new party fits.

Bounded on purpose: only parties whose stay meets the new party's stay, widened
by ``reach`` minutes on each side, may move; everyone else (and every seated or
locked party) is fixed, and the solver gets a small time budget.
"""

from __future__ import annotations

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
    widen = newcomer.end - newcomer.start if reach is None else reach
    low, high = newcomer.start - widen, newcomer.end + widen
    bounded = [
        p if p.fixed or (p.start < high and low < p.end) else replace(p, fixed=True)
        for p in parties
        if p.current is not None
    ]
    wanted = replace(newcomer, required=True, fixed=False, current=None)
    plan = solve([*bounded, wanted], time_budget_ms=time_budget_ms)
    if plan.status not in ("optimal", "feasible"):
        return None
    seat = next((s for s in plan.seats if s.party_id == newcomer.id), None)
    if seat is None:
        return None
    moves = tuple(s for s in plan.seats if s.moved)
    return RoomMade(seat=seat, moves=moves, plan=plan)
