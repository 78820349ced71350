"""The API's side of the waitlist workflows: start an entry, send it updates.

An entry's workflow starts with update-with-start (`create`), so joining answers
once the workflow has the entry. Updates and their refusals go through the one
helper in `api.lifecycle` that serves every workflow type: an illegal answer (no
open offer, an offer that expired, an entry that has ended) is a 409.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import structlog
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from activities.capacity import capacity_freed
from api.lifecycle import AnyUpdate, Arg, rpc_problem, update_workflow
from api.problems import Conflict, Problem
from api.temporal import TemporalConnection
from models.schemas.waitlist import OfferAnswer, WaitlistInput, WaitlistState, entry_workflow_id
from reservations.settings import Settings
from rules.sms_replies import classify_offer_reply
from services import inbound
from services.waitlist import entries
from services.waitlist.waiting_days import waiting_days
from workflows.waitlist import WaitlistWorkflow

log = structlog.get_logger(__name__)

CLOSED = "this waitlist entry has ended and can no longer change"
# how long an answer waits for an offer the database shows to reach the entry's workflow
OFFER_ARRIVAL_SECONDS = 5.0


async def start_entry(
    temporal: TemporalConnection, *, inp: WaitlistInput, task_queue: str
) -> WaitlistState | None:
    """Start the entry's workflow and wait until it has the entry, in one round trip.

    Joining again while the entry waits reaches the same workflow (the create
    update is de-duplicated by its id). None when the entry's workflow has
    already ended: the database then has the last word on the entry.
    """
    client = await temporal.client()
    operation = WithStartWorkflowOperation(
        WaitlistWorkflow.run,
        inp,
        id=entry_workflow_id(inp.entry_id),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
    try:
        return await client.execute_update_with_start_workflow(
            WaitlistWorkflow.create,
            start_workflow_operation=operation,
            id=f"create-{inp.entry_id}",
        )
    except WorkflowAlreadyStartedError:
        return None
    except RPCError as exc:
        raise rpc_problem(exc) from None


async def update_entry(
    temporal: TemporalConnection,
    update: AnyUpdate[Arg, WaitlistState],
    arg: Arg,
    *,
    session: AsyncSession,
    entry_id: uuid.UUID,
) -> WaitlistState:
    """Send one update to an entry's workflow (problems as for reservations).

    An answer to an offer the database already shows, but the dispatcher has not yet
    signalled to the entry's workflow, waits for it (OFFER_ARRIVAL_SECONDS at most):
    the offer is written and told to the guest a moment before the signal arrives.
    """
    deadline = time.monotonic() + OFFER_ARRIVAL_SECONDS
    while True:
        try:
            return await update_workflow(
                temporal,
                update,
                arg,
                session=session,
                workflow_id=entry_workflow_id(entry_id),
                closed=CLOSED,
            )
        except Conflict as refused:
            answering = update in (WaitlistWorkflow.accept, WaitlistWorkflow.decline)
            if not (
                answering
                and refused.extra.get("error") == "IllegalTransition"
                and time.monotonic() < deadline
                and await entries.shows_an_offer(session, entry_id=entry_id)
            ):
                raise
        await asyncio.sleep(0.1)


async def answer_offer_by_sms(
    temporal: TemporalConnection,
    *,
    session: AsyncSession,
    guest_ids: Sequence[uuid.UUID],
    body: str,
    now: datetime,
) -> bool:
    """A bare yes or no from a phone with an open offer answers that offer.

    True when the reply was about an offer (answered, or too late), so the
    reservation logic leaves it alone; False for anything else.
    """
    answer = classify_offer_reply(body)
    if answer is None:
        return False
    entry_id = await inbound.entry_with_open_offer(session, guest_ids=guest_ids, now=now)
    if entry_id is None:
        return False
    update = WaitlistWorkflow.accept if answer == "accept" else WaitlistWorkflow.decline
    try:
        await update_entry(
            temporal, update, OfferAnswer(via="sms"), session=session, entry_id=entry_id
        )
    except Conflict as refused:
        # the offer lapsed between the query and the update (or a repeat of the reply)
        log.info("SMS answer to an offer refused", entry_id=str(entry_id), detail=refused.detail)
    return True


async def capacity_grew(request: Request, *, restaurant_id: uuid.UUID, reason: str) -> None:
    """Tables were added or unblocked, or a closed day reopened: offer them to waiting guests.

    Every upcoming day with a waiting entry has its dispatcher told (signal-with-start);
    a restaurant with nobody waiting never reaches Temporal. The change itself is
    already saved, so a Temporal outage here is logged rather than answered with a 503
    (which would invite a retry of a change that worked); the dispatcher matches again
    at the next freed table.
    """
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    settings: Settings = request.app.state.settings
    since = (datetime.now(UTC) - timedelta(days=1)).date()  # a service may run past midnight
    async with sessions() as session:
        days = await waiting_days(session, restaurant_id=restaurant_id, since=since)
    if not days:
        return
    try:
        client = await TemporalConnection(request).client()
        await capacity_freed(
            client,
            sessions,
            restaurant_id=restaurant_id,
            days=days,
            reason=reason,
            event_id=f"{reason}:{uuid.uuid4()}",
            task_queue=settings.temporal_task_queue,
        )
    except (Problem, RPCError) as exc:
        log.warning(
            "waitlist dispatchers not told of new capacity",
            restaurant_id=str(restaurant_id),
            reason=reason,
            error=str(exc),
        )
