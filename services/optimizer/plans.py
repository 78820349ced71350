"""Proposing, storing and checking re-seating plans of a service (no workflow calls here).

A plan is valid while the day's allocations are what they were when it was
proposed (the fingerprint); applying it is the API's job, move by move through
each reservation's workflow, in the order ``apply_order`` gives.
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
    try:
        ordered, swap = apply_order(moves), False
    except ConflictError:
        ordered, swap = moves, True  # shown to staff; applying it answers 409
    plan = OptimisationPlan(
        id=uuid.uuid4(),
        restaurant_id=restaurant_id,
        service_date=day,
        service=service,
        fingerprint=model.fingerprint,
        moves=[m.as_json() for m in ordered],
        figures={**_figures(model, before, after), "needs_a_swap": swap},
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


def apply_order(moves: list[Move]) -> list[Move]:
    """Moves in an order where each one's new tables are already free when it runs.

    A move waits while a not-yet-moved party overlapping it in time still sits on one
    of its new tables.  A cycle (two parties swapping) cannot be ordered: ConflictError.
    """
    pending = list(moves)
    ordered: list[Move] = []
    while pending:
        ready = next(
            (
                m
                for m in pending
                if not any(
                    o is not m
                    and o.starts_at < m.ends_at
                    and m.starts_at < o.ends_at
                    and set(o.from_table_ids) & set(m.to_table_ids)
                    for o in pending
                )
            ),
            None,
        )
        if ready is None:
            raise ConflictError(
                "the plan swaps parties between tables, which cannot be done one move at a "
                "time: move one of them by hand first",
                field="plan_id",
            )
        ordered.append(ready)
        pending.remove(ready)
    return ordered
