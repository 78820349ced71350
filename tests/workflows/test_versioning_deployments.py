"""The worked example again, shipped the other way: as a new Worker Versioning build.

Two workers of one deployment poll one task queue on the dev server: build `0.1.0`
runs the reservation workflow as released (a refusal upserts no search attributes)
and build `0.2.0` runs today's code (it does). A booking started while 0.1.0 is
current is pinned to it: after 0.2.0 becomes current it still finishes on 0.1.0's
worker with 0.1.0's behaviour, while a booking started afterwards runs on 0.2.0.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkerDeploymentVersion
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.schemas.booking import HoldOutcome
from models.schemas.lifecycle import BookingFacts, ReservationInput, ReservationState
from reservations.settings import Settings
from tests.api.conftest import dev_server
from tests.conftest import JWT_SECRET
from tests.conftest import test_settings as settings_for
from tests.workflows.test_reservation_workflow import booking_input, far_future
from worker.versioning import (
    BEHAVIORS,
    VersioningMisconfigured,
    deployment_config,
    has_version,
    make_current,
)
from workflows.activity_contracts import hold_booking
from workflows.reservation import ReservationWorkflow
from workflows.search_attributes import RESERVATION_DATE, RESTAURANT_ID

__all__ = ["dev_server"]  # the session's dev server fixture

OLD, NEW = "0.1.0", "0.2.0"


@workflow.defn(name="ReservationWorkflow", sandboxed=False)
class ReleasedReservationWorkflow(ReservationWorkflow):
    """Release 0.1.0's reservation: a refused booking was not made searchable."""

    @workflow.run
    async def run(self, inp: ReservationInput) -> ReservationState:
        return await super().run(inp)

    def _mark_refusal_searchable(self, inp: ReservationInput) -> None:
        return None

    async def _hold(self, inp: ReservationInput) -> BookingFacts:
        # 0.1.0 scheduled the hold as a regular activity (no hold-local-activity patch)
        return await workflow.execute_activity(
            hold_booking, inp, start_to_close_timeout=timedelta(seconds=30)
        )


@dataclass
class Holds:
    """A hold activity per build that waits for the test's go, and who served what."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    served: list[tuple[str, uuid.UUID]] = field(default_factory=list)

    def activity_for(self, build: str) -> Callable[[ReservationInput], Awaitable[BookingFacts]]:
        @activity.defn(name="hold_booking")
        async def hold_booking(inp: ReservationInput) -> BookingFacts:
            self.served.append((build, inp.booking.reservation_id))
            await self.go.wait()
            outcome = HoldOutcome(
                held=False, reservation_id=inp.booking.reservation_id, reason="fully booked"
            )
            return BookingFacts(hold=outcome)

        return hold_booking


def _worker(
    client: Client, queue: str, deployment: str, build: str, holds: Holds, behavior: str
) -> Worker:
    settings = settings_for(
        "sqlite+aiosqlite://",
        worker_deployment_name=deployment,
        worker_build_id=build,
        worker_versioning_behavior=behavior,
    )
    config = deployment_config(settings)
    assert config is not None
    assert config.default_versioning_behavior is BEHAVIORS[behavior]
    workflows: list[type[Any]] = [
        ReleasedReservationWorkflow if build == OLD else ReservationWorkflow
    ]
    return Worker(
        client,
        task_queue=queue,
        workflows=workflows,
        activities=[holds.activity_for(build)],
        deployment_config=config,
    )


async def _book(
    client: Client, queue: str
) -> tuple[ReservationInput, WorkflowHandle[Any, ReservationState]]:
    inp = booking_input(day=far_future())
    handle = await client.start_workflow(
        ReservationWorkflow.run,
        inp,
        id=f"reservation-{inp.booking.reservation_id}",
        task_queue=queue,
    )
    return inp, handle


async def _served_by(handle: WorkflowHandle[Any, ReservationState]) -> set[str]:
    """The build ids of the workers that completed this workflow's tasks (from its history)."""
    builds: set[str] = set()
    async for event in handle.fetch_history_events():
        if event.HasField("workflow_task_completed_event_attributes"):
            done = event.workflow_task_completed_event_attributes
            builds.add(done.deployment_version.build_id)
    return builds


async def _until(check: Callable[[], bool], state: Callable[[], object]) -> None:
    """Wait up to 30 s for `check`; a time-out says what `state` was then."""
    for _ in range(1500):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened; state: {state()}")


@pytest.mark.parametrize("behavior", ["pinned", "auto_upgrade"])
async def test_a_pinned_booking_finishes_on_its_build_and_a_new_one_runs_the_new_code(
    dev_server: WorkflowEnvironment, behavior: str
) -> None:
    """Pinned: the old booking stays on 0.1.0. Auto-upgrade (the negative control): it
    moves to 0.2.0 at its next task and takes the new branch there, which is why an
    auto-upgrading change must be made with `workflow.patched` as well."""
    client = dev_server.client
    queue = f"versioning-{uuid.uuid4().hex[:8]}"
    deployment = f"reservations-{uuid.uuid4().hex[:8]}"
    holds = Holds()
    old_worker = _worker(client, queue, deployment, OLD, holds, behavior)
    async with old_worker:
        await make_current(client, WorkerDeploymentVersion(deployment, OLD))
        old_inp, old_booking = await _book(client, queue)
        await _until(lambda: len(holds.served) == 1, lambda: holds.served)

        new_worker = _worker(client, queue, deployment, NEW, holds, behavior)
        async with new_worker:
            await make_current(client, WorkerDeploymentVersion(deployment, NEW))
            new_inp, new_booking = await _book(client, queue)
            await _until(lambda: len(holds.served) == 2, lambda: holds.served)
            holds.go.set()
            old_state = await old_booking.result()
            new_state = await new_booking.result()

    assert old_state.refused and new_state.refused
    # each booking's hold ran on the worker of the build that was current at its start
    assert holds.served == [
        (OLD, old_inp.booking.reservation_id),
        (NEW, new_inp.booking.reservation_id),
    ]
    assert await _served_by(new_booking) == {NEW}
    new_attributes = (await new_booking.describe()).typed_search_attributes
    assert new_attributes.get(RESTAURANT_ID) == str(new_inp.booking.restaurant_id)
    assert new_attributes.get(RESERVATION_DATE) == new_inp.booking.date.isoformat()
    old_attributes = (await old_booking.describe()).typed_search_attributes
    if behavior == "pinned":
        # the old booking ran 0.1.0's code to its end: no search attributes for its refusal
        assert await _served_by(old_booking) == {OLD}
        assert old_attributes.get(RESTAURANT_ID) is None
    else:
        assert await _served_by(old_booking) == {OLD, NEW}
        assert old_attributes.get(RESTAURANT_ID) == str(old_inp.booking.restaurant_id)


@pytest.mark.long_running
async def test_the_worker_process_polls_as_its_build(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    """`reservations worker` with the settings joins the deployment as that version."""
    client = dev_server.client
    version = WorkerDeploymentVersion(f"reservations-{uuid.uuid4().hex[:8]}", NEW)
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}",
        TEMPORAL_ADDRESS=client.service_client.config.target_host,
        TEMPORAL_TASK_QUEUE=f"versioning-{uuid.uuid4().hex[:8]}",
        JWT_SECRET=JWT_SECRET,
        WORKER_DEPLOYMENT_NAME=version.deployment_name,
        WORKER_BUILD_ID=version.build_id,
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "reservations.cli",
            "worker",
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(Path(__file__).parents[2])},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            for _ in range(600):
                if await has_version(client, version):
                    break
                assert worker.returncode is None, log_path.read_text()[-3000:]
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the worker never polled as its build")
        finally:
            worker.send_signal(signal.SIGTERM)
            exit_code = await asyncio.wait_for(worker.wait(), 60)
    assert exit_code == 0, log_path.read_text()[-3000:]


def test_versioning_is_off_unless_both_names_are_set() -> None:
    assert deployment_config(settings_for("sqlite+aiosqlite://")) is None
    for half in ({"worker_deployment_name": "reservations"}, {"worker_build_id": NEW}):
        with pytest.raises(VersioningMisconfigured):
            deployment_config(settings_for("sqlite+aiosqlite://", **half))
