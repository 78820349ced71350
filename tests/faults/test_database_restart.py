"""PostgreSQL crashes and comes back: the API answers 503 meanwhile and recovers by itself.

The cluster is stopped with `pg_ctl -m immediate` (no clean shutdown, crash recovery at
the next start) under a running API and worker. While it is down, routes that need the
database answer a problem+json 503 with Retry-After, never a 500 or a hang, and /readyz
says not ready; a cancel sent meanwhile is accepted by the workflow, whose activity keeps
failing and is retried. After the restart the same API process answers again (its pool
drops the dead connections) and the retried activity records the cancel: nothing lost.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.orm import Reservation
from models.schemas.lifecycle import CancelRequest
from tests.api.conftest import eventually
from tests.api.test_reservation_lifecycle import booking
from tests.api.workflow_probe import reservation_workflow_id
from tests.faults.stack import BASE, PATIENCE, Cluster, Stack, restaurant, running_stack
from workflows.reservation import ReservationWorkflow

pytestmark = [
    pytest.mark.long_running,
    pytest.mark.xdist_group("faults-database_restart"),
    pytest.mark.temporal,
    pytest.mark.postgres,
]


async def assert_unavailable(stack: Stack, path: str, **kwargs: object) -> None:
    answer = await stack.client.get(path, timeout=15, **kwargs)  # type: ignore[arg-type]
    assert answer.status_code == 503, (path, answer.status_code, answer.text)
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 503
    assert int(answer.headers["retry-after"]) > 0


async def test_the_api_answers_503_while_postgres_is_down_and_recovers_without_a_restart(
    cluster: Cluster, tmp_path: Path
) -> None:
    async with running_stack(cluster, tmp_path) as stack:
        admin = await stack.admin()
        rid = await restaurant(stack, admin)
        made = await stack.client.post(f"{BASE}/reservations", json=booking(rid))
        assert made.status_code == 201, made.text
        res = made.json()
        assert (await stack.client.get("/readyz")).status_code == 200
        api_pid = stack.api.process.pid if stack.api.process else None

        await asyncio.to_thread(stack.pg.crash)

        await assert_unavailable(stack, "/readyz")
        await assert_unavailable(stack, f"{BASE}/restaurants", headers=admin)
        await assert_unavailable(
            stack, f"{BASE}/reservations/{res['id']}", params={"token": res["manage_token"]}
        )
        # the API checks the manage token in the database, so it refuses the cancel with a
        # 503 (the guest retries); a cancel already on its way to the workflow is taken in,
        # and its activity fails against the dead database and is retried
        refused = await stack.client.post(
            f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
        )
        assert refused.status_code == 503, refused.text
        client = await stack.temporal_client()
        handle = client.get_workflow_handle_for(
            ReservationWorkflow.run, reservation_workflow_id(res["id"])
        )
        cancelling = asyncio.create_task(
            handle.execute_update(
                ReservationWorkflow.cancel, CancelRequest(by="guest", reason="plans changed")
            )
        )

        async def activity_retried() -> bool:
            pending = (await handle.describe()).raw_description.pending_activities
            return any(p.attempt >= 2 and p.last_failure.message for p in pending)

        await eventually(
            activity_retried, "the cancel's activity failing and retried", seconds=PATIENCE
        )
        assert not cancelling.done()

        await asyncio.to_thread(stack.pg.start)

        state = await asyncio.wait_for(cancelling, timeout=90)
        assert state.status == "cancelled_by_guest"
        # the same API process, no restart: the pool replaced its dead connections
        assert stack.api.process is not None and stack.api.process.pid == api_pid
        assert (await stack.client.get("/readyz")).status_code == 200
        listed = await stack.client.get(f"{BASE}/restaurants", headers=admin)
        assert listed.status_code == 200, listed.text
        again = await stack.client.post(f"{BASE}/reservations", json=booking(rid, at="20:00"))
        assert again.status_code == 201, again.text
        async with stack.db.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(Reservation))
            status = await session.scalar(
                select(Reservation.status).where(Reservation.id == uuid.UUID(res["id"]))
            )
        assert count == 2
        assert status == "cancelled_by_guest"
        shown = await stack.client.get(
            f"{BASE}/reservations/{res['id']}", params={"token": res["manage_token"]}
        )
        assert shown.status_code == 200, shown.text
        assert shown.json()["status"] == "cancelled_by_guest"
        assert "unhandled error" not in stack.api.output
