"""Reserve with Google feeds from the real engine: shape, party-size limit, a booked slot."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from services.partners.google_feeds import write_feeds
from tests.api.conftest import LiveApi
from tests.partners.conftest import make_restaurant, start_sec
from tests.partners.test_google_booking_server import G, basic, create_body


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
