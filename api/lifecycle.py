"""The API's side of the reservation workflow: start with update-with-start, send updates.

Temporal errors become problem+json: an illegal transition is a 409 naming the
state, a refused modification a 409 with alternatives, Temporal being down a 503.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import (
    WithStartWorkflowOperation,
    WorkflowFailureError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.types import MethodSyncOrAsyncSingleParam
from temporalio.workflow import UpdateMethodMultiParam

from api.problems import Conflict, InvalidInput, NotFound, Problem, ServiceUnavailable
from api.temporal import TemporalConnection
from models.schemas.lifecycle import (
    CreateRequest,
    LifecyclePolicy,
    ReservationInput,
    ReservationState,
)
from reservations.settings import Settings
from services import reservation_queries as queries
from services.lifecycle_policy import lifecycle_policy
from services.reservation_queries import ReservationView
from workflows.reservation import IDEMPOTENCY_KEY_REUSED, ReservationWorkflow

# the argument of one update or signal, so mypy checks each call against the handler
Arg = TypeVar("Arg")
Result = TypeVar("Result")
Update = UpdateMethodMultiParam[[ReservationWorkflow, Arg], Result]
Signal = MethodSyncOrAsyncSingleParam[ReservationWorkflow, Arg, None]
# the same for any of our workflow types (reservation, waitlist entry, dispatcher)
AnyUpdate = UpdateMethodMultiParam[[Any, Arg], Result]
AnySignal = MethodSyncOrAsyncSingleParam[Any, Arg, None]

# a stable namespace so the same idempotency key always names the same reservation
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1d3c0e-5a8b-4f2e-9c47-2b1e8d9a7f10")


def workflow_id(reservation_id: uuid.UUID) -> str:
    """The workflow id of a reservation."""
    return f"reservation-{reservation_id}"


def policy_for(settings: Settings, *, manual: bool) -> LifecyclePolicy:
    """The lifecycle timings for a new booking."""
    return lifecycle_policy(settings, manual=manual)


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
    it closed, a refusal is returned again and a booking raises `BookingReplayed`
    so the caller answers with that booking, whatever happened to it since.
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
    # the same request again shares the first one's update id (the server answers it
    # with the first answer); another request under the key meets the update's validator
    update_id = f"create-{idempotency_key or inp.booking.reservation_id}"
    if idempotency_key and inp.request_digest:
        update_id = f"{update_id}-{inp.request_digest}"
    try:
        state = await client.execute_update_with_start_workflow(
            ReservationWorkflow.create,
            CreateRequest(idempotency_key=idempotency_key, request_digest=inp.request_digest),
            start_workflow_operation=operation,
            id=update_id,
        )
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type == IDEMPOTENCY_KEY_REUSED:
            raise InvalidInput(
                f"{cause.message}: send a new key for a new booking",
                field="Idempotency-Key",
            ) from None
        raise _update_problem(exc) from None
    except WorkflowAlreadyStartedError:
        # the first run has closed: a refusal is answered again, a booking from the database
        handle = client.get_workflow_handle_for(ReservationWorkflow.run, wf_id)
        try:
            ended: ReservationState | None = await handle.result()
        except WorkflowFailureError:
            ended = None
        if ended is None or not ended.refused:
            raise BookingReplayed(inp.booking.reservation_id) from None
        state = ended
    except RPCError as exc:
        raise rpc_problem(exc) from None
    return state


class BookingReplayed(Exception):
    """A create replayed after its booking's workflow closed: answer from the database."""

    def __init__(self, reservation_id: uuid.UUID) -> None:
        super().__init__(f"reservation {reservation_id} was made by an earlier request")
        self.reservation_id = reservation_id


def rpc_problem(exc: RPCError) -> Problem:
    if exc.status is RPCStatusCode.NOT_FOUND:
        return NotFound("no such reservation workflow")
    return ServiceUnavailable(f"the workflow service is unavailable: {exc.message}")


async def send_update(
    temporal: TemporalConnection,
    update: Update[Arg, Result],
    arg: Arg,
    *,
    session: AsyncSession,
    reservation_id: uuid.UUID,
) -> Result:
    """Run an update on a reservation's workflow and map refusals to problems."""
    return await update_workflow(
        temporal,
        update,
        arg,
        session=session,
        workflow_id=workflow_id(reservation_id),
        closed="this reservation is closed and can no longer change",
    )


async def update_workflow(
    temporal: TemporalConnection,
    update: AnyUpdate[Arg, Result],
    arg: Arg,
    *,
    session: AsyncSession,
    workflow_id: str,
    closed: str,
) -> Result:
    """Run an update on any of our workflows and map refusals to problems.

    The request's own transaction ends first: the workflow's activities write the
    same rows, and on SQLite an open transaction would hold the write lock. A
    workflow that has ended answers 409 with `closed`.
    """
    await session.rollback()
    client = await temporal.client()
    handle = client.get_workflow_handle(workflow_id)
    try:
        state = await handle.execute_update(update, arg)
    except WorkflowUpdateFailedError as exc:
        raise _update_problem(exc) from None
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            # the workflow has ended: nothing can change any more
            raise Conflict(closed) from None
        raise rpc_problem(exc) from None
    return state


async def act_and_read(
    temporal: TemporalConnection,
    update: Update[Arg, ReservationState],
    arg: Arg,
    *,
    session: AsyncSession,
    reservation_id: uuid.UUID,
) -> ReservationView:
    """Act through the reservation's workflow, then read the reservation it wrote."""
    await send_update(temporal, update, arg, session=session, reservation_id=reservation_id)
    session.expire_all()
    return await queries.get_view(session, reservation_id=reservation_id)


def _update_problem(exc: WorkflowUpdateFailedError) -> Problem:
    cause = exc.cause
    if isinstance(cause, ActivityError) and isinstance(cause.cause, ApplicationError):
        # an activity's refusal the handler let through: the refusal is the answer
        cause = cause.cause
    if isinstance(cause, ApplicationError):
        if cause.type == "NotFound":
            return NotFound(cause.message)
        if cause.type == "NotAvailable":
            details = cause.details[0] if cause.details else {}
            alternatives = details.get("alternatives", []) if isinstance(details, dict) else []
            return Conflict(
                f"not available: {cause.message}",
                extra={"reason": cause.message, "alternatives": alternatives},
            )
        if cause.type == "Invalid":
            details = cause.details[0] if cause.details else {}
            if not isinstance(details, dict):
                details = {}
            reason = details.get("reason")
            return InvalidInput(
                cause.message,
                field=details.get("field"),
                extra={"reason": reason} if reason else None,
            )
        return Conflict(cause.message, extra={"error": cause.type})
    return Conflict(str(cause or exc))


async def send_signal(
    temporal: TemporalConnection, signal: Signal[Arg], arg: Arg, *, reservation_id: uuid.UUID
) -> bool:
    """Signal a reservation's workflow; False when it has ended (or never existed)."""
    return await signal_workflow(temporal, signal, arg, workflow_id=workflow_id(reservation_id))


async def signal_workflow(
    temporal: TemporalConnection, signal: AnySignal[Arg], arg: Arg, *, workflow_id: str
) -> bool:
    """Signal any of our workflows; False when it has ended (or never existed).

    An unreachable Temporal raises 503, so a provider retries its webhook later
    rather than have its event dropped.
    """
    client = await temporal.client()
    handle = client.get_workflow_handle(workflow_id)
    try:
        await handle.signal(signal, arg)
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            return False
        raise rpc_problem(exc) from None
    return True
