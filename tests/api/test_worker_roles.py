"""Worker roles: a `bookings` worker alone confirms bookings and leaves their messages
queued; a real `reservations worker --role messages` process then sends each one once
and serves its /metrics."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from models.enums import NotificationStatus, StaffRole
from models.orm import Notification
from reservations.cli import app
from reservations.settings import WorkerRole
from tests.api.conftest import LiveApi, eventually, live_api
from tests.api.test_reservation_lifecycle import BASE, booking, restaurant
from tests.api.workflow_probe import reservation_workflow_id
from tests.conftest import JWT_SECRET, Database

ROOT = Path(__file__).resolve().parents[2]
HISTORIES = ROOT / "tests" / "workflows" / "histories"
E = EventType


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def statuses(live: LiveApi, reservation_id: str) -> list[NotificationStatus]:
    async with live.db.sessions() as session:
        rows = await session.scalars(
            select(Notification.status).where(
                Notification.reservation_id == uuid.UUID(reservation_id)
            )
        )
        return list(rows)


async def events(live: LiveApi, reservation_id: str) -> list[HistoryEvent]:
    handle = live.env.client.get_workflow_handle(reservation_workflow_id(reservation_id))
    return list((await handle.fetch_history()).events)


def sends(history: list[HistoryEvent], kind: EventType.ValueType) -> list[HistoryEvent]:
    """The history's events of `kind` that belong to send_notification activities."""
    scheduled = {
        e.event_id: e.activity_task_scheduled_event_attributes
        for e in history
        if e.event_type == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == "send_notification"
    }
    if kind == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        return [e for e in history if e.event_id in scheduled]
    return [
        e
        for e in history
        if e.event_type == kind
        and e.activity_task_completed_event_attributes.scheduled_event_id in scheduled
    ]


def messages_sent(port: int) -> float:
    """`reservations_messages_total{status="sent"}` on a worker's /metrics page."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "reservations_messages_total" and sample.labels["status"] == "sent"
    )


def messages_worker(
    live: LiveApi, dev_server: WorkflowEnvironment, port: int
) -> subprocess.Popen[bytes]:
    """`reservations worker --role messages` on this test's task queue and database."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("REDIS_", "WORKER_", "TEMPORAL_", "DATABASE_"))
    }
    env |= {
        "DATABASE_URL": live.db.url,
        "TEMPORAL_ADDRESS": dev_server.client.service_client.config.target_host,
        "TEMPORAL_TASK_QUEUE": live.task_queue,
        "JWT_SECRET": JWT_SECRET,
        "WORKER_METRICS_PORT": str(port),
        "WORKER_ROLE": "bookings",  # the option overrides the setting
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "reservations.cli", "worker", "--role", "messages"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.long_running
async def test_a_bookings_worker_confirms_and_a_messages_worker_sends_each_message_once(
    pg_db: Database, dev_server: WorkflowEnvironment
) -> None:
    async with live_api(pg_db, dev_server, worker_role=WorkerRole.BOOKINGS) as live:
        admin = await live.token_for(StaffRole.ADMIN)
        rid = await restaurant(live, admin)
        created = await live.client.post(f"{BASE}/reservations", json=booking(rid))
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "confirmed"
        reservation_id = created.json()["id"]

        # the sends are scheduled on the messages queue, which no worker polls yet
        async def scheduled() -> list[HistoryEvent]:
            return sends(await events(live, reservation_id), E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)

        waiting = await eventually(scheduled, "the confirmation's sends were scheduled")
        queues = {e.activity_task_scheduled_event_attributes.task_queue.name for e in waiting}
        assert queues == {f"{live.task_queue}-messages"}
        queued = await statuses(live, reservation_id)
        assert queued and set(queued) == {NotificationStatus.QUEUED}
        assert len(waiting) == len(queued)  # one send per outbox row

        port = free_port()
        process = messages_worker(live, dev_server, port)
        try:

            async def sent() -> bool:
                now = await statuses(live, reservation_id)
                return set(now) == {NotificationStatus.SENT}

            await eventually(sent, "the messages worker sent the confirmation", seconds=60)
            history = await events(live, reservation_id)
            assert len(sends(history, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)) == len(queued)
            assert len(sends(history, E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)) == len(queued)
            assert messages_sent(port) == len(queued)  # each row went to its provider once
            if os.environ.get("RECORD_HISTORIES") == "1":
                handle = live.env.client.get_workflow_handle(
                    reservation_workflow_id(reservation_id)
                )
                text = (await handle.fetch_history()).to_json()
                (HISTORIES / "messages_on_their_own_queue.json").write_text(text)
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0


def test_an_unknown_role_is_refused_by_the_cli() -> None:
    result = CliRunner().invoke(app, ["worker", "--role", "cooks"])
    assert result.exit_code == 2
    assert "cooks" in result.output
