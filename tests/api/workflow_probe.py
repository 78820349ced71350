"""What a reservation workflow has recorded, for tests that check that nothing more happens.

A fixed sleep before "no refund was asked" passes whenever the sleep is shorter
than the work it waits for.  ``settled`` waits instead until the workflow has
taken in everything sent to it and has nothing in flight: no workflow task
scheduled or running and no activity pending (retrying ones included), on two
looks in a row with the same history length.  The server schedules a workflow
task in the same write that records a signal, an update or an activity's result,
so once ``settled`` answers, whatever the workflow was going to do about what
reached the server before the call has been decided, and any activity it
started has finished.  (A timer the workflow waits on does not count: it is
where an idle workflow rests.)
"""

from __future__ import annotations

import uuid

from temporalio.api.enums.v1 import EventType, PendingWorkflowTaskState
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionResponse
from temporalio.client import Client, WorkflowExecutionStatus

from api.lifecycle import workflow_id
from tests.api.conftest import eventually


def reservation_workflow_id(reservation_id: str) -> str:
    """The workflow id of a reservation, from its id as the API returns it."""
    return workflow_id(uuid.UUID(reservation_id))


async def history(client: Client, workflow_id: str) -> list[HistoryEvent]:
    """The workflow's history events so far."""
    fetched = await client.get_workflow_handle(workflow_id).fetch_history()
    return list(fetched.events)


async def _idle_length(client: Client, workflow_id: str) -> int | None:
    """The history length when the workflow is idle now, else None."""
    described = await client.get_workflow_handle(workflow_id).describe()
    raw = described.raw_description
    running = described.status is WorkflowExecutionStatus.RUNNING
    if running and (raw.pending_activities or raw.HasField("pending_workflow_task")):
        return None
    return len(await history(client, workflow_id))


async def settled(client: Client, workflow_id: str, *, seconds: float = 15.0) -> list[HistoryEvent]:
    """Wait until the workflow is idle on two looks in a row with the same history; its events."""
    seen: list[int] = []

    async def probe() -> bool:
        length = await _idle_length(client, workflow_id)
        if length is None:
            seen.clear()
            return False
        seen.append(length)
        return len(seen) >= 2 and seen[-1] == seen[-2]

    await eventually(probe, f"{workflow_id} idle with nothing in flight", seconds=seconds)
    return await history(client, workflow_id)


def activity_types(events: list[HistoryEvent]) -> list[str]:
    """The activity types the workflow scheduled, in order."""
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


def signal_names(events: list[HistoryEvent]) -> list[str]:
    """The signals the workflow received, in order."""
    return [
        e.workflow_execution_signaled_event_attributes.signal_name
        for e in events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    ]


async def taken_in(
    client: Client, workflow_id: str, activity_type: str, *, seconds: float = 30.0
) -> None:
    """Wait until no `activity_type` activity is pending and no workflow task either.

    For a workflow with other work in flight (an update blocked in another
    activity): its finished `activity_type` activities have been reported and the
    workflow task that takes in their results has run.  On a time-out the failure
    names what was still pending (activity attempts and failures, the workflow
    task's state and attempt), so a loaded run's failure can be told from a stuck one.
    """
    handle = client.get_workflow_handle(workflow_id)
    seen: list[str] = []

    async def probe() -> bool:
        raw = (await handle.describe()).raw_description
        pending = [a.activity_type.name for a in raw.pending_activities]
        seen[:] = [_pending_of(raw)]
        return activity_type not in pending and not raw.HasField("pending_workflow_task")

    try:
        await eventually(
            probe, f"{workflow_id} took in its {activity_type} results", seconds=seconds
        )
    except AssertionError as timed_out:
        raise AssertionError(f"{timed_out}; pending: {seen[0] if seen else '?'}") from None


def _pending_of(raw: DescribeWorkflowExecutionResponse) -> str:
    """What a described workflow still has in flight, in one line."""
    activities = [
        f"{a.activity_type.name} (attempt {a.attempt}, state {a.state}"
        + (f", last failure {a.last_failure.message!r}" if a.HasField("last_failure") else "")
        + ")"
        for a in raw.pending_activities
    ]
    task = (
        f"workflow task state {raw.pending_workflow_task.state} "
        f"attempt {raw.pending_workflow_task.attempt}"
        if raw.HasField("pending_workflow_task")
        else "no workflow task"
    )
    return "; ".join([*activities, task])


async def waiting_for_a_worker(client: Client, workflow_id: str, *, seconds: float = 15.0) -> None:
    """Wait until the server holds a workflow task for the workflow that no worker has taken.

    With the workflow idle and its worker stopped, that is an update (or signal)
    which has reached Temporal and waits there durably for a worker.
    """
    handle = client.get_workflow_handle(workflow_id)
    scheduled = PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED

    async def probe() -> bool:
        raw = (await handle.describe()).raw_description
        return (
            raw.HasField("pending_workflow_task") and raw.pending_workflow_task.state == scheduled
        )

    await eventually(probe, f"{workflow_id} has a task waiting for a worker", seconds=seconds)
