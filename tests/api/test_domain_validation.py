"""Domain validation over HTTP (issue 10): dates and times, seating areas, special days, lists.

A booking's `date` + `time` is the local calendar date and wall-clock time of its
start, the same meaning a listed slot's `date` + `time` has.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.api.conftest import LiveApi
from tests.conftest import Api

BASE = "/api/v1/reservations"
ZONE = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    return datetime.now(ZONE).date()


def late_night(weekdays: range = range(7)) -> list[dict[str, Any]]:
    """A service from 18:00 to 02:00 (last seating 01:00) on `weekdays`."""
    return [
        {
            "weekday": d,
            "name": "late",
            "opens_at": "18:00",
            "closes_at": "02:00",
            "last_seating_at": "01:00",
        }
        for d in weekdays
    ]


async def new_restaurant(
    client: Any, admin: dict[str, str], *, services: list[dict[str, Any]] | None = None
) -> str:
    body = {
        "name": f"Nachtcafe {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "settings": {"min_notice_minutes": 0, "default_seating_minutes": 90},
        "services": services if services is not None else late_night(),
    }
    r = await client.post(f"{BASE}/restaurants", json=body, headers=admin)
    assert r.status_code == 201, r.text
    rid = str(r.json()["id"])
    t = await client.post(
        f"{BASE}/restaurants/{rid}/tables",
        json={"number": "1", "min_capacity": 1, "max_capacity": 4},
        headers=admin,
    )
    assert t.status_code == 201, t.text
    return rid


def booking(rid: str, day: date, at: str) -> dict[str, Any]:
    return {
        "restaurant_id": rid,
        "date": day.isoformat(),
        "time": at,
        "party_size": 2,
        "guest": {"email": "night@example.com", "first_name": "Noor"},
    }


def assert_invalid(response: Any, field: str, reason: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["field"], body["reason"]) == (field, reason), body


# 1. a listed slot after midnight books the instant listed ------------------------------


async def _listed_after_midnight(live: LiveApi, rid: str, day: date) -> dict[str, Any]:
    r = await live.client.get(
        f"{BASE}/restaurants/{rid}/availability",
        params={"date": day.isoformat(), "party_size": 2},
    )
    assert r.status_code == 200, r.text
    [slot] = [s for s in r.json()["slots"] if s["time"].startswith("00:30")]
    assert slot["date"] == (day + timedelta(days=1)).isoformat()
    return dict(slot)


async def test_slot_after_midnight_books_the_instant_listed(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(live.client, admin)
    day = today() + timedelta(days=6)
    slot = await _listed_after_midnight(live, rid, day)
    created = await live.client.post(
        f"{BASE}/reservations", json=booking(rid, date.fromisoformat(slot["date"]), "00:30")
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["starts_at"] == slot["starts_at"]
    assert (body["date"], body["time"][:5]) == (slot["date"], "00:30")


async def test_slot_after_midnight_books_even_when_the_next_day_is_closed(
    live: LiveApi, admin: dict[str, str]
) -> None:
    day = today() + timedelta(days=6)
    rid = await new_restaurant(
        live.client, admin, services=late_night(range(day.weekday(), day.weekday() + 1))
    )
    slot = await _listed_after_midnight(live, rid, day)
    created = await live.client.post(
        f"{BASE}/reservations", json=booking(rid, date.fromisoformat(slot["date"]), "00:30")
    )
    assert created.status_code == 201, created.text
    assert created.json()["starts_at"] == slot["starts_at"]


# 2. a past date or an off-grid time is invalid input -------------------------------------


async def test_past_date_and_off_grid_time_are_invalid_for_availability(
    api: Api, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(api.client, admin)
    url = f"{BASE}/restaurants/{rid}/availability"
    past = await api.client.get(
        url, params={"date": (today() - timedelta(days=1)).isoformat(), "party_size": 2}
    )
    assert_invalid(past, "date", "in_the_past")
    day = (today() + timedelta(days=3)).isoformat()
    off = await api.client.get(url, params={"date": day, "time": "19:07", "party_size": 2})
    assert_invalid(off, "time", "not_on_slot_grid")
    on = await api.client.get(url, params={"date": day, "time": "19:15", "party_size": 2})
    assert on.status_code == 200, on.text


async def test_past_date_and_off_grid_time_are_invalid_for_booking(
    api: Api, admin: dict[str, str]
) -> None:
    # refused at the edge: no workflow is started (this app has no Temporal at all)
    rid = await new_restaurant(api.client, admin)
    past = await api.client.post(
        f"{BASE}/reservations", json=booking(rid, today() - timedelta(days=1), "19:00")
    )
    assert_invalid(past, "date", "in_the_past")
    off = await api.client.post(
        f"{BASE}/reservations", json=booking(rid, today() + timedelta(days=3), "19:07")
    )
    assert_invalid(off, "time", "not_on_slot_grid")


# 3. seating areas are matched in any case; an unknown one is invalid ----------------------


async def test_seating_area_is_matched_in_any_case_and_unknown_is_invalid(
    api: Api, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(api.client, admin)
    r = await api.client.post(
        f"{BASE}/restaurants/{rid}/seating-areas", json={"name": "Terrace"}, headers=admin
    )
    assert r.status_code == 201, r.text
    url = f"{BASE}/restaurants/{rid}/availability"
    day = (today() + timedelta(days=3)).isoformat()
    cased = await api.client.get(
        url, params={"date": day, "party_size": 2, "seating_area": "terrace"}
    )
    assert cased.status_code == 200, cased.text
    assert cased.json()["seating_area"] == "Terrace"
    unknown = await api.client.get(
        url, params={"date": day, "party_size": 2, "seating_area": "rooftop"}
    )
    assert_invalid(unknown, "seating_area", "unknown_seating_area")


# 4. special days: no contradictions, nothing in the past ---------------------------------


async def test_special_day_refuses_a_contradicting_weekday_and_the_past(
    api: Api, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(api.client, admin)
    url = f"{BASE}/restaurants/{rid}/special-days"
    day = today() + timedelta(days=10)
    custom = {"name": "brunch", "opens_at": "10:00", "closes_at": "14:00"}
    wrong = await api.client.post(
        url,
        json={
            "starts_on": day.isoformat(),
            "kind": "custom_hours",
            "custom_services": [{**custom, "weekday": (day.weekday() + 1) % 7}],
        },
        headers=admin,
    )
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["field"] == "custom_services.0.weekday"
    past = await api.client.post(
        url,
        json={"starts_on": (today() - timedelta(days=1)).isoformat(), "kind": "closed"},
        headers=admin,
    )
    assert_invalid(past, "starts_on", "in_the_past")
    # the weekday may be left out, or given when it is the date's own
    for with_weekday in (False, True):
        service = {**custom, "weekday": day.weekday()} if with_weekday else custom
        ok = await api.client.post(
            url,
            json={
                "starts_on": day.isoformat(),
                "kind": "custom_hours",
                "custom_services": [service],
            },
            headers=admin,
        )
        assert ok.status_code == 201, ok.text
        assert ok.json()["custom_services"][0]["opens_at"].startswith("10:00")
        day += timedelta(days=1)


# 5. every list is a page ----------------------------------------------------------------


async def test_every_list_is_a_page(api: Api, admin: dict[str, str]) -> None:
    rid = await new_restaurant(api.client, admin)
    base = f"{BASE}/restaurants/{rid}"
    await api.client.post(f"{base}/seating-areas", json={"name": "Bar"}, headers=admin)
    await api.client.post(f"{base}/seating-areas", json={"name": "Terrace"}, headers=admin)
    await api.client.post(f"{base}/floor-plans", json={"name": "Ground"}, headers=admin)
    await api.client.post(
        f"{base}/special-days",
        json={"starts_on": (today() + timedelta(days=9)).isoformat(), "kind": "closed"},
        headers=admin,
    )
    for path, count in [
        ("seating-areas", 2),
        ("floor-plans", 1),
        ("special-days", 1),
        ("party-size-overrides", 0),
    ]:
        r = await api.client.get(f"{base}/{path}", headers=admin)
        assert r.status_code == 200, r.text
        assert r.json() == {**r.json(), "total": count, "limit": 50, "offset": 0}, path
        assert len(r.json()["items"]) == count
    second = await api.client.get(
        f"{base}/seating-areas", params={"limit": 1, "offset": 1}, headers=admin
    )
    assert [a["name"] for a in second.json()["items"]] == ["Terrace"]
    assert second.json()["total"] == 2


# 6. reading a reservation says whether payment is required ------------------------------


async def test_reading_a_reservation_says_whether_payment_is_required(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(live.client, admin)
    created = await live.client.post(
        f"{BASE}/reservations", json=booking(rid, today() + timedelta(days=5), "19:00")
    )
    assert created.status_code == 201, created.text
    made = created.json()
    read = await live.client.get(
        f"{BASE}/reservations/{made['id']}", params={"token": made["manage_token"]}
    )
    assert read.status_code == 200, read.text
    assert read.json()["payment_required"] is False
    assert made["payment_required"] is False
    thread = await live.client.get(
        f"{BASE}/restaurants/{rid}/reservations/{made['id']}/messages", headers=admin
    )
    assert thread.status_code == 200, thread.text
    assert {"items", "total", "limit", "offset"} <= set(thread.json())


# 1b. a date's own wall clock decides: a time it has no slot at is never moved a day ------


async def _refused_not_moved(
    live: LiveApi, admin: dict[str, str], rid: str, day: date, at: str
) -> None:
    refused = await live.client.post(f"{BASE}/reservations", json=booking(rid, day, at))
    assert refused.status_code == 409, refused.text
    assert refused.json()["reason"] in {"outside_opening_hours", "special_day_closed"}
    listed = await live.client.get(f"{BASE}/restaurants/{rid}/reservations", headers=admin)
    assert listed.json()["total"] == 0, listed.text


async def test_a_time_after_midnight_of_a_closed_night_is_refused_not_moved(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(live.client, admin)
    night = today() + timedelta(days=6)
    closed = await live.client.post(
        f"{BASE}/restaurants/{rid}/special-days",
        json={"starts_on": night.isoformat(), "kind": "closed"},
        headers=admin,
    )
    assert closed.status_code == 201, closed.text
    # 00:30 on the morning after the closed night: no service has a slot then (the
    # next evening's own 00:30 is a day later, and must not be booked instead)
    await _refused_not_moved(live, admin, rid, night + timedelta(days=1), "00:30")
    # a booking moved there is refused the same way, and stays where it was
    kept = await live.client.post(
        f"{BASE}/reservations", json=booking(rid, night + timedelta(days=3), "00:30")
    )
    assert kept.status_code == 201, kept.text
    moved = await live.client.patch(
        f"{BASE}/reservations/{kept.json()['id']}",
        params={"token": kept.json()["manage_token"]},
        json={"date": (night + timedelta(days=1)).isoformat(), "time": "00:30"},
    )
    assert moved.status_code == 409, moved.text
    again = await live.client.get(
        f"{BASE}/reservations/{kept.json()['id']}",
        params={"token": kept.json()["manage_token"]},
    )
    assert again.json()["starts_at"] == kept.json()["starts_at"]


async def test_a_time_in_the_spring_forward_gap_is_refused_not_moved(
    live: LiveApi, admin: dict[str, str]
) -> None:
    gap_day = next(
        d
        for d in (today() + timedelta(days=i) for i in range(1, 400))
        if datetime.combine(d, datetime.min.time(), ZONE).utcoffset()
        != datetime.combine(d + timedelta(days=1), datetime.min.time(), ZONE).utcoffset()
        and d.month < 6
    )
    night = [
        {"weekday": d, "name": "night", "opens_at": "22:00", "closes_at": "06:00",
         "last_seating_at": "04:00"}
        for d in range(7)
    ]  # fmt: skip
    rid = await new_restaurant(live.client, admin, services=night)
    wide = await live.client.put(
        f"{BASE}/restaurants/{rid}/settings",
        json={"advance_booking_days": 400},
        headers=admin,
    )
    assert wide.status_code == 200, wide.text
    # 02:30 on the day the clocks jump from 02:00 to 03:00 does not exist
    await _refused_not_moved(live, admin, rid, gap_day, "02:30")


async def test_a_time_after_midnight_is_judged_by_its_own_slot_not_the_next_nights(
    live: LiveApi, admin: dict[str, str]
) -> None:
    """00:30 on a date is the evening before's slot. The next evening's 00:30 (a day
    later) being full must not refuse it, in the quick "is it full?" check either."""
    rid = await new_restaurant(live.client, admin)
    night = today() + timedelta(days=6)
    later = await live.client.post(
        f"{BASE}/reservations", json=booking(rid, night + timedelta(days=2), "00:30")
    )
    assert later.status_code == 201, later.text
    wanted = await live.client.post(
        f"{BASE}/reservations",
        json={**booking(rid, night + timedelta(days=1), "00:30"), "guest": {
            "email": "dawn@example.com", "first_name": "Dawn"}},
    )  # fmt: skip
    assert wanted.status_code == 201, wanted.text
    assert wanted.json()["date"] == (night + timedelta(days=1)).isoformat()
