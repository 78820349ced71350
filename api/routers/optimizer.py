"""Staff routes of the table optimizer: propose a re-seating of a service, apply it, locks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from sqlalchemy import select, update
from temporalio.service import RPCError

from api.deps import HostOf, SessionDep, SettingsDep, require_owned
from api.lifecycle import rpc_problem
from api.problems import Conflict
from api.temporal import TemporalDep
from models.orm import OptimisationPlan, Reservation
from models.schemas.optimizer import ApplyIn, MoveOut, PlanOut, TableLockOut
from rules.state_machine import TERMINAL_STATUSES
from services.errors import ConflictError
from services.optimizer import moving, plans

router = APIRouter(prefix="/restaurants/{restaurant_id}", tags=["optimizer"])

ServiceName = Annotated[str, Path(min_length=1, max_length=120)]


def _out(plan: OptimisationPlan) -> PlanOut:
    figures: dict[str, Any] = plan.figures
    return PlanOut(
        id=plan.id,
        restaurant_id=plan.restaurant_id,
        date=plan.service_date,
        service=plan.service,
        moves=[
            MoveOut(
                reservation_id=m.reservation_id,
                from_table_ids=list(m.from_table_ids),
                to_table_ids=list(m.to_table_ids),
                starts_at=m.starts_at,
                ends_at=m.ends_at,
            )
            for m in (plans.Move.from_json(raw) for raw in plan.moves)
        ],
        parties=int(figures["parties"]),
        movable=int(figures["movable"]),
        covers=int(figures["covers"]),
        wasted_seats_before=int(figures["wasted_seats_before"]),
        wasted_seats_after=int(figures["wasted_seats_after"]),
        status=str(figures["status"]),
        solve_ms=float(figures["solve_ms"]),
        needs_a_swap=bool(figures.get("needs_a_swap", False)),
        applied_at=plan.applied_at,
    )


@router.post(
    "/services/{day}/{service}/optimisation",
    response_model=PlanOut,
    status_code=status.HTTP_201_CREATED,
    summary="Propose a re-seating of a service's unseated, unlocked parties (nothing moves yet)",
)
async def propose(
    day: date,
    service: ServiceName,
    scope: HostOf,
    session: SessionDep,
    settings: SettingsDep,
    time_budget_ms: Annotated[int | None, Query(ge=1, le=60_000)] = None,
) -> PlanOut:
    plan = await plans.propose(
        session,
        restaurant_id=scope.restaurant_id,
        day=day,
        service=service,
        now=datetime.now(UTC),
        time_budget_ms=time_budget_ms or settings.optimiser_time_budget_ms,
    )
    await session.commit()
    return _out(plan)


@router.post(
    "/services/{day}/{service}/optimisation/apply",
    response_model=PlanOut,
    summary="Apply a proposed plan through each reservation's workflow, all or nothing",
)
async def apply(
    day: date,
    service: ServiceName,
    data: ApplyIn,
    scope: HostOf,
    session: SessionDep,
    temporal: TemporalDep,
) -> PlanOut:
    plan, moves = await plans.fresh_plan(
        session, restaurant_id=scope.restaurant_id, plan_id=data.plan_id, now=datetime.now(UTC)
    )
    if (plan.service_date, plan.service) != (day, service):
        raise ConflictError("this plan is for another service", field="plan_id")
    steps = plans.apply_steps(moves)
    plan_id = plan.id
    await session.rollback()  # the workflows' activities write these rows (SQLite's lock)
    try:
        await moving.move_parties(await temporal.client(), steps)
    except moving.MoveRefused as refused:
        raise Conflict(
            f"a move was refused ({refused.detail}); the moves already made were undone",
            extra={"reservation_id": str(refused.reservation_id)},
        ) from None
    except RPCError as exc:
        raise rpc_problem(exc) from None
    await session.execute(
        update(OptimisationPlan)
        .where(OptimisationPlan.id == plan_id)
        .values(applied_at=datetime.now(UTC))
    )
    await session.commit()
    applied = await session.get(OptimisationPlan, plan_id)
    assert applied is not None
    return _out(applied)


async def _set_lock(
    session: SessionDep, restaurant_id: uuid.UUID, reservation_id: uuid.UUID, locked: bool
) -> TableLockOut:
    await require_owned(session, restaurant_id, reservation_id)
    status_now = await session.scalar(
        select(Reservation.status).where(Reservation.id == reservation_id)
    )
    if status_now in TERMINAL_STATUSES:
        # like every other action on it: an ended booking no longer changes
        raise Conflict("this reservation is closed and can no longer change")
    await session.execute(
        update(Reservation).where(Reservation.id == reservation_id).values(tables_locked=locked)
    )
    await session.commit()
    return TableLockOut(reservation_id=reservation_id, tables_locked=locked)


@router.put(
    "/reservations/{reservation_id}/table-lock",
    response_model=TableLockOut,
    summary="Lock the party's tables: the optimizer and make-room never move it",
)
async def lock_tables(
    reservation_id: uuid.UUID, scope: HostOf, session: SessionDep
) -> TableLockOut:
    return await _set_lock(session, scope.restaurant_id, reservation_id, True)


@router.delete(
    "/reservations/{reservation_id}/table-lock",
    response_model=TableLockOut,
    summary="Unlock the party's tables: the optimizer may move it again",
)
async def unlock_tables(
    reservation_id: uuid.UUID, scope: HostOf, session: SessionDep
) -> TableLockOut:
    return await _set_lock(session, scope.restaurant_id, reservation_id, False)
