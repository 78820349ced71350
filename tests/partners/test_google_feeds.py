"""Reserve with Google feeds from the real engine: shape, party-size limit, a booked slot."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from models.enums import StaffRole
from services.partners.google_feeds import write_feeds
from tests.api.conftest import LiveApi, eventually, live_api
from tests.conftest import Database
from tests.partners.conftest import make_restaurant, start_sec
from tests.partners.test_google_booking_server import G, basic, create_body
from tests.test_cli import cli_env, ok  # noqa: F401 (fixture)
from worker.schedules import GOOGLE_FEEDS_SCHEDULE, ensure_google_feeds_schedule


async def test_feeds_follow_the_engine(
    live: LiveApi, admin: dict[str, str], tmp_path: Path
) -> None:
    rid = await make_restaurant(live, admin, tables=1)
    async with live.db.sessions() as session:
        files = await write_feeds(
            session, out=tmp_path, days=12, max_party_size=10, service_id="reservation"
        )
    merchants = json.loads(files.merchants.read_text())
    assert [m["merchant_id"] for m in merchants["merchant"]] == [rid]
    assert merchants["metadata"]["processing_instruction"] == "PROCESS_AS_COMPLETE"
    services = json.loads(files.services.read_text())
    assert services["service"][0]["service_id"] == "reservation"
    slots = json.loads(files.availability.read_text())["service_availability"][0]["availability"]
    at = start_sec("19:00")
    for_two = [s for s in slots if s["start_sec"] == at and s["resources"]["party_size"] == 2]
    assert for_two == [
        {
            "merchant_id": rid,
            "service_id": "reservation",
            "start_sec": at,
            "duration_sec": 5400,
            "spots_total": 1,
            "spots_open": 1,
            "resources": {"party_size": 2},
            "confirmation_mode": "CONFIRMATION_MODE_SYNCHRONOUS",
        }
    ]
    # tables seat 1-4: no entry for 5 or more, and never past Google's limit
    assert max(s["resources"]["party_size"] for s in slots) == 4

    booked = await live.client.post(
        f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "f")
    )
    assert booked.json()["booking"]["status"] == "CONFIRMED"
    async with live.db.sessions() as session:
        files = await write_feeds(
            session,
            out=tmp_path,
            days=12,
            max_party_size=10,
            service_id="reservation",
            now=datetime.now(UTC),
        )
    slots = json.loads(files.availability.read_text())["service_availability"][0]["availability"]
    after = [s for s in slots if s["start_sec"] == at and s["resources"]["party_size"] == 2]
    assert after[0]["spots_open"] == 0 and after[0]["spots_total"] == 1


async def test_the_schedule_refreshes_the_feeds(
    pg_db: Database, dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    out = tmp_path / "feeds"
    async with live_api(
        pg_db, dev_server, google_feeds_dir=out, google_feeds_every_minutes=60
    ) as live:
        admin = await live.token_for(StaffRole.ADMIN)
        rid = await make_restaurant(live, admin)
        client = dev_server.client
        await ensure_google_feeds_schedule(client, live.deps.settings)
        await ensure_google_feeds_schedule(client, live.deps.settings)  # a restart: no error
        handle = client.get_schedule_handle(GOOGLE_FEEDS_SCHEDULE)
        try:
            described = await handle.describe()
            spec = described.schedule.spec.intervals[0]
            assert spec.every == timedelta(minutes=60)
            await handle.trigger()

            async def written() -> bool:
                return (out / "availability.json").exists()

            await eventually(written, "the scheduled run wrote the feeds", seconds=30)
        finally:
            await handle.delete()
    merchants = json.loads((out / "merchants.json").read_text())
    assert [m["merchant_id"] for m in merchants["merchant"]] == [rid]


def test_the_cli_writes_the_feeds(cli_env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    ok(cli_env, "migrate")
    result = ok(cli_env, "google-feeds", "--out", str(tmp_path / "out"), "--days", "2")
    assert "0 merchants, 0 availability entries" in result.output
    feed = json.loads((tmp_path / "out" / "availability.json").read_text())
    assert feed["service_availability"] == [{"availability": []}]
    assert (tmp_path / "out" / "merchants.json").exists()
