"""Edges of the input: calendar limits, offsets, overnight overlaps, hidden restaurants,
passwords with spaces, and changes that would misplace existing bookings."""

from __future__ import annotations

import uuid

from models.enums import StaffRole
from tests.allocation.helpers import make_guest, make_reservation
from tests.api.test_restaurants import BASE, restaurant_body
from tests.conftest import Api


async def test_dates_beyond_the_calendar_and_times_with_offsets_are_422(
    api: Api, admin: dict[str, str]
) -> None:
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    url = f"{BASE}/restaurants/{rid}/availability"
    cases: list[tuple[dict[str, str], str]] = [
        ({"date": "9999-12-31", "party_size": "2"}, "date"),
        ({"date": "0001-01-01", "party_size": "2"}, "date"),
        ({"date": "2026-12-01", "party_size": "2", "time": "19:00+05:00"}, "time"),
    ]
    for params, field in cases:
        r = await api.client.get(url, params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["field"] == field
    create = await api.client.post(
        f"{BASE}/reservations",
        json={
            "restaurant_id": rid,
            "date": "9999-12-30",
            "time": "19:00",
            "party_size": 2,
            "guest": {"email": "a@example.com", "first_name": "A"},
        },
    )
    assert create.status_code == 422 and create.json()["field"] == "date"


async def test_overnight_services_may_not_overlap_the_next_day(
    api: Api, admin: dict[str, str]
) -> None:
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    url = f"{BASE}/restaurants/{rid}/opening-hours"
    late = {"weekday": 0, "name": "late", "opens_at": "20:00", "closes_at": "02:00"}
    for other in [
        {"weekday": 0, "name": "inner", "opens_at": "21:00", "closes_at": "23:00"},
        {"weekday": 1, "name": "night", "opens_at": "00:30", "closes_at": "04:00"},
        # across the end of the week: Sunday 22:00 until Monday 20:30
        {"weekday": 6, "name": "marathon", "opens_at": "22:00", "closes_at": "20:30"},
    ]:
        r = await api.client.put(url, json={"services": [late, other]}, headers=admin)
        assert r.status_code == 422, (other, r.text)
    fine = {"weekday": 1, "name": "lunch", "opens_at": "12:00", "closes_at": "14:30"}
    assert (
        await api.client.put(url, json={"services": [late, fine]}, headers=admin)
    ).status_code == 200


async def test_a_deactivated_restaurant_is_hidden_everywhere_public(
    api: Api, admin: dict[str, str]
) -> None:
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    await api.client.patch(f"{BASE}/restaurants/{rid}", json={"is_active": False}, headers=admin)
    for path in ["", "/opening-hours", "/special-days"]:
        assert (await api.client.get(f"{BASE}/restaurants/{rid}{path}")).status_code == 404, path


async def test_spaces_in_a_password_are_kept(api: Api, admin: dict[str, str]) -> None:
    body = {
        "email": "s@example.com",
        "full_name": "S",
        "password": "  spaced secret  ",
        "role": "admin",
    }
    assert (await api.client.post(f"{BASE}/staff", json=body, headers=admin)).status_code == 201
    trimmed = await api.client.post(
        f"{BASE}/auth/token", json={"email": "s@example.com", "password": "spaced secret"}
    )
    assert trimmed.status_code == 401
    exact = await api.client.post(
        f"{BASE}/auth/token", json={"email": "s@example.com", "password": "  spaced secret  "}
    )
    assert exact.status_code == 200


async def test_timezone_cannot_change_under_active_reservations(
    api: Api, admin: dict[str, str]
) -> None:
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    async with api.db.sessions() as session:
        guest = await make_guest(session)
        await make_reservation(session, restaurant_id=uuid.UUID(rid), guest_id=guest.id)
        await session.commit()
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    r = await api.client.patch(
        f"{BASE}/restaurants/{rid}", json={"timezone": "America/New_York"}, headers=manager
    )
    assert r.status_code == 409 and r.json()["field"] == "timezone"
