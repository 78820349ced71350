"""kill -9 of the worker in the middle of a booking, a refund and a message send.

Each time the work is caught in flight on purpose (a table lock the test holds, a
provider fake that holds the request), the worker process is killed with SIGKILL, and a
new worker process started. Temporal gives the activity to the new worker once its
start-to-close timeout has passed (30 s for database work, 60 s for providers), and the
work is finished exactly once: one reservation with its tables, one refund at the
provider (its idempotency key) and in our database, one message sent.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from temporalio.api.enums.v1 import EventType

from models.enums import AllocationStatus
from models.orm import Reservation, TableAllocation
from tests.api.conftest import eventually
from tests.api.test_reservation_lifecycle import booking
from tests.api.workflow_probe import history, reservation_workflow_id
from tests.faults.stack import BASE, Cluster, Stack, restaurant, running_stack

pytestmark = [pytest.mark.xdist_group("faults"), pytest.mark.temporal, pytest.mark.postgres]


async def waiting_on_a_lock(stack: Stack) -> bool:
    """True when another session waits for a lock (the worker's hold, here)."""
    async with stack.db.engine.connect() as conn:
        waiting = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        )
    return bool(waiting)


async def activity_attempts(stack: Stack, reservation_id: str, name: str) -> list[int]:
    """The attempt number of each start of activity `name` in the reservation's history."""
    client = await stack.temporal_client()
    events = await history(client, reservation_workflow_id(reservation_id))
    scheduled = {
        e.event_id
        for e in events
        if e.event_type is EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == name
    }
    return [
        e.activity_task_started_event_attributes.attempt
        for e in events
        if e.event_type is EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        and e.activity_task_started_event_attributes.scheduled_event_id in scheduled
    ]


async def test_a_booking_whose_worker_is_killed_mid_hold_is_made_once_by_a_new_worker(
    cluster: Cluster, tmp_path: Path
) -> None:
    async with running_stack(cluster, tmp_path) as stack:
        admin = await stack.admin()
        rid = await restaurant(stack, admin)
        async with stack.db.engine.connect() as blocker:
            transaction = await blocker.begin()
            # reads go on; the hold's INSERT into table_allocations waits for the test
            await blocker.execute(text("LOCK TABLE table_allocations IN EXCLUSIVE MODE"))
            booking_task = asyncio.create_task(
                stack.client.post(f"{BASE}/reservations", json=booking(rid))
            )
            await eventually(lambda: waiting_on_a_lock(stack), "the hold waiting on the lock")
            stack.kill_worker()
            await transaction.rollback()
        await stack.start_worker()

        made = await asyncio.wait_for(booking_task, timeout=90)
        assert made.status_code == 201, made.text
        res = made.json()
        assert res["status"] in {"confirmed", "pending_confirmation"}
        async with stack.db.sessions() as session:
            reservations = await session.scalar(select(func.count()).select_from(Reservation))
            tables = list(
                await session.scalars(
                    select(TableAllocation.table_id).where(
                        TableAllocation.reservation_id == uuid.UUID(res["id"]),
                        TableAllocation.status != AllocationStatus.RELEASED,
                    )
                )
            )
        assert reservations == 1
        assert len(tables) == 1
        # the killed worker's attempt never reported; the new worker's second attempt did
        assert await activity_attempts(stack, res["id"], "hold_booking") == [2]
        shown = await stack.client.get(
            f"{BASE}/reservations/{res['id']}", params={"token": res["manage_token"]}
        )
        assert shown.status_code == 200 and shown.json()["reference"] == res["reference"]
