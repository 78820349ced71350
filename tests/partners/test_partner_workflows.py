"""The partner workflows run for real, and their kept histories replay against today's code.

`RECORD_HISTORIES=1 pytest tests/partners/test_partner_workflows.py` refreshes the
kept histories deliberately.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from models.enums import StaffRole
from models.schemas.google import GoogleNotice
from tests.api.conftest import LiveApi, live_api
from tests.conftest import Database
from tests.partners.conftest import GOOGLE_CREDENTIALS, make_restaurant
from tests.partners.fake_google import FakeGoogle
from tests.partners.test_google_booking_server import G, basic, create_body
from workflows.google_feeds import GOOGLE_FEEDS_WORKFLOW, GoogleFeedsWorkflow
from workflows.google_notification import GoogleNotificationWorkflow

HISTORIES = Path(__file__).parent / "histories"


def keep(name: str, history: WorkflowHistory) -> None:
    if os.environ.get("RECORD_HISTORIES") == "1":
        (HISTORIES / f"{name}.json").write_text(history.to_json())


async def test_the_workflows_run_and_keep_their_histories(
    pg_db: Database, dev_server: WorkflowEnvironment, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    async with live_api(
        pg_db,
        dev_server,
        google_booking_credentials=GOOGLE_CREDENTIALS,
        google_notification_url=fake_google.url,
        google_feeds_dir=tmp_path,
    ) as live:
        await _run(live, fake_google)


async def _run(live: LiveApi, fake_google: FakeGoogle) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await make_restaurant(live, admin)
    made = await live.client.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "h"))
    bid = made.json()["booking"]["booking_id"]
    client = live.env.client

    fake_google.fail_next(1, 503)
    notice = GoogleNotice(reservation_id=bid, change="status", change_key="recorded")
    notify = await client.start_workflow(
        GoogleNotificationWorkflow.run,
        notice,
        id=f"google-notify-{bid}-recorded",
        task_queue=live.task_queue,
    )
    assert await notify.result() is True
    assert fake_google.attempts == 2
    keep("google_notification_retried", await notify.fetch_history())

    feeds = await client.start_workflow(
        GOOGLE_FEEDS_WORKFLOW, id=f"google-feeds-{bid}", task_queue=live.task_queue
    )
    assert int(await feeds.result()) > 0
    keep("google_feeds", await feeds.fetch_history())


def test_every_partner_workflow_has_a_kept_history() -> None:
    assert {"google_notification_retried", "google_feeds"} <= {
        p.stem for p in HISTORIES.glob("*.json")
    }


@pytest.mark.parametrize("path", sorted(HISTORIES.glob("*.json")), ids=lambda p: p.stem)
async def test_kept_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=[GoogleNotificationWorkflow, GoogleFeedsWorkflow],
        data_converter=pydantic_data_converter,
    )
    await replayer.replay_workflow(history)
