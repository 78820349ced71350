"""Starting and reading MarketingSync workflows from the API.

A manager's start joins a sync of the same restaurant and segment already running
(a double click runs one). A withdrawal uses signal-with-start, so a sync already
running makes one more pass after the guest left.
"""

from __future__ import annotations

import uuid

import structlog
from temporalio.client import WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from api.problems import NotFound, ServiceUnavailable
from api.temporal import TemporalConnection
from models.schemas.marketing import Segment, SyncInput, SyncResult, SyncStatus
from reservations.settings import Settings
from workflows.marketing_sync import MarketingSyncWorkflow, sync_workflow_id

log = structlog.get_logger(__name__)


def require_configured(settings: Settings) -> None:
    """503 while no MailerLite token is configured (the sync is off)."""
    if not settings.mailerlite_api_token:
        raise ServiceUnavailable("marketing sync is not configured: set MAILERLITE_API_TOKEN")


async def start_sync(
    temporal: TemporalConnection, settings: Settings, *, restaurant_id: uuid.UUID, segment: Segment
) -> str:
    """Start the segment's sync, or join the one running; the workflow id."""
    require_configured(settings)
    inp = SyncInput(restaurant_id=restaurant_id, segment=segment)
    client = await temporal.client()
    handle = await client.start_workflow(
        MarketingSyncWorkflow.run,
        inp,
        id=sync_workflow_id(inp),
        task_queue=settings.temporal_task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
    return handle.id


async def sync_status(
    temporal: TemporalConnection, *, restaurant_id: uuid.UUID, segment: Segment
) -> SyncStatus:
    """The latest sync of the segment: running, completed (with counts) or failed."""
    workflow_id = sync_workflow_id(SyncInput(restaurant_id=restaurant_id, segment=segment))
    client = await temporal.client()
    handle = client.get_workflow_handle_for(MarketingSyncWorkflow.run, workflow_id)
    try:
        description = await handle.describe()
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            raise NotFound(f"no sync of {segment.value} has run") from None
        raise
    status = description.status
    result: SyncResult | None = None
    if status is WorkflowExecutionStatus.COMPLETED:
        result = await handle.result()
    name = status.name.lower() if status is not None else "unknown"
    return SyncStatus(workflow_id=workflow_id, segment=segment, status=name, result=result)


async def propagate_withdrawal(
    temporal: TemporalConnection, settings: Settings, *, restaurant_ids: list[uuid.UUID]
) -> None:
    """Have MailerLite told at once; a failure here is caught up by the next sync."""
    if not settings.mailerlite_api_token:
        return
    try:
        client = await temporal.client()
        for restaurant_id in restaurant_ids:
            inp = SyncInput(restaurant_id=restaurant_id, segment=None)
            await client.start_workflow(
                MarketingSyncWorkflow.run,
                inp,
                id=sync_workflow_id(inp),
                task_queue=settings.temporal_task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                start_signal="again",
            )
    except Exception as exc:  # the withdrawal itself is recorded; the guest is not failed
        log.warning("marketing.withdrawal_not_propagated", error=type(exc).__name__)
