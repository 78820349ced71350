"""Google's side of Reserve with Google, from its documented booking server v3 requests.

Health, lookup, create, a repeated create with the same idempotency token, update
(cancel), status and list against the real worker on the Temporal dev server; then
the bad input Google (or anyone) might send: never a 5xx.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from typing import Any

from sqlalchemy import func, select

from models.enums import ReservationSource
from models.orm import Reservation
from models.schemas.lifecycle import CancelRequest
from tests.api.conftest import LiveApi
from tests.partners.conftest import BASE, make_restaurant, start_sec
from workflows.reservation import ReservationWorkflow

G = "/google/v3"


def basic(user: str = "google", password: str = "first-secret") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def slot(rid: str, *, at: str = "19:00", party: int = 2, duration: int = 5400) -> dict[str, Any]:
    return {
        "merchant_id": rid,
        "service_id": "reservation",
        "start_sec": str(start_sec(at)),  # int64 travels as a string in proto JSON
        "duration_sec": str(duration),
        "resources": {"party_size": party},
    }


def create_body(rid: str, token: str, **slot_args: Any) -> dict[str, Any]:
    return {
        "slot": slot(rid, **slot_args),
        "user_information": {
            "user_id": "google-user-1",
            "given_name": "Ann",
            "family_name": "Smit",
            "telephone": "+31612345678",
            "email": "ann@example.com",
        },
        "payment_information": {"prepayment_status": "PREPAYMENT_NOT_PROVIDED"},
        "idempotency_token": token,
    }


async def test_google_plays_a_booking_from_lookup_to_cancel(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await make_restaurant(live, admin)
    c = live.client

    health = await c.get(f"{G}/HealthCheck", headers=basic())
    assert health.status_code == 200

    lookup = await c.post(
        f"{G}/BatchAvailabilityLookup",
        headers=basic(),
        json={
            "merchant_id": rid,
            "slot_time": [
                {
                    "service_id": "reservation",
                    "start_sec": start_sec("19:00"),
                    "duration_sec": 5400,
                    "resource_ids": {"party_size": 2},
                },
                {  # before opening
                    "service_id": "reservation",
                    "start_sec": start_sec("12:00"),
                    "duration_sec": 5400,
                    "resource_ids": {"party_size": 2},
                },
                {  # camelCase, as proto3 JSON writers emit it
                    "serviceId": "reservation",
                    "startSec": str(start_sec("20:00")),
                    "resourceIds": {"partySize": 4},
                },
            ],
        },
    )
    assert lookup.status_code == 200, lookup.text
    answers = lookup.json()["slot_time_availability"]
    assert [a["available"] for a in answers] == [True, False, True]

    token = f"tok-{uuid.uuid4().hex}"
    first = await c.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, token))
    assert first.status_code == 200, first.text
    booking = first.json()["booking"]
    assert booking["status"] == "CONFIRMED"
    assert booking["slot"]["merchant_id"] == rid
    assert int(booking["slot"]["start_sec"]) == start_sec("19:00")
    assert booking["slot"]["resources"]["party_size"] == 2

    again = await c.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, token))
    assert again.status_code == 200, again.text
    assert again.json()["booking"]["booking_id"] == booking["booking_id"]
    async with live.db.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Reservation))
        row = await session.get(Reservation, uuid.UUID(booking["booking_id"]))
    assert count == 1
    assert row is not None and row.source is ReservationSource.GOOGLE

    # the staff list shows the channel and filters on it
    listed = await c.get(
        f"{BASE}/restaurants/{rid}/reservations", params={"source": "google"}, headers=admin
    )
    assert [r["source"] for r in listed.json()["items"]] == ["google"]
    online = await c.get(
        f"{BASE}/restaurants/{rid}/reservations", params={"source": "online"}, headers=admin
    )
    assert online.json()["total"] == 0

    status = await c.post(
        f"{G}/GetBookingStatus", headers=basic(), json={"booking_id": booking["booking_id"]}
    )
    assert status.json()["booking_status"] == "CONFIRMED"

    listing = await c.post(f"{G}/ListBookings", headers=basic(), json={"user_id": "google-user-1"})
    assert [b["booking_id"] for b in listing.json()["bookings"]] == [booking["booking_id"]]

    cancel = {
        "update_mask": "status",
        "booking": {"booking_id": booking["booking_id"], "status": "CANCELED"},
    }
    for _ in range(2):  # a retried cancel answers the same
        done = await c.post(f"{G}/UpdateBooking", headers=basic(), json=cancel)
        assert done.status_code == 200, done.text
        assert done.json()["booking"]["status"] == "CANCELED"
    status = await c.post(
        f"{G}/GetBookingStatus", headers=basic(), json={"booking_id": booking["booking_id"]}
    )
    assert status.json()["booking_status"] == "CANCELED"

    # the cancelled booking's table is free again for Google's next lookup
    lookup = await c.post(
        f"{G}/BatchAvailabilityLookup",
        headers=basic(),
        json={
            "merchant_id": rid,
            "slot_time": [
                {
                    "service_id": "reservation",
                    "start_sec": start_sec("19:00"),
                    "resource_ids": {"party_size": 2},
                }
            ],
        },
    )
    assert lookup.json()["slot_time_availability"][0]["available"] is True


async def test_a_full_slot_is_a_booking_failure_with_http_200(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await make_restaurant(live, admin, tables=1)
    c = live.client
    ok = await c.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "a"))
    assert ok.json()["booking"]["status"] == "CONFIRMED"
    full = await c.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "b"))
    assert full.status_code == 200
    assert full.json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"
    assert "booking" not in full.json()


async def test_update_moves_and_resizes_idempotently(live: LiveApi, admin: dict[str, str]) -> None:
    rid = await make_restaurant(live, admin)
    c = live.client
    made = (await c.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "m"))).json()
    bid = made["booking"]["booking_id"]
    change = {
        "update_mask": "slot.start_sec,slot.resources.party_size",
        "booking": {"booking_id": bid, "slot": slot(rid, at="20:30", party=3)},
    }
    for _ in range(2):
        moved = await c.post(f"{G}/UpdateBooking", headers=basic(), json=change)
        assert moved.status_code == 200, moved.text
        b = moved.json()["booking"]
        assert int(b["slot"]["start_sec"]) == start_sec("20:30")
        assert b["slot"]["resources"]["party_size"] == 3
    early = {"booking": {"booking_id": bid, "slot": slot(rid, at="12:00")}}
    refused = await c.post(f"{G}/UpdateBooking", headers=basic(), json=early)
    assert refused.status_code == 200
    assert refused.json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"


async def test_bad_input_is_a_clean_answer(live: LiveApi, admin: dict[str, str]) -> None:
    rid = await make_restaurant(live, admin)
    c = live.client
    wrong = await c.post(
        f"{G}/CreateBooking", headers=basic(password="nope"), json=create_body(rid, "x")
    )
    assert wrong.status_code == 401
    assert "basic" in wrong.headers["www-authenticate"].lower()
    assert (await c.get(f"{G}/HealthCheck")).status_code == 401
    # the second pair of a rotation works at the same time as the first
    assert (
        await c.get(f"{G}/HealthCheck", headers=basic("google-next", "second-secret"))
    ).status_code == 200

    not_ours = await c.post(
        f"{G}/CreateBooking", headers=basic(), json=create_body(str(uuid.uuid4()), "y")
    )
    assert not_ours.status_code == 200
    assert not_ours.json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"
    lookup_not_ours = await c.post(
        f"{G}/BatchAvailabilityLookup",
        headers=basic(),
        json={
            "merchant_id": "not-a-merchant",
            "slot_time": [{"start_sec": 1, "resource_ids": {"party_size": 2}}],
        },
    )
    assert lookup_not_ours.status_code == 200
    assert lookup_not_ours.json()["slot_time_availability"][0]["available"] is False

    # a start past the calendar the API books in (and past what a clock can show)
    for start in (7_258_118_400, 253_402_300_800, 2**40, 2**62):
        beyond = create_body(rid, f"far-{start}")
        beyond["slot"]["start_sec"] = start
        for url, body in (
            (f"{G}/CreateBooking", beyond),
            (
                f"{G}/BatchAvailabilityLookup",
                {"merchant_id": rid, "slot_time": [{"start_sec": start}]},
            ),
        ):
            far = await c.post(url, headers=basic(), json=body)
            assert far.status_code == 400, (url, start, far.text)
            assert far.json()["field"].endswith("start_sec"), far.text

    too_many = await c.post(
        f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "z", party=11)
    )
    assert too_many.status_code == 200
    assert too_many.json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"

    malformed = await c.post(
        f"{G}/CreateBooking",
        headers={**basic(), "Content-Type": "application/json"},
        content=b'{"slot": {',
    )
    assert malformed.status_code == 400
    assert malformed.headers["content-type"].startswith("application/problem+json")
    nested = await c.post(
        f"{G}/CreateBooking",
        headers={**basic(), "Content-Type": "application/json"},
        content=b"[" * 60_000,  # past Python's recursion limit
    )
    assert nested.status_code == 400, nested.text
    assert nested.json()["detail"].startswith("malformed JSON"), nested.text

    no_token = create_body(rid, "t")
    del no_token["idempotency_token"]
    assert (await c.post(f"{G}/CreateBooking", headers=basic(), json=no_token)).status_code == 400

    bool_party = create_body(rid, "u")
    bool_party["slot"]["resources"]["party_size"] = True
    assert (await c.post(f"{G}/CreateBooking", headers=basic(), json=bool_party)).status_code == 400

    huge = await c.post(
        f"{G}/CreateBooking",
        headers={**basic(), "Content-Type": "application/json"},
        content=b'{"pad": "' + b"x" * (1024 * 1024) + b'"}',
    )
    assert huge.status_code == 413
    # the most slots the schema admits fit under the body limit: answered, not 413
    many = {
        "merchant_id": rid,
        "slot_time": [
            {**slot(rid, at=f"{12 + n % 10}:{(n % 4) * 15:02d}"), "resource_ids": {"party_size": 2}}
            for n in range(2000)
        ],
    }
    looked = await c.post(f"{G}/BatchAvailabilityLookup", headers=basic(), json=many)
    assert looked.status_code == 200, looked.text[:300]
    assert len(looked.json()["slot_time_availability"]) == 2000

    unknown = await c.post(
        f"{G}/GetBookingStatus", headers=basic(), json={"booking_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 404
    async with live.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Reservation)) == 0


async def test_concurrent_repeats_of_a_token_make_one_booking(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await make_restaurant(live, admin)
    answers = await asyncio.gather(
        *(
            live.client.post(f"{G}/CreateBooking", headers=basic(), json=create_body(rid, "same"))
            for _ in range(4)
        )
    )
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert len({a.json()["booking"]["booking_id"] for a in answers}) == 1
    listing = await live.client.post(
        f"{G}/ListBookings", headers=basic(), json={"user_id": "google-user-1"}
    )
    assert len(listing.json()["bookings"]) == 1
    async with live.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Reservation)) == 1


async def test_a_slot_of_another_length_or_merchant_is_not_booked(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await make_restaurant(live, admin)
    other = await make_restaurant(live, admin)
    c = live.client
    # the lookup calls a 60 s slot unavailable; booking it must say the same
    probe = {
        "merchant_id": rid,
        "slot_time": [{**slot(rid, duration=60), "resource_ids": {"party_size": 2}}],
    }
    looked = await c.post(f"{G}/BatchAvailabilityLookup", headers=basic(), json=probe)
    assert looked.status_code == 200, looked.text
    assert looked.json()["slot_time_availability"][0]["available"] is False
    short = await c.post(
        f"{G}/CreateBooking", headers=basic(), json=create_body(rid, uuid.uuid4().hex, duration=60)
    )
    assert short.status_code == 200, short.text
    assert short.json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"
    assert "booking" not in short.json()

    made = await c.post(
        f"{G}/CreateBooking", headers=basic(), json=create_body(rid, uuid.uuid4().hex)
    )
    bid = made.json()["booking"]["booking_id"]
    for moved_slot in (slot(other, at="20:00"), slot(rid, at="20:00", duration=60)):
        change = {"update_mask": "slot", "booking": {"booking_id": bid, "slot": moved_slot}}
        refused = await c.post(f"{G}/UpdateBooking", headers=basic(), json=change)
        assert refused.status_code == 200, refused.text
        assert refused.json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE", refused.text
    status = await c.post(f"{G}/GetBookingStatus", headers=basic(), json={"booking_id": bid})
    assert status.status_code == 200, status.text
    kept = await c.post(f"{G}/ListBookings", headers=basic(), json={"user_id": "google-user-1"})
    ours = [b for b in kept.json()["bookings"] if b["booking_id"] == bid]
    assert int(ours[0]["slot"]["start_sec"]) == start_sec("19:00"), ours


async def test_a_cancel_retried_while_the_first_is_still_applied_answers_the_cancel(
    live: LiveApi, admin: dict[str, str]
) -> None:
    """Google's first cancel lost its answer (the API died) and waits in Temporal for a
    worker; the retry reads the booking as still confirmed and asks again. Whichever the
    worker applies first, Google must hear the booking is cancelled."""
    rid = await make_restaurant(live, admin)
    token = f"tok-{uuid.uuid4().hex}"
    made = await live.client.post(
        f"{G}/CreateBooking", headers=basic(), json=create_body(rid, token)
    )
    assert made.status_code == 200, made.text
    booking_id = made.json()["booking"]["booking_id"]
    await live.stop_worker()
    handle = live.env.client.get_workflow_handle(f"reservation-{booking_id}")
    first = asyncio.create_task(
        handle.execute_update(
            ReservationWorkflow.cancel, CancelRequest(by="guest", reason="cancelled on Google")
        )
    )
    await asyncio.sleep(1.0)  # the first cancel reaches Temporal first
    cancel = {"update_mask": "status", "booking": {"booking_id": booking_id, "status": "CANCELED"}}
    retry = asyncio.create_task(
        live.client.post(f"{G}/UpdateBooking", headers=basic(), json=cancel)
    )
    await asyncio.sleep(1.0)
    live.start_worker()
    await asyncio.wait_for(first, 30)
    answer = await asyncio.wait_for(retry, 30)
    assert answer.status_code == 200, answer.text
    assert "booking_failure" not in answer.json(), answer.text
    assert answer.json()["booking"]["status"] == "CANCELED"
