"""Real-time updates: a Google-made booking changed on our side is told to Google.

Against a local fake of the Maps Booking API's notification endpoint, which records
calls and can fail: the delivery is retried until it lands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from temporalio.testing import WorkflowEnvironment

from models.enums import StaffRole
from tests.api.conftest import LiveApi, eventually, live_api
from tests.conftest import Database
from tests.partners.conftest import BASE, GOOGLE_CREDENTIALS, make_restaurant, start_sec
from tests.partners.fake_google import FakeGoogle
from tests.partners.test_google_booking_server import G, basic, create_body


@pytest.fixture
async def live(  # overrides the package's: this one points at the fake Google
    pg_db: Database, dev_server: WorkflowEnvironment, fake_google: FakeGoogle
) -> AsyncIterator[LiveApi]:
    async with live_api(
        pg_db,
        dev_server,
        google_booking_credentials=GOOGLE_CREDENTIALS,
        google_notification_url=fake_google.url,
        google_notification_token="rtu-token",
        google_partner_id="4242",
    ) as api:
        yield api


async def test_staff_cancel_reaches_google_after_an_outage(
    live: LiveApi, fake_google: FakeGoogle
) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await make_restaurant(live, admin)
    made = await live.client.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "c"))
    bid = made.json()["booking"]["booking_id"]
    assert fake_google.patches == []  # the booking Google made is not echoed back

    fake_google.fail_next(2, 503)
    cancelled = await live.client.post(
        f"{BASE}/reservations/{bid}/cancel", json={"reason": "kitchen flooded"}, headers=admin
    )
    assert cancelled.status_code == 200, cancelled.text

    async def delivered() -> bool:
        return bool(fake_google.patches)

    await eventually(delivered, "the cancel delivered to Google", seconds=30)
    assert fake_google.attempts == 3  # two 503s, then delivered
    (patch,) = fake_google.patches
    assert (patch.partner_id, patch.booking_id) == ("4242", bid)
    assert patch.update_mask == "status"
    assert patch.authorization == "Bearer rtu-token"
    assert patch.body["name"] == f"partners/4242/bookings/{bid}"
    assert patch.body["merchantId"] == rid
    assert patch.body["status"] == "CANCELED"


async def test_a_staff_move_is_told_and_googles_own_cancel_is_not(
    live: LiveApi, fake_google: FakeGoogle
) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await make_restaurant(live, admin)
    c = live.client
    first = (await c.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "p"))).json()
    bid = first["booking"]["booking_id"]
    moved = await c.patch(
        f"{BASE}/reservations/{bid}", json={"time": "20:30", "party_size": 3}, headers=admin
    )
    assert moved.status_code == 200, moved.text

    async def slot_told() -> bool:
        return any(p.update_mask == "startTime,duration,partySize" for p in fake_google.patches)

    await eventually(slot_told, "the move told to Google", seconds=30)
    patch = next(p for p in fake_google.patches if p.update_mask != "status")
    assert patch.booking_id == bid
    assert patch.body["partySize"] == 3
    assert patch.body["duration"] == "5400s"
    told = datetime.fromisoformat(patch.body["startTime"].replace("Z", "+00:00"))
    assert int(told.astimezone(UTC).timestamp()) == start_sec("20:30")

    # Google cancels a second booking itself: that is not sent back to Google
    other = (await c.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "q"))).json()
    oid = other["booking"]["booking_id"]
    cancel = {"booking": {"booking_id": oid, "status": "CANCELED"}}
    done = await c.post(f"{G}/UpdateBooking", headers=basic(), json=cancel)
    assert done.json()["booking"]["status"] == "CANCELED"
    # ...while the restaurant's cancel of the first, made after it, is
    assert (await c.post(f"{BASE}/reservations/{bid}/cancel", headers=admin)).status_code == 200

    async def cancel_told() -> bool:
        return any(p.body.get("status") == "CANCELED" for p in fake_google.patches)

    await eventually(cancel_told, "the restaurant's cancel told to Google", seconds=30)
    assert {p.booking_id for p in fake_google.patches} == {bid}
