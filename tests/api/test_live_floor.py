"""The live floor over HTTP: every table's state from real bookings (made, checked in and
completed through the reservation workflow), a host's marks, and their validation."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import event

from models.enums import StaffRole
from tests.api.conftest import LiveApi
from tests.api.test_reservation_lifecycle import BASE, booking, booking_day, restaurant, soon
from tests.conftest import Api

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def floor_url(rid: str) -> str:
    return f"{BASE}/tables/restaurant/{rid}/floor-plan"


def local(day: date, clock: str) -> str:
    """An Amsterdam wall-clock time on `day` as an ISO instant with its offset."""
    hour, minute = map(int, clock.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM).isoformat()


async def floor(
    client: httpx.AsyncClient, rid: str, headers: dict[str, str], at: str | None = None
) -> dict[str, Any]:
    params = {"at": at} if at else {}
    r = await client.get(floor_url(rid), headers=headers, params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def table(body: dict[str, Any], number: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in body["tables"] if t["number"] == number)
    return found


async def mark(
    client: httpx.AsyncClient, table_id: str, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await client.put(f"{BASE}/tables/{table_id}/status", headers=headers, json=body)


# ---- statuses from bookings -------------------------------------------------------------


async def test_a_confirmed_booking_makes_its_table_booked_within_the_turn(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=3)  # 90-minute turns, dinner from 17:00
    host = await live.token_for(StaffRole.HOST, [rid])
    made = await live.client.post(f"{BASE}/reservations", json=booking(rid, at="19:00"))
    assert made.status_code == 201, made.text
    res = made.json()
    number = res["table_numbers"][0]
    day = booking_day()

    ahead = await floor(live.client, rid, host, local(day, "18:30"))
    assert ahead["timezone"] == "Europe/Amsterdam" and ahead["turn_minutes"] == 90
    booked = table(ahead, number)
    assert booked["status"] == "booked" and booked["set_by_staff"] is False
    assert booked["reservation"]["id"] == res["id"]
    assert booked["reservation"]["guest_name"] == "Ann Smit"
    assert booked["reservation"]["party_size"] == 2
    assert booked["reservation"]["status"] == "confirmed"
    assert booked["next_reservation"] is None and booked["minutes_seated"] is None
    others = [t for t in ahead["tables"] if t["number"] != number]
    assert {t["status"] for t in others} == {"free"}
    assert all(t["reservation"] is None for t in others)

    # before the turn window the table is free, the booking comes next
    early = table(await floor(live.client, rid, host, local(day, "17:00")), number)
    assert early["status"] == "free" and early["reservation"] is None
    assert early["next_reservation"]["id"] == res["id"]
    # a late party's table stays booked through its slot; after it the table is free
    late = table(await floor(live.client, rid, host, local(day, "20:00")), number)
    assert late["status"] == "booked" and late["reservation"]["id"] == res["id"]
    after = table(await floor(live.client, rid, host, local(day, "21:00")), number)
    assert after["status"] == "free" and after["next_reservation"] is None

    # a cancelled booking no longer shows
    cancelled = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{res['id']}/cancel",
        headers=host,
        json={"reason": "closed"},
    )
    assert cancelled.status_code == 200, cancelled.text
    gone = table(await floor(live.client, rid, host, local(day, "18:30")), number)
    assert gone["status"] == "free" and gone["reservation"] is None


async def test_a_hold_waiting_for_its_deposit_makes_its_table_held(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, payment_mode="deposit", payment_fixed_minor=2500)
    host = await live.token_for(StaffRole.HOST, [rid])
    made = await live.client.post(f"{BASE}/reservations", json=booking(rid, at="19:00"))
    assert made.status_code == 201 and made.json()["status"] == "held", made.text
    res = made.json()
    held = table(
        await floor(live.client, rid, host, local(booking_day(), "18:45")),
        res["table_numbers"][0],
    )
    assert held["status"] == "held"
    assert held["reservation"]["id"] == res["id"] and held["reservation"]["status"] == "held"


async def test_check_in_seats_and_completion_leaves_the_table_to_clean(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, all_day=True)
    host = await live.token_for(StaffRole.HOST, [rid])
    res = (await live.client.post(f"{BASE}/reservations", json={**booking(rid), **soon()})).json()
    number = res["table_numbers"][0]
    table_id = table(await floor(live.client, rid, host), number)["id"]
    # someone marked the table to be cleaned; the party sits down anyway
    marked = await mark(live.client, table_id, host, status="cleaning", note="wine spilt")
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "cleaning" and marked.json()["status_note"] == "wine spilt"
    assert marked.json()["set_by_staff"] is True

    staff_url = f"{BASE}/restaurants/{rid}/reservations/{res['id']}"
    seated = await live.client.post(f"{staff_url}/check-in", headers=host)
    assert seated.status_code == 200, seated.text
    now = await floor(live.client, rid, host)
    sitting = table(now, number)
    assert sitting["status"] == "seated" and sitting["reservation"]["id"] == res["id"]
    assert sitting["reservation"]["status"] == "seated"
    assert sitting["status_note"] is None and sitting["set_by_staff"] is False
    since = datetime.fromisoformat(sitting["status_since"])
    at = datetime.fromisoformat(now["at"])
    assert since <= at
    assert sitting["minutes_seated"] == int((at - since).total_seconds() // 60)
    assert datetime.fromisoformat(sitting["expected_end"]) == since + timedelta(minutes=90)

    # a mark on a seated table is kept for later but the party shows
    again = await mark(live.client, table_id, host, status="blocked")
    assert again.status_code == 200 and again.json()["status"] == "seated"

    done = await live.client.post(f"{staff_url}/complete", headers=host)
    assert done.status_code == 200, done.text
    left = table(await floor(live.client, rid, host), number)
    assert left["status"] == "blocked"  # a host's block outlives the meal

    await mark(live.client, table_id, host, status="free")
    res2 = (
        await live.client.post(
            f"{BASE}/reservations", json={**booking(rid, email="b@example.com"), **soon()}
        )
    ).json()
    url2 = f"{BASE}/restaurants/{rid}/reservations/{res2['id']}"
    assert (await live.client.post(f"{url2}/check-in", headers=host)).status_code == 200
    assert (await live.client.post(f"{url2}/complete", headers=host)).status_code == 200
    cleaning = table(await floor(live.client, rid, host), res2["table_numbers"][0])
    assert cleaning["status"] == "cleaning" and cleaning["set_by_staff"] is False
    assert cleaning["reservation"] is None
    wiped = await mark(live.client, cleaning["id"], host, status="free", note="ready")
    assert wiped.status_code == 200, wiped.text
    assert wiped.json()["status"] == "free" and wiped.json()["set_by_staff"] is True
    assert wiped.json()["status_note"] == "ready"


async def test_a_walk_in_is_seated_and_marks_never_change_availability(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=1, all_day=True)
    host = await live.token_for(StaffRole.HOST, [rid])
    only = table(await floor(live.client, rid, host), "1")
    blocked = await mark(live.client, only["id"], host, status="blocked", note="wobbly leg")
    assert blocked.json()["status"] == "blocked"
    # a host's block is a floor fact: the table can still be booked
    made = await live.client.post(f"{BASE}/reservations", json=booking(rid, at="19:00"))
    assert made.status_code == 201, made.text
    walked = await live.client.post(
        f"{BASE}/restaurants/{rid}/walk-ins", headers=host, json={"party_size": 2}
    )
    assert walked.status_code == 201, walked.text
    now = table(await floor(live.client, rid, host), "1")
    assert now["status"] == "seated" and now["reservation"]["id"] == walked.json()["id"]
    assert now["status_note"] is None


async def test_inactive_tables_are_listed_as_blocked(live: LiveApi, admin: dict[str, str]) -> None:
    rid = await restaurant(live, admin, tables=2)
    host = await live.token_for(StaffRole.HOST, [rid])
    plan = await live.client.post(
        f"{BASE}/restaurants/{rid}/floor-plans", headers=admin, json={"name": "Main room"}
    )
    assert plan.status_code == 201, plan.text
    first = table(await floor(live.client, rid, host), "1")
    patched = await live.client.patch(
        f"{BASE}/restaurants/{rid}/tables/{first['id']}",
        headers=admin,
        json={"is_active": False, "floor_plan_id": plan.json()["id"], "x": 10, "y": 20},
    )
    assert patched.status_code == 200, patched.text
    body = await floor(live.client, rid, host)
    assert [p["name"] for p in body["floor_plans"]] == ["Main room"]
    off = table(body, "1")
    assert off["status"] == "blocked" and off["is_active"] is False
    assert off["set_by_staff"] is False
    assert (off["floor_plan_id"], off["x"], off["y"]) == (plan.json()["id"], 10, 20)
    assert table(body, "2")["status"] == "free"


# ---- who may look, and what is refused ---------------------------------------------------


async def _restaurant(api: Api, admin: dict[str, str]) -> tuple[str, str]:
    r = await api.client.post(
        f"{BASE}/restaurants",
        headers=admin,
        json={
            "name": f"Cafe {uuid.uuid4().hex[:6]}",
            "timezone": "Europe/Amsterdam",
            "currency": "EUR",
        },
    )
    assert r.status_code == 201, r.text
    rid = str(r.json()["id"])
    t = await api.client.post(
        f"{BASE}/restaurants/{rid}/tables",
        headers=admin,
        json={"number": "7", "min_capacity": 1, "max_capacity": 4},
    )
    assert t.status_code == 201, t.text
    return rid, str(t.json()["id"])


def assert_problem(r: httpx.Response, status: int, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if field is not None:
        assert r.json()["field"] == field, r.json()


async def test_marks_are_validated_and_scoped(api: Api, admin: dict[str, str]) -> None:
    mine, my_table = await _restaurant(api, admin)
    theirs, their_table = await _restaurant(api, admin)
    host = await api.token_for(StaffRole.HOST, [mine])
    cases: list[tuple[dict[str, Any], str]] = [
        ({"status": "seated"}, "status"),
        ({"status": "booked"}, "status"),
        ({}, "status"),
        ({"status": "cleaning", "note": "x" * 201}, "note"),
        ({"status": "free", "colour": "red"}, "colour"),
        ({"status": 1}, "status"),
    ]
    for body, field in cases:
        assert_problem(await mark(api.client, my_table, host, **body), 422, field)
    ok = await mark(api.client, my_table, host, status="cleaning", note="x" * 200)
    assert ok.status_code == 200 and ok.json()["status"] == "cleaning"

    assert_problem(await mark(api.client, str(uuid.uuid4()), host, status="free"), 404)
    # another restaurant's table does not exist for this host, and stays as it was
    assert_problem(await mark(api.client, their_table, host, status="blocked"), 404)
    their_floor = await floor(api.client, theirs, admin)
    assert table(their_floor, "7")["status"] == "free"
    assert_problem(await mark(api.client, my_table, {}, status="free"), 401)
    bad = {"Authorization": "Bearer not-a-token"}
    assert_problem(await mark(api.client, my_table, bad, status="free"), 401)


async def test_the_floor_is_for_the_restaurants_staff(api: Api, admin: dict[str, str]) -> None:
    mine, _ = await _restaurant(api, admin)
    theirs, _ = await _restaurant(api, admin)
    host = await api.token_for(StaffRole.HOST, [mine])
    assert_problem(await api.client.get(floor_url(theirs), headers=host), 404)
    assert_problem(await api.client.get(floor_url(str(uuid.uuid4())), headers=admin), 404)
    assert_problem(await api.client.get(floor_url(mine)), 401)
    naive = await api.client.get(floor_url(mine), headers=host, params={"at": "2031-03-05T19:00"})
    assert_problem(naive, 422, "at")
    # far away, and at the very ends of the calendar, where the UTC date does not exist
    for at in ("9999-12-31T23:00:00+00:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00+14:00"):
        far = await api.client.get(floor_url(mine), headers=host, params={"at": at})
        assert_problem(far, 422, "at")
    body = await floor(api.client, mine, host, "2031-03-05T19:00:00+01:00")
    assert datetime.fromisoformat(body["at"]) == datetime.fromisoformat("2031-03-05T18:00:00Z")
    assert [t["status"] for t in body["tables"]] == ["free"]


async def test_the_floor_costs_the_same_queries_for_any_number_of_tables(
    api: Api, admin: dict[str, str]
) -> None:
    rid, _ = await _restaurant(api, admin)
    host = await api.token_for(StaffRole.HOST, [rid])
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    async def queries_for_the_floor() -> int:
        statements.clear()
        event.listen(api.db.engine.sync_engine, "before_cursor_execute", count)
        try:
            body = await floor(api.client, rid, host)
        finally:
            event.remove(api.db.engine.sync_engine, "before_cursor_execute", count)
        assert body["tables"]
        return len(statements)

    one_table = await queries_for_the_floor()
    assert one_table >= 5  # staff, restaurant, plans, areas, tables, allocations: counted
    for number in range(10, 16):
        r = await api.client.post(
            f"{BASE}/restaurants/{rid}/tables",
            headers=admin,
            json={"number": str(number), "min_capacity": 1, "max_capacity": 4},
        )
        assert r.status_code == 201, r.text
    assert await queries_for_the_floor() == one_table
