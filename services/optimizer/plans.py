"""Proposing, storing and checking re-seating plans of a service (no workflow calls here).

A plan is valid while the day's allocations are what they were when it was
proposed (the fingerprint); applying it is the API's job, move by move through
each reservation's workflow, in the steps ``apply_steps`` gives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import OptimisationPlan
from services.errors import ConflictError, NotFoundError
from services.optimizer.service_model import ServiceModel, service_model
from services.optimizer.solver import Plan, current_plan, solve


@dataclass(frozen=True, slots=True)
class Move:
    """One party's tables before and after."""

    reservation_id: uuid.UUID
    from_table_ids: tuple[uuid.UUID, ...]
    to_table_ids: tuple[uuid.UUID, ...]
    starts_at: datetime
    ends_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "reservation_id": str(self.reservation_id),
            "from": [str(t) for t in self.from_table_ids],
            "to": [str(t) for t in self.to_table_ids],
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Move:
        return cls(
            reservation_id=uuid.UUID(raw["reservation_id"]),
            from_table_ids=tuple(uuid.UUID(t) for t in raw["from"]),
            to_table_ids=tuple(uuid.UUID(t) for t in raw["to"]),
            starts_at=datetime.fromisoformat(raw["starts_at"]),
            ends_at=datetime.fromisoformat(raw["ends_at"]),
        )


def _figures(model: ServiceModel, before: Plan, after: Plan) -> dict[str, Any]:
    return {
        "parties": len(model.parties),
        "movable": sum(1 for p in model.parties if not p.fixed),
        "covers": after.covers,
        "wasted_seats_before": before.waste,
        "wasted_seats_after": after.waste,
        "moves": after.moves,
        "status": after.status,
        "solve_ms": round(after.solve_ms, 1),
    }


async def propose(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    service: str,
    now: datetime,
    time_budget_ms: int,
) -> OptimisationPlan:
    """Solve the service and store the plan (the caller commits)."""
    model = await service_model(
        session, restaurant_id=restaurant_id, day=day, service=service, now=now
    )
    before = current_plan(model.parties)
    after = solve(model.parties, time_budget_ms=time_budget_ms)
    booked = {str(b.reservation_id): b for b in model.booked}
    moves = [
        Move(
            reservation_id=booked[seat.party_id].reservation_id,
            from_table_ids=tuple(uuid.UUID(t) for t in booked[seat.party_id].table_ids),
            to_table_ids=tuple(uuid.UUID(t) for t in seat.table_ids),
            starts_at=booked[seat.party_id].starts_at,
            ends_at=booked[seat.party_id].ends_at,
        )
        for seat in after.seats
        if seat.moved
    ]
    steps = apply_steps(moves)
    ordered = [move for step in steps for move in step]
    plan = OptimisationPlan(
        id=uuid.uuid4(),
        restaurant_id=restaurant_id,
        service_date=day,
        service=service,
        fingerprint=model.fingerprint,
        moves=[m.as_json() for m in ordered],
        figures={
            **_figures(model, before, after),
            "needs_a_swap": any(len(step) > 1 for step in steps),
        },
        created_at=now,
        applied_at=None,
    )
    session.add(plan)
    await session.flush()
    return plan


async def fresh_plan(
    session: AsyncSession, *, restaurant_id: uuid.UUID, plan_id: uuid.UUID, now: datetime
) -> tuple[OptimisationPlan, list[Move]]:
    """The plan and its moves; 404 for another restaurant's, 409 when applied or stale."""
    plan = await session.get(OptimisationPlan, plan_id)
    if plan is None or plan.restaurant_id != restaurant_id:
        raise NotFoundError(f"optimisation plan {plan_id} not found")
    if plan.applied_at is not None:
        raise ConflictError("this plan has already been applied", field="plan_id")
    model_now = await service_model(
        session,
        restaurant_id=restaurant_id,
        day=plan.service_date,
        service=plan.service,
        now=now,
    )
    if model_now.fingerprint != plan.fingerprint:
        raise ConflictError(
            "bookings changed since this plan was proposed: propose a new one", field="plan_id"
        )
    return plan, [Move.from_json(m) for m in plan.moves]


Step = tuple[Move, ...]
"""One move, or parties that change tables at once (a swap or a longer ring)."""


def apply_steps(moves: list[Move]) -> list[Step]:
    """The moves as steps that can run in order, each one's new tables free when it runs.

    A move waits for every other moving party that overlaps it in time and still sits
    on one of its new tables.  Parties that wait on each other (two parties swapping,
    or a ring of them) cannot move one at a time: they form one step, made at once.
    The groups are the cycles' strongly connected components (Tarjan), which come out
    after the groups they wait for.
    """
    waits = [
        [
            j
            for j, other in enumerate(moves)
            if j != i
            and other.starts_at < move.ends_at
            and move.starts_at < other.ends_at
            and set(other.from_table_ids) & set(move.to_table_ids)
        ]
        for i, move in enumerate(moves)
    ]
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    steps: list[Step] = []

    def visit(i: int) -> None:
        index[i] = low[i] = len(index)
        stack.append(i)
        for j in waits[i]:
            if j not in index:
                visit(j)
                low[i] = min(low[i], low[j])
            elif j in stack:
                low[i] = min(low[i], index[j])
        if low[i] == index[i]:
            group = stack[stack.index(i) :]
            del stack[stack.index(i) :]
            steps.append(tuple(moves[k] for k in sorted(group)))

    for i in range(len(moves)):
        if i not in index:
            visit(i)
    return steps
