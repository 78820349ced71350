"""Retention on the time-skipping test server with the real activities and databases:
a dry run lists and changes nothing; a run anonymises only the inactive (never a
guest with a booking to come) and empties only old message bodies."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.privacy import PrivacyActivities
from models.enums import NotificationChannel, ReservationStatus
from models.orm import (
    Guest,
    GuestAudit,
    Notification,
    Reservation,
    Restaurant,
    TurnedAwayRequest,
)
from models.schemas.privacy import RetentionInput, RetentionResult
from services.crm.months import months_before
from tests.conftest import Database
from tests.demand import add_request
from tests.workflows.conftest import time_skipping
from workflows.retention import RetentionWorkflow

__all__ = ["time_skipping"]
HISTORIES = Path(__file__).parent.parent / "workflows" / "histories"


async def _world(db: Database) -> dict[str, uuid.UUID]:
    """Guests idle for 40 months (one of them booked ahead), one active last month."""
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=40 * 31)
    async with db.sessions() as session:
        restaurant = Restaurant(
            name="Kept", slug=f"k-{uuid.uuid4().hex[:8]}", timezone="UTC", currency="EUR"
        )
        session.add(restaurant)
        ids: dict[str, uuid.UUID] = {}
        for name, last in [
            ("idle", long_ago),
            ("booked", long_ago),
            ("recent", now - timedelta(days=30)),
        ]:
            guest = Guest(
                email=f"{name}-{uuid.uuid4().hex[:6]}@example.org",
                first_name=name.title(),
                last_name="Retained",
                search_name=f"{name} retained",
                last_activity_at=last,
            )
            session.add(guest)
            await session.flush()
            ids[name] = guest.id
        starts = now + timedelta(days=20)
        session.add(
            Reservation(
                reference=f"RES-2099-{uuid.uuid4().int % 10**6:06d}",
                restaurant_id=restaurant.id,
                guest_id=ids["booked"],
                party_size=2,
                reservation_date=starts.date(),
                reservation_time=starts.time(),
                starts_at=starts,
                ends_at=starts + timedelta(minutes=90),
                duration_minutes=90,
                status=ReservationStatus.CONFIRMED,
                currency="EUR",
            )
        )
        for age, key in [(timedelta(days=400), "old"), (timedelta(days=10), "new")]:
            row = Notification(
                dedupe_key=f"retention-test-{key}-{uuid.uuid4().hex[:6]}",
                guest_id=ids["recent"],
                channel=NotificationChannel.EMAIL,
                template="confirmation",
                recipient="recent@example.org",
                body=f"the {key} message body",
            )
            row.created_at = now - age
            session.add(row)
            await session.flush()
            ids[f"message_{key}"] = row.id
        # requests turned away as full: one for a date 27 months ago, one last month
        for months in (27, 1):
            asked = now - timedelta(days=months * 31)
            add_request(
                session, restaurant_id=restaurant.id, guest_id=ids["recent"],
                day=asked.date(), at=asked.time(), starts_at=asked, party=2, asked_at=asked,
                turned_away=True, booked=False,
            )  # fmt: skip
        await session.commit()
    return ids


async def _turned_away_days(db: Database) -> list[date]:
    async with db.sessions() as session:
        return sorted(await session.scalars(select(TurnedAwayRequest.reservation_date)))


async def _run(
    env: WorkflowEnvironment, db: Database, inp: RetentionInput, name: str
) -> RetentionResult:
    queue = f"ret-{uuid.uuid4().hex[:8]}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[RetentionWorkflow],
        activities=PrivacyActivities(sessions=db.sessions).all(),
    ):
        handle = await env.client.start_workflow(
            RetentionWorkflow.run, inp, id=f"retention-{uuid.uuid4()}", task_queue=queue
        )
        # no timers here: the server's clock must not jump years while the test waits
        with env.auto_time_skipping_disabled():
            result = await handle.result()
        if os.environ.get("RECORD_HISTORIES") == "1" and db.kind == "sqlite":
            history = await handle.fetch_history()
            (HISTORIES / f"retention-{name}.json").write_text(history.to_json())
    return result


async def test_a_dry_run_lists_and_changes_nothing(
    db: Database, time_skipping: WorkflowEnvironment
) -> None:
    ids = await _world(db)
    result = await _run(time_skipping, db, RetentionInput(dry_run=True, batch_size=1), "dry_run")
    assert result.dry_run
    assert set(result.guest_ids) == {ids["idle"]} and result.guests == 1
    assert result.message_bodies == 1
    assert result.turned_away == 1 and result.demand_cutoff is not None
    assert len(await _turned_away_days(db)) == 2
    async with db.sessions() as session:
        erased = list(await session.scalars(select(Guest.id).where(Guest.erased_at.is_not(None))))
        old = await session.get(Notification, ids["message_old"])
    assert erased == [] and old is not None and old.body == "the old message body"


async def test_a_run_anonymises_only_the_inactive_and_old_bodies(
    db: Database, time_skipping: WorkflowEnvironment
) -> None:
    ids = await _world(db)
    result = await _run(time_skipping, db, RetentionInput(batch_size=1), "anonymised")
    assert result.guest_ids == [ids["idle"]] and result.message_bodies == 1
    async with db.sessions() as session:
        idle = await session.get(Guest, ids["idle"])
        booked = await session.get(Guest, ids["booked"])
        recent = await session.get(Guest, ids["recent"])
        old = await session.get(Notification, ids["message_old"])
        new = await session.get(Notification, ids["message_new"])
        audits = list(await session.scalars(select(GuestAudit.action)))
    assert idle is not None and idle.erased_at is not None and idle.first_name == "Erased"
    assert booked is not None and booked.erased_at is None and booked.first_name == "Booked"
    assert recent is not None and recent.erased_at is None
    assert old is not None and old.body == ""
    assert new is not None and new.body == "the new message body"
    assert audits == ["retention"]
    # demand is kept for its own period (25 months), whatever the guests' fate
    assert result.turned_away == 1 and result.demand_cutoff is not None
    kept = await _turned_away_days(db)
    assert len(kept) == 1 and kept[0] >= result.demand_cutoff
    again = await _run(time_skipping, db, RetentionInput(batch_size=1), "nothing_left")
    assert again.guests == 0 and again.message_bodies == 0 and again.turned_away == 0
    assert await _turned_away_days(db) == kept


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, 12, tzinfo=UTC), 1, datetime(2026, 2, 28, 12, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 36, datetime(2023, 1, 15, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), 12, datetime(2023, 2, 28, tzinfo=UTC)),
        (datetime(2026, 12, 1, tzinfo=UTC), 12, datetime(2025, 12, 1, tzinfo=UTC)),
    ],
)
def test_months_before_is_calendar_months(
    moment: datetime, months: int, expected: datetime
) -> None:
    assert months_before(moment, months) == expected


def test_the_cli_dry_run_lists_ids_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from reservations.cli import app
    from reservations.db import create_engine, session_factory
    from reservations.settings import Settings
    from tests.conftest import migrate

    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'retention.db'}"
    migrate(url)

    async def seed() -> dict[str, uuid.UUID]:
        engine = create_engine(url)
        try:
            return await _world(Database("sqlite", url, engine, session_factory(engine)))
        finally:
            await engine.dispose()

    ids = asyncio.run(seed())
    env = {"DATABASE_URL": url, "JWT_SECRET": "z" * 40}
    result = CliRunner().invoke(app, ["privacy", "retention", "--dry-run"], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    lines = result.output.splitlines()
    assert lines[0].startswith("would anonymise 1 guests inactive since")
    assert lines[1].startswith("would clear 1 message bodies")
    assert lines[2].startswith("would delete 1 turned-away requests for dates before")
    assert lines[3:] == [f"guest {ids['idle']}"]
    assert "@" not in result.output and "Retained" not in result.output

    async def still_there() -> list[uuid.UUID]:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                return list(
                    await session.scalars(select(Guest.id).where(Guest.erased_at.is_not(None)))
                )
        finally:
            await engine.dispose()

    assert asyncio.run(still_there()) == []


async def test_the_daily_schedule_runs_retention(
    pg_db: Database, dev_server: WorkflowEnvironment
) -> None:
    from tests.api.conftest import eventually, live_api
    from worker.schedules import RETENTION_SCHEDULE, ensure_retention_schedule

    ids = await _world(pg_db)
    async with live_api(pg_db, dev_server, retention_guest_months=24) as live:
        client = dev_server.client
        await ensure_retention_schedule(client, live.deps.settings)
        await ensure_retention_schedule(client, live.deps.settings)  # a restart: no error
        handle = client.get_schedule_handle(RETENTION_SCHEDULE)
        try:
            described = await handle.describe()
            assert described.schedule.spec.intervals[0].every == timedelta(days=1)
            await handle.trigger()

            async def erased() -> bool:
                async with pg_db.sessions() as session:
                    guest = await session.get(Guest, ids["idle"])
                    return guest is not None and guest.erased_at is not None

            await eventually(erased, "the scheduled run anonymised the idle guest", seconds=30)
        finally:
            await handle.delete()
    async with pg_db.sessions() as session:
        booked = await session.get(Guest, ids["booked"])
    assert booked is not None and booked.erased_at is None
