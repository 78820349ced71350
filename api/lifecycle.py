"""The API's side of the reservation workflow: start with update-with-start, send updates.

Temporal errors become problem+json: an illegal transition is a 409 naming the
state, a refused modification a 409 with alternatives, Temporal being down a 503.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import (
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.problems import Conflict, InvalidInput, NotFound, Problem, ServiceUnavailable
from models.schemas.lifecycle import ReservationInput, ReservationState
from workflows.reservation import ReservationWorkflow

if TYPE_CHECKING:
    from api.routers.reservations import TemporalConnection

# a stable namespace so the same idempotency key always names the same reservation
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1d3c0e-5a8b-4f2e-9c47-2b1e8d9a7f10")


def workflow_id(reservation_id: uuid.UUID) -> str:
    """The workflow id of a reservation."""
    return f"reservation-{reservation_id}"


def reservation_id_for(idempotency_key: str | None, *, scope: str) -> uuid.UUID:
    """The same key (within `scope`, e.g. the restaurant) always yields the same reservation."""
    if idempotency_key:
        return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{scope}:{idempotency_key}")
    return uuid.uuid4()


async def start_reservation(
    temporal: TemporalConnection,
    *,
    inp: ReservationInput,
    task_queue: str,
    idempotency_key: str | None,
    memo: dict[str, Any],
) -> ReservationState:
    """Start the workflow and wait for its hold decision in one round trip.

    A replay of the same request (same idempotency key) gets the first answer:
    while the workflow runs the server de-duplicates the update by its id; after
    it closed (a refused booking) its result is returned.
    """
    client = await temporal.client()
    wf_id = workflow_id(inp.booking.reservation_id)
    operation = WithStartWorkflowOperation(
        ReservationWorkflow.run,
        inp,
        id=wf_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        memo=memo,
    )
    try:
        state = await client.execute_update_with_start_workflow(
            ReservationWorkflow.create,
            start_workflow_operation=operation,
            id=f"create-{idempotency_key or inp.booking.reservation_id}",
        )
    except WorkflowAlreadyStartedError:
        handle = client.get_workflow_handle_for(ReservationWorkflow.run, wf_id)
        state = await handle.result()
    except RPCError as exc:
        raise _rpc_problem(exc) from None
    return state


def _rpc_problem(exc: RPCError) -> Problem:
    if exc.status is RPCStatusCode.NOT_FOUND:
        return NotFound("no such reservation workflow")
    return ServiceUnavailable(f"the workflow service is unavailable: {exc.message}")


async def send_update(
    temporal: TemporalConnection,
    *,
    session: AsyncSession,
    reservation_id: uuid.UUID,
    update: str,
    arg: Any | None = None,
) -> ReservationState:
    """Run a workflow update and map refusals to problems.

    The request's own transaction ends first: the workflow's activities write the
    same rows, and on SQLite an open transaction would hold the write lock.
    """
    await session.rollback()
    client = await temporal.client()
    handle = client.get_workflow_handle(workflow_id(reservation_id))
    args = [] if arg is None else [arg]
    try:
        state = await handle.execute_update(update, args=args, result_type=ReservationState)
    except WorkflowUpdateFailedError as exc:
        raise _update_problem(exc) from None
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            # the workflow has ended: nothing can change any more
            raise Conflict("this reservation is closed and can no longer change") from None
        raise _rpc_problem(exc) from None
    if not isinstance(state, ReservationState):
        raise TypeError(f"unexpected update result {type(state).__name__}")
    return state


def _update_problem(exc: WorkflowUpdateFailedError) -> Problem:
    cause = exc.cause
    if isinstance(cause, ApplicationError):
        if cause.type == "NotAvailable":
            details = cause.details[0] if cause.details else {}
            alternatives = details.get("alternatives", []) if isinstance(details, dict) else []
            return Conflict(
                f"not available: {cause.message}",
                extra={"reason": cause.message, "alternatives": alternatives},
            )
        if cause.type == "Invalid":
            details = cause.details[0] if cause.details else {}
            field = details.get("field") if isinstance(details, dict) else None
            return InvalidInput(cause.message, field=field)
        return Conflict(cause.message, extra={"error": cause.type})
    return Conflict(str(cause or exc))


async def send_signal(
    temporal: TemporalConnection, *, reservation_id: uuid.UUID, signal: str, arg: Any
) -> bool:
    """Signal a reservation's workflow; False when it has ended (or never existed).

    An unreachable Temporal raises 503, so a provider retries its webhook later
    rather than have its event dropped.
    """
    client = await temporal.client()
    handle = client.get_workflow_handle(workflow_id(reservation_id))
    try:
        await handle.signal(signal, arg)
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            return False
        raise _rpc_problem(exc) from None
    return True
