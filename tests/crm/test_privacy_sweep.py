"""A privacy link asked for while Temporal was unreachable is sent later, by the sweep
the worker's Schedule runs, and never twice."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from models.enums import NotificationStatus
from models.orm import Notification
from tests.api.conftest import LiveApi, eventually
from tests.conftest import Api, Database
from tests.crm.privacy_helpers import BASE, guest_known_to
from worker.schedules import PRIVACY_SWEEP_SCHEDULE, ensure_privacy_sweep_schedule
from workflows.privacy_message import PRIVACY_SWEEP_WORKFLOW, privacy_message_workflow_id

HISTORIES = Path(__file__).parent.parent / "workflows" / "histories"


async def _status(db: Database, notification_id: uuid.UUID) -> NotificationStatus:
    async with db.sessions() as session:
        row = await session.get(Notification, notification_id)
        assert row is not None
        return row.status


async def _sweep(live: LiveApi) -> int:
    result: int = await live.env.client.execute_workflow(
        PRIVACY_SWEEP_WORKFLOW,
        id=f"privacy-sweep-{uuid.uuid4().hex[:8]}",
        task_queue=live.task_queue,
        result_type=int,
    )
    return result


async def test_a_link_asked_while_temporal_was_down_is_sent_by_the_sweep(
    api: Api, live: LiveApi
) -> None:
    known = await guest_known_to(api.db, names=["Aubergine"])
    # `api` reaches no Temporal: the request is answered, its send cannot start
    asked = await api.client.post(f"{BASE}/privacy/export-requests", json={"email": known.email})
    assert asked.status_code == 202, asked.text
    async with api.db.sessions() as session:
        [row_id] = await session.scalars(
            select(Notification.id).where(Notification.guest_id == known.guest_id)
        )
    assert await _status(api.db, row_id) is NotificationStatus.QUEUED

    # under a minute old: the API may still be starting that send itself
    assert await _sweep(live) == 0
    async with api.db.sessions() as session, session.begin():
        row = await session.get(Notification, row_id)
        assert row is not None
        row.created_at -= timedelta(minutes=2)
    assert await _sweep(live) == 1

    async def sent() -> bool:
        return await _status(api.db, row_id) is NotificationStatus.SENT

    await eventually(sent, "the link sent by the send the sweep started")
    assert await _sweep(live) == 0  # a send that started once never starts again
    if os.environ.get("RECORD_HISTORIES") == "1" and api.db.kind == "sqlite":
        handle = live.env.client.get_workflow_handle(privacy_message_workflow_id(row_id))
        assert await handle.result() is True
        runs = live.env.client.list_workflows(f"WorkflowType = '{PRIVACY_SWEEP_WORKFLOW}'")
        async for run in runs:
            sweep = live.env.client.get_workflow_handle(run.id, run_id=run.run_id)
            if await sweep.result() == 1:
                history = await sweep.fetch_history()
                (HISTORIES / "privacy_sweep-started.json").write_text(history.to_json())


async def test_the_worker_keeps_the_sweep_schedule(live: LiveApi) -> None:
    settings = live.deps.settings
    client = live.env.client
    await ensure_privacy_sweep_schedule(client, settings)
    await ensure_privacy_sweep_schedule(client, settings)  # a restart: no error
    handle = client.get_schedule_handle(PRIVACY_SWEEP_SCHEDULE)
    try:
        described = await handle.describe()
        assert described.schedule.spec.intervals[0].every == timedelta(
            minutes=settings.privacy_link_sweep_minutes
        )
        await handle.trigger()

        async def ran() -> bool:
            runs = client.list_workflows(f"WorkflowType = '{PRIVACY_SWEEP_WORKFLOW}'")
            async for run in runs:
                if run.id.startswith("privacy-link-sweep-run") and run.close_time is not None:
                    return True
            return False

        await eventually(ran, "a sweep run by the schedule", seconds=30)
    finally:
        await handle.delete()
