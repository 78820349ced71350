"""The reservation lifecycle over HTTP, against a real worker on the Temporal dev server."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.message import Message
from sqlalchemy import func, select
from temporalio.api.common.v1 import Payload

from models.enums import AllocationStatus, ReservationStatus, StaffRole
from models.orm import Guest, Notification, Reservation, TableAllocation
from rules.references import REFERENCE_PATTERN
from tests.api.conftest import LiveApi, eventually
from tests.api.workflow_probe import reservation_workflow_id, waiting_for_a_worker
from workflows.search_attributes import RESERVATION_REFERENCE, RESTAURANT_ID

BASE = "/api/v1/reservations"


def booking_day() -> date:
    return (datetime.now(UTC) + timedelta(days=10)).date()


def soon() -> dict[str, str]:
    """A slot about two hours from now on Amsterdam's clock (check-in opens 12 h before)."""
    local = datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(hours=2)
    local += timedelta(minutes=-local.minute % 15)
    return {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}


ALL_DAY = [
    {
        "weekday": d,
        "name": "all day",
        "opens_at": "00:00",
        "closes_at": "23:59",
        "last_seating_at": "23:45",
    }
    for d in range(7)
]


async def restaurant(
    live: LiveApi,
    admin: dict[str, str],
    *,
    tables: int = 2,
    all_day: bool = False,
    **settings: Any,
) -> str:
    body = {
        "name": f"Bistro {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "settings": {"min_notice_minutes": 0, "default_seating_minutes": 90, **settings},
        "services": [
            {
                "weekday": d,
                "name": "dinner",
                "opens_at": "17:00",
                "closes_at": "23:00",
                "last_seating_at": "21:30",
            }
            for d in range(7)
        ],
    }
    if all_day:
        body["services"] = ALL_DAY
    r = await live.client.post(f"{BASE}/restaurants", json=body, headers=admin)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    for n in range(1, tables + 1):
        t = await live.client.post(
            f"{BASE}/restaurants/{rid}/tables",
            json={"number": str(n), "min_capacity": 1, "max_capacity": 4},
            headers=admin,
        )
        assert t.status_code == 201, t.text
    return str(rid)


def booking(
    rid: str,
    *,
    at: str = "19:00",
    party: int = 2,
    email: str = "Ann@Example.com",
    day: date | None = None,
) -> dict[str, Any]:
    return {
        "restaurant_id": rid,
        "date": (day or booking_day()).isoformat(),
        "time": at,
        "party_size": party,
        "guest": {
            "email": email,
            "first_name": "Ann",
            "last_name": "Smit",
            "phone": "+31612345678",
        },
    }


async def test_book_read_lookup_and_cancel(live: LiveApi, admin: dict[str, str]) -> None:
    rid = await restaurant(live, admin)
    created = await live.client.post(f"{BASE}/reservations", json=booking(rid))
    assert created.status_code == 201, created.text
    body = created.json()
    assert re.fullmatch(REFERENCE_PATTERN, body["reference"])
    assert body["status"] == "confirmed"  # instant mode, no deposit
    assert body["table_numbers"] == ["1"]
    token = body["manage_token"]

    # a guessed id or reference alone reveals nothing
    assert (await live.client.get(f"{BASE}/reservations/{body['id']}")).status_code == 401
    other = await live.client.get(f"{BASE}/reservations/{uuid.uuid4()}", params={"token": token})
    assert other.status_code == 404
    mine = await live.client.get(f"{BASE}/reservations/{body['id']}", params={"token": token})
    assert mine.status_code == 200 and mine.json()["reference"] == body["reference"]

    wrong = await live.client.post(
        f"{BASE}/reservations/lookup",
        json={"reference": body["reference"], "email": "x@example.com"},
    )
    assert wrong.status_code == 404
    found = await live.client.post(
        f"{BASE}/reservations/lookup",
        json={"reference": body["reference"], "email": "ann@example.COM"},
    )
    assert found.status_code == 200 and found.json()["id"] == body["id"]

    cancelled = await live.client.post(
        f"{BASE}/reservations/{body['id']}/cancel",
        params={"token": token},
        json={"reason": "plans changed"},
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled_by_guest"
    assert cancelled.json()["cancelled_within_deadline"] is True
    async with live.db.sessions() as session:
        statuses = set(
            await session.scalars(
                select(TableAllocation.status).where(
                    TableAllocation.reservation_id == uuid.UUID(body["id"])
                )
            )
        )
        guest = await session.scalar(select(Guest).where(Guest.email == "ann@example.com"))
        templates = set(
            await session.scalars(
                select(Notification.template).where(
                    Notification.reservation_id == uuid.UUID(body["id"])
                )
            )
        )
    assert statuses == {AllocationStatus.RELEASED}
    assert guest is not None and guest.total_reservations == 1 and guest.cancellation_count == 1
    assert {"confirmation", "cancellation_by_guest"} <= templates

    again = await live.client.post(
        f"{BASE}/reservations/{body['id']}/cancel", params={"token": token}
    )
    assert again.status_code == 409  # a closed booking cannot change


async def test_idempotency_key_returns_the_first_answer(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin)
    headers = {"Idempotency-Key": "abc-123"}
    first = await live.client.post(f"{BASE}/reservations", json=booking(rid), headers=headers)
    second = await live.client.post(f"{BASE}/reservations", json=booking(rid), headers=headers)
    assert first.status_code == second.status_code == 201, second.text
    assert first.json()["id"] == second.json()["id"]
    async with live.db.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Reservation))
    assert count == 1


async def test_a_key_reused_for_another_request_is_refused_not_answered_with_the_first(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin)
    headers = {"Idempotency-Key": "reused-key"}
    first = await live.client.post(f"{BASE}/reservations", json=booking(rid), headers=headers)
    assert first.status_code == 201, first.text
    # the same guest asks for another time under the same key: that request is not lost
    # behind a 201 for the first one
    other = await live.client.post(
        f"{BASE}/reservations", json=booking(rid, at="20:30"), headers=headers
    )
    problem = other.json()
    assert other.status_code == 422, other.text
    assert problem["field"] == "Idempotency-Key", problem
    # the very same request again still gets the first answer
    again = await live.client.post(f"{BASE}/reservations", json=booking(rid), headers=headers)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"], again.text
    async with live.db.sessions() as session:
        kept = (await session.scalars(select(Reservation))).all()
    assert [r.reservation_time.isoformat("minutes") for r in kept] == ["19:00"]


async def test_a_seating_preference_names_an_area_the_restaurant_has(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=0)
    plan = await live.client.post(
        f"{BASE}/restaurants/{rid}/floor-plans", headers=admin, json={"name": "Ground floor"}
    )
    area = await live.client.post(
        f"{BASE}/restaurants/{rid}/seating-areas",
        headers=admin,
        json={"name": "Terrace", "floor_plan_id": plan.json()["id"]},
    )
    assert area.status_code == 201, area.text
    table = await live.client.post(
        f"{BASE}/restaurants/{rid}/tables",
        headers=admin,
        json={
            "number": "T1",
            "min_capacity": 1,
            "max_capacity": 4,
            "seating_area_id": area.json()["id"],
        },
    )
    assert table.status_code == 201, table.text
    # no such area: a mistake in the request (422 on the field), not a full restaurant
    unknown = await live.client.post(
        f"{BASE}/reservations", json={**booking(rid), "seating_preference": "Moon"}
    )
    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["field"] == "seating_preference"
    assert "Terrace" in unknown.json()["detail"]  # the areas there are
    elsewhere = await live.client.post(
        f"{BASE}/reservations",
        json={**booking(str(uuid.uuid4())), "seating_preference": "Moon"},
    )
    assert elsewhere.status_code == 404, elsewhere.text
    # the area in any case: booked there, under the restaurant's own spelling
    booked = await live.client.post(
        f"{BASE}/reservations", json={**booking(rid), "seating_preference": "terrace"}
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["seating_preference"] == "Terrace"
    assert booked.json()["table_numbers"] == ["T1"]


async def test_full_restaurant_answers_with_alternatives(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=1)
    first = await live.client.post(f"{BASE}/reservations", json=booking(rid))
    assert first.status_code == 201
    refused = await live.client.post(
        f"{BASE}/reservations", json=booking(rid, email="bob@example.com")
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["reason"] == "no_table_fits"
    assert problem["alternatives"], problem
    offered = {(a["date"], a["time"]) for a in problem["alternatives"]}
    assert (booking_day().isoformat(), "19:00:00") not in offered
    async with live.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Reservation)) == 1


async def test_modify_moves_tables_or_leaves_the_booking_as_it_was(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=1)
    mine = (await live.client.post(f"{BASE}/reservations", json=booking(rid, at="18:00"))).json()
    other = (
        await live.client.post(
            f"{BASE}/reservations", json=booking(rid, at="20:30", email="bob@example.com")
        )
    ).json()
    token = mine["manage_token"]
    moved = await live.client.patch(
        f"{BASE}/reservations/{mine['id']}",
        params={"token": token},
        json={"time": "17:00", "party_size": 3},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["time"] == "17:00:00" and moved.json()["party_size"] == 3
    clash = await live.client.patch(
        f"{BASE}/reservations/{mine['id']}", params={"token": token}, json={"time": "20:00"}
    )
    assert clash.status_code == 409
    assert "alternatives" in clash.json()
    after = (
        await live.client.get(f"{BASE}/reservations/{mine['id']}", params={"token": token})
    ).json()
    assert after["time"] == "17:00:00" and after["status"] == "confirmed"
    assert other["status"] == "confirmed"
    # nulls leave a field as it is: sent alone, they ask for nothing
    for empty in ({}, {"date": None, "time": None}, {"party_size": None}):
        nothing = await live.client.patch(
            f"{BASE}/reservations/{mine['id']}", params={"token": token}, json=empty
        )
        assert nothing.status_code == 422, (empty, nothing.text)
        assert nothing.json()["detail"] == "nothing to change"


async def test_service_flow_and_illegal_transitions(live: LiveApi, admin: dict[str, str]) -> None:
    rid = await restaurant(live, admin, all_day=True)
    host = await live.token_for(StaffRole.HOST, [rid])
    far = (
        await live.client.post(f"{BASE}/reservations", json=booking(rid, email="f@example.com"))
    ).json()
    too_early = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{far['id']}/check-in", headers=host
    )
    assert too_early.status_code == 409 and "too early" in too_early.json()["detail"]
    res = (await live.client.post(f"{BASE}/reservations", json={**booking(rid), **soon()})).json()
    staff_url = f"{BASE}/restaurants/{rid}/reservations/{res['id']}"

    early = await live.client.post(f"{staff_url}/complete", headers=host)
    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"
    assert "cannot complete" in early.json()["detail"]

    seated = await live.client.post(
        f"{staff_url}/check-in", headers=host, json={"actual_party_size": 3}
    )
    assert seated.status_code == 200, seated.text
    assert seated.json()["status"] == "seated" and seated.json()["actual_party_size"] == 3
    assert seated.json()["guest_email"] == "ann@example.com"
    done = await live.client.post(f"{staff_url}/complete", headers=host)
    assert done.status_code == 200 and done.json()["status"] == "completed"

    listed = await live.client.get(
        f"{BASE}/restaurants/{rid}/reservations", headers=host, params={"status": "completed"}
    )
    assert listed.status_code == 200 and listed.json()["total"] == 1

    # a cancelled booking cannot be checked in
    other = (
        await live.client.post(f"{BASE}/reservations", json=booking(rid, email="c@example.com"))
    ).json()
    await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{other['id']}/cancel",
        headers=host,
        json={"reason": "kitchen fire"},
    )
    refused = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{other['id']}/check-in", headers=host
    )
    assert refused.status_code == 409


async def test_manual_confirmation_by_a_manager(live: LiveApi, admin: dict[str, str]) -> None:
    rid = await restaurant(live, admin, confirmation_mode="manual")
    host = await live.token_for(StaffRole.HOST, [rid])
    manager = await live.token_for(StaffRole.MANAGER, [rid])
    res = await live.client.post(f"{BASE}/reservations", json=booking(rid))
    assert res.status_code == 201 and res.json()["status"] == "pending_confirmation"
    url = f"{BASE}/restaurants/{rid}/reservations/{res.json()['id']}"
    assert (await live.client.post(f"{url}/confirm", headers=host)).status_code == 403
    ok = await live.client.post(f"{url}/confirm", headers=manager)
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"


async def test_staff_of_another_restaurant_see_nothing(
    live: LiveApi, admin: dict[str, str]
) -> None:
    mine = await restaurant(live, admin)
    theirs = await restaurant(live, admin)
    res = (await live.client.post(f"{BASE}/reservations", json=booking(theirs))).json()
    host = await live.token_for(StaffRole.HOST, [mine])
    assert (
        await live.client.get(f"{BASE}/restaurants/{theirs}/reservations", headers=host)
    ).status_code == 404
    assert (
        await live.client.get(f"{BASE}/reservations/{res['id']}", headers=host)
    ).status_code == 404
    assert (
        await live.client.post(
            f"{BASE}/restaurants/{mine}/reservations/{res['id']}/check-in", headers=host
        )
    ).status_code == 404


async def test_walk_in_starts_seated(live: LiveApi, admin: dict[str, str]) -> None:
    rid = await restaurant(live, admin, all_day=True)  # a walk-in fits whenever the test runs
    host = await live.token_for(StaffRole.HOST, [rid])
    walked = await live.client.post(
        f"{BASE}/restaurants/{rid}/walk-ins", headers=host, json={"party_size": 2}
    )
    assert walked.status_code == 201, walked.text
    assert walked.json()["status"] == "seated" and walked.json()["source"] == "walk_in"


async def test_a_walk_in_sent_again_with_its_key_seats_the_party_once(
    live: LiveApi, admin: dict[str, str]
) -> None:
    """The host's first press lost its answer (the API restarted): pressing again with the
    same Idempotency-Key answers the first walk-in, also after it has completed."""
    rid = await restaurant(live, admin, all_day=True, tables=2)
    host = await live.token_for(StaffRole.HOST, [rid])
    url = f"{BASE}/restaurants/{rid}/walk-ins"
    keyed = {**host, "Idempotency-Key": "host-tablet-7:press-1"}
    first = await live.client.post(url, headers=keyed, json={"party_size": 2})
    again = await live.client.post(url, headers=keyed, json={"party_size": 2})
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json()["id"] == first.json()["id"]
    done = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{first.json()['id']}/complete", headers=host
    )
    assert done.status_code == 200, done.text
    late = await live.client.post(url, headers=keyed, json={"party_size": 2})
    assert late.status_code == 201 and late.json()["id"] == first.json()["id"], late.text
    listed = await live.client.get(f"{BASE}/restaurants/{rid}/reservations", headers=host)
    assert listed.json()["total"] == 1
    # another press, another party
    other = await live.client.post(url, headers=host, json={"party_size": 2})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


async def test_a_walk_in_on_tables_that_cannot_take_it_is_a_422_naming_them(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, all_day=True)
    host = await live.token_for(StaffRole.HOST, [rid])
    tables = (await live.client.get(f"{BASE}/restaurants/{rid}/tables", headers=host)).json()
    one = tables["items"][0]
    cases = [
        ({"party_size": 2, "table_ids": [str(uuid.uuid4())]}, "not active tables"),
        ({"party_size": one["max_capacity"] + 1, "table_ids": [one["id"]]}, "seat"),
    ]
    for body, words in cases:
        walked = await asyncio.wait_for(
            live.client.post(f"{BASE}/restaurants/{rid}/walk-ins", headers=host, json=body), 20
        )
        # the hold's refusal, not a failed workflow answered with Temporal's words
        assert walked.status_code == 422, walked.text
        assert walked.json()["field"] == "table_ids" and words in walked.json()["detail"]
    walked = await live.client.post(
        f"{BASE}/restaurants/{rid}/walk-ins", headers=host, json={"party_size": 2}
    )
    assert walked.status_code == 201, walked.text


async def test_the_book_of_one_day_is_listed_with_date(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin)
    host = await live.token_for(StaffRole.HOST, [rid])
    day = booking_day()
    later = day + timedelta(days=1)
    for when in (day, later):
        made = await live.client.post(f"{BASE}/reservations", json=booking(rid, day=when))
        assert made.status_code == 201, made.text
    url = f"{BASE}/restaurants/{rid}/reservations"
    one = await live.client.get(url, params={"date": day.isoformat()}, headers=host)
    assert one.status_code == 200, one.text
    assert [r["date"] for r in one.json()["items"]] == [day.isoformat()]
    both = await live.client.get(url, headers=host)
    assert both.json()["total"] == 2
    mixed = await live.client.get(
        url, params={"date": day.isoformat(), "date_to": later.isoformat()}, headers=host
    )
    assert mixed.status_code == 422 and mixed.json()["field"] == "date", mixed.text
    # a number is no date (lax parsing read 0 as 1970-01-01)
    for name in ("date", "date_from", "date_to"):
        zero = await live.client.get(url, params={name: "0"}, headers=host)
        assert zero.status_code == 422 and zero.json()["field"] == name, zero.text


async def test_a_table_with_bookings_to_come_is_not_deactivated_under_them(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=2)
    made = await live.client.post(f"{BASE}/reservations", json=booking(rid))
    assert made.status_code == 201, made.text
    res = made.json()
    tables = (await live.client.get(f"{BASE}/restaurants/{rid}/tables", headers=admin)).json()
    by_number = {t["number"]: t["id"] for t in tables["items"]}
    (booked,) = res["table_numbers"]
    free = next(n for n in by_number if n != booked)
    url = f"{BASE}/restaurants/{rid}/tables"
    refused = await live.client.patch(
        f"{url}/{by_number[booked]}", json={"is_active": False}, headers=admin
    )
    assert refused.status_code == 409 and refused.json()["field"] == "is_active", refused.text
    assert res["reference"] in refused.json()["detail"]
    idle = await live.client.patch(
        f"{url}/{by_number[free]}", json={"is_active": False}, headers=admin
    )
    assert idle.status_code == 200, idle.text
    cancelled = await live.client.post(
        f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    after = await live.client.patch(
        f"{url}/{by_number[booked]}", json={"is_active": False}, headers=admin
    )
    assert after.status_code == 200, after.text


async def test_a_table_is_not_shrunk_below_a_party_booked_on_it(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=1)
    made = await live.client.post(f"{BASE}/reservations", json=booking(rid, party=3))
    assert made.status_code == 201, made.text
    res = made.json()
    (table,) = (await live.client.get(f"{BASE}/restaurants/{rid}/tables", headers=admin)).json()[
        "items"
    ]
    url = f"{BASE}/restaurants/{rid}/tables/{table['id']}"
    refused = await live.client.patch(url, json={"max_capacity": 2}, headers=admin)
    assert refused.status_code == 409 and refused.json()["field"] == "max_capacity", refused.text
    assert res["reference"] in refused.json()["detail"]
    fits = await live.client.patch(url, json={"max_capacity": 3}, headers=admin)
    assert fits.status_code == 200 and fits.json()["max_capacity"] == 3, fits.text
    cancelled = await live.client.post(
        f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    after = await live.client.patch(url, json={"max_capacity": 2}, headers=admin)
    assert after.status_code == 200, after.text


async def test_deposit_holds_and_ops_find_the_booking(live: LiveApi, admin: dict[str, str]) -> None:
    rid = await restaurant(live, admin, payment_mode="deposit", payment_fixed_minor=2500)
    res = await live.client.post(f"{BASE}/reservations", json=booking(rid))
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["status"] == "held" and body["payment_required"] is True
    assert body["deposit"] == {
        "mode": "deposit",
        "status": "pending",
        "amount_minor": 2500,
        "currency": "EUR",
    }
    # the local provider's checkout session comes with the answer
    assert body["payment"]["environment"] == "local"
    assert body["payment"]["checkout_url"].endswith(body["payment"]["session_id"])
    assert body["hold_expires_at"] is not None
    # references restart in every test database, so narrow by restaurant too
    query = (
        f"{RESERVATION_REFERENCE.name} = '{body['reference']}' AND {RESTAURANT_ID.name} = '{rid}'"
    )

    async def listed() -> list[str]:
        return [wf.id async for wf in live.env.client.list_workflows(query)]

    # search attributes are indexed a moment after the update-with-start answers
    found = await eventually(listed, "the booking found by its search attributes", seconds=5)
    assert found == [f"reservation-{body['id']}"]


async def test_a_new_worker_finishes_a_booking_whose_worker_stopped(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, all_day=True, confirmation_mode="manual")
    manager = await live.token_for(StaffRole.MANAGER, [rid])
    res = await live.client.post(f"{BASE}/reservations", json={**booking(rid), **soon()})
    assert res.json()["status"] == "pending_confirmation"
    url = f"{BASE}/restaurants/{rid}/reservations/{res.json()['id']}"

    await live.stop_worker()
    # the manager confirms while no worker runs: the request waits durably in Temporal
    confirming = asyncio.create_task(live.client.post(f"{url}/confirm", headers=manager))
    # the update has reached Temporal (a workflow task waits there for a worker) ...
    await waiting_for_a_worker(live.env.client, reservation_workflow_id(res.json()["id"]))
    # ... and the caller is still waiting for its answer, the booking unchanged
    assert not confirming.done()
    async with live.db.sessions() as session:
        status = await session.scalar(
            select(Reservation.status).where(Reservation.id == uuid.UUID(res.json()["id"]))
        )
    assert status is ReservationStatus.PENDING_CONFIRMATION
    live.start_worker()  # a new worker, with no cached state, replays and carries on
    confirmed = await asyncio.wait_for(confirming, timeout=30)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    seated = await live.client.post(f"{url}/check-in", headers=manager)
    assert seated.json()["status"] == "seated"


async def test_unsuitable_tables_are_refused_and_the_booking_stays_usable(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=2)
    host = await live.token_for(StaffRole.HOST, [rid])
    res = (await live.client.post(f"{BASE}/reservations", json=booking(rid, party=4))).json()
    url = f"{BASE}/restaurants/{rid}/reservations/{res['id']}"
    tables = (await live.client.get(f"{BASE}/restaurants/{rid}/tables", headers=host)).json()
    # the table the party is not on (a table under a booked party cannot shrink)
    (one,) = [t["id"] for t in tables["items"] if t["number"] not in res["table_numbers"]]
    twice = await live.client.post(
        f"{url}/assign-tables", headers=host, json={"table_ids": [one, one]}
    )
    assert twice.status_code == 422 and twice.json()["field"] == "table_ids"
    small = await live.client.patch(
        f"{BASE}/restaurants/{rid}/tables/{one}", headers=admin, json={"max_capacity": 2}
    )
    assert small.status_code == 200, small.text
    refused = await asyncio.wait_for(
        live.client.post(f"{url}/assign-tables", headers=host, json={"table_ids": [one]}), 20
    )
    assert refused.status_code == 422, refused.text
    # the workflow is not stuck retrying: the next action goes through
    cancelled = await asyncio.wait_for(
        live.client.post(f"{url}/cancel", headers=host, json={"reason": "test"}), 20
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled_by_restaurant"


async def test_an_email_or_a_key_alone_reveals_no_one_elses_booking(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin)
    key = {"Idempotency-Key": "order-1"}
    victim = (await live.client.post(f"{BASE}/reservations", json=booking(rid), headers=key)).json()
    # the same key with another email is another booking, not the victim's
    other = await live.client.post(
        f"{BASE}/reservations", json=booking(rid, email="mallory@example.com"), headers=key
    )
    assert other.status_code == 201 and other.json()["id"] != victim["id"]
    # a booking under the victim's email does not list the victim's other bookings
    mine = (await live.client.post(f"{BASE}/reservations", json=booking(rid, at="21:00"))).json()
    listing = await live.client.get(
        f"{BASE}/reservations/{mine['id']}/guest-reservations",
        params={"token": mine["manage_token"]},
    )
    assert listing.status_code == 403
    # nor does it overwrite the victim's contact details
    async with live.db.sessions() as session:
        guest = await session.scalar(select(Guest).where(Guest.email == "ann@example.com"))
    assert guest is not None and guest.phone == "+31612345678"


async def test_a_staff_answer_to_a_closed_booking_is_refused_and_not_kept(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin)
    host = await live.token_for(StaffRole.HOST, [rid])
    made = (await live.client.post(f"{BASE}/reservations", json=booking(rid))).json()
    cancelled = await live.client.post(
        f"{BASE}/reservations/{made['id']}/cancel", headers={"X-Manage-Token": made["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    handle = live.env.client.get_workflow_handle(f"reservation-{made['id']}")
    await asyncio.wait_for(handle.result(), timeout=20)  # nothing held up: the workflow ends
    thread = f"{BASE}/restaurants/{rid}/reservations/{made['id']}/messages"
    answer = await live.client.post(thread, headers=host, json={"body": "Sorry to see you go"})
    assert answer.status_code == 409, answer.text
    assert (await live.client.get(thread, headers=host)).json()["items"] == []


async def test_a_replayed_create_after_the_booking_ended_returns_that_booking(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin)
    headers = {"Idempotency-Key": "replay-after-end"}
    first = await live.client.post(f"{BASE}/reservations", json=booking(rid), headers=headers)
    assert first.status_code == 201, first.text
    made = first.json()
    cancelled = await live.client.post(
        f"{BASE}/reservations/{made['id']}/cancel", headers={"X-Manage-Token": made["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    handle = live.env.client.get_workflow_handle(f"reservation-{made['id']}")
    await asyncio.wait_for(handle.result(), timeout=20)
    again = await live.client.post(f"{BASE}/reservations", json=booking(rid), headers=headers)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == made["id"] and again.json()["reference"] == made["reference"]
    assert again.json()["status"] == "cancelled_by_guest"  # what became of it since
    async with live.db.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Reservation))
    assert count == 1


async def test_the_guests_words_stay_out_of_the_workflow_history(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin)
    words = {
        "special_requests": "near the window, a quiet corner",
        "dietary_requirements": "severe peanut allergy",
        "occasion": "anniversary",
    }
    created = await live.client.post(f"{BASE}/reservations", json={**booking(rid), **words})
    assert created.status_code == 201, created.text
    made = created.json()
    async with live.db.sessions() as session:
        row = await session.get(Reservation, uuid.UUID(made["id"]))
        assert row is not None
        assert row.special_requests == words["special_requests"]
        assert row.dietary_requirements == words["dietary_requirements"]
        assert row.occasion == words["occasion"]
    handle = live.env.client.get_workflow_handle(f"reservation-{made['id']}")
    history = await handle.fetch_history()
    stored = b"\n".join(data for event in history.events for data in payload_bytes(event)).decode()
    assert made["id"] in stored  # the payloads were read: the ids are there
    memo = await (await handle.describe()).memo()
    for text in [*words.values(), "Ann", "Smit", "ann@example.com", "+31612345678"]:
        assert text not in stored, text
        assert text not in str(memo), text


def payload_bytes(message: Message) -> list[bytes]:
    """The data of every payload (inputs, results, memos) inside a history event."""
    if isinstance(message, Payload):
        return [message.data]
    found: list[bytes] = []
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            values = list(value.values())
        elif field.is_repeated:
            values = list(value)
        else:
            values = [value]
        for item in values:
            if isinstance(item, Message):
                found.extend(payload_bytes(item))
    return found
