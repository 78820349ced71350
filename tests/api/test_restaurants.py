"""Restaurant management over HTTP: create, list with filters, get, update, settings, hours."""

from __future__ import annotations

from typing import Any

from models.enums import StaffRole
from tests.conftest import Api

BASE = "/api/v1/reservations"


def restaurant_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "De Kas",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "city": "Amsterdam",
        "cuisine_type": "Dutch",
        "price_range": 3,
        "features": ["terrace", "vegetarian"],
        "phone": "+31 20 462 4562",
        "services": [
            {
                "weekday": d,
                "name": "dinner",
                "opens_at": "18:00",
                "closes_at": "22:30",
                "last_seating_at": "21:30",
            }
            for d in range(5)
        ],
    }
    body.update(overrides)
    return body


async def test_admin_creates_restaurant_and_public_reads_it(
    api: Api, admin: dict[str, str]
) -> None:
    created = await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["slug"] == "de-kas"
    assert body["phone"] == "+31204624562"
    assert len(body["services"]) == 5

    public = await api.client.get(f"{BASE}/restaurants/{body['id']}")
    assert public.status_code == 200
    assert public.json()["name"] == "De Kas"

    listed = await api.client.get(f"{BASE}/restaurants", params={"city": "amsterdam"})
    assert listed.json()["total"] == 1


async def test_list_filters_and_pagination(api: Api, admin: dict[str, str]) -> None:
    for name, city, cuisine, price, features in [
        ("Alpha", "Amsterdam", "Italian", 2, ["terrace"]),
        ("Beta", "Amsterdam", "French", 4, ["private_room"]),
        ("Gamma", "Utrecht", "Italian", 1, ["terrace", "bar"]),
    ]:
        r = await api.client.post(
            f"{BASE}/restaurants",
            json=restaurant_body(
                name=name, city=city, cuisine_type=cuisine, price_range=price, features=features
            ),
            headers=admin,
        )
        assert r.status_code == 201, r.text

    async def names(**params: Any) -> list[str]:
        r = await api.client.get(f"{BASE}/restaurants", params=params)
        assert r.status_code == 200, r.text
        return [item["name"] for item in r.json()["items"]]

    assert await names(city="Amsterdam") == ["Alpha", "Beta"]
    assert await names(cuisine="italian") == ["Alpha", "Gamma"]
    assert await names(price_max=2) == ["Alpha", "Gamma"]
    assert await names(features=["terrace", "bar"]) == ["Gamma"]
    assert await names(q="bet") == ["Beta"]
    assert await names(limit=1, offset=1) == ["Beta"]
    page = (await api.client.get(f"{BASE}/restaurants", params={"limit": 2})).json()
    assert page["total"] == 3 and page["limit"] == 2 and len(page["items"]) == 2


async def test_validation_errors_name_the_field(api: Api, admin: dict[str, str]) -> None:
    cases = [
        (restaurant_body(timezone="Mars/Olympus"), "timezone"),
        (restaurant_body(currency="XXY"), "currency"),
        (
            restaurant_body(services=[{"weekday": 1, "opens_at": "25:00", "closes_at": "23:00"}]),
            "services.0.opens_at",
        ),
        (restaurant_body(settings={"min_party_size": 0}), "settings.min_party_size"),
        (restaurant_body(settings={"min_party_size": 8, "max_party_size": 4}), "settings"),
        (restaurant_body(price_range=5), "price_range"),
        (restaurant_body(phone="12"), "phone"),
        (restaurant_body(unknown_field=1), "unknown_field"),
    ]
    for body, field in cases:
        r = await api.client.post(f"{BASE}/restaurants", json=body, headers=admin)
        assert r.status_code == 422, (field, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["status"] == 422
        assert problem["field"] == field, (field, problem)
    listed = await api.client.get(f"{BASE}/restaurants")
    assert listed.json()["total"] == 0  # nothing half-written


async def test_update_settings_and_opening_hours(api: Api, admin: dict[str, str]) -> None:
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    r = await api.client.patch(
        f"{BASE}/restaurants/{rid}", json={"name": "De Kas II"}, headers=admin
    )
    assert r.status_code == 200 and r.json()["name"] == "De Kas II"

    settings = (await api.client.get(f"{BASE}/restaurants/{rid}/settings", headers=admin)).json()
    assert settings["slot_interval_minutes"] == 15
    settings.update(
        max_party_size=10,
        turn_times=[{"min_party_size": 1, "minutes": 90}, {"min_party_size": 6, "minutes": 150}],
        confirmation_mode="manual",
    )
    r = await api.client.put(f"{BASE}/restaurants/{rid}/settings", json=settings, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["confirmation_mode"] == "manual"

    hours = {
        "services": [
            {"weekday": 4, "name": "lunch", "opens_at": "12:00", "closes_at": "14:30"},
            {
                "weekday": 4,
                "name": "dinner",
                "opens_at": "18:00",
                "closes_at": "01:00",
                "last_seating_at": "23:30",
            },
        ]
    }
    r = await api.client.put(f"{BASE}/restaurants/{rid}/opening-hours", json=hours, headers=admin)
    assert r.status_code == 200, r.text
    got = (await api.client.get(f"{BASE}/restaurants/{rid}/opening-hours")).json()["services"]
    assert [s["name"] for s in got] == ["lunch", "dinner"]

    overlapping = {
        "services": [
            {"weekday": 2, "name": "lunch", "opens_at": "12:00", "closes_at": "15:00"},
            {"weekday": 2, "name": "late lunch", "opens_at": "14:00", "closes_at": "16:00"},
        ]
    }
    r = await api.client.put(
        f"{BASE}/restaurants/{rid}/opening-hours", json=overlapping, headers=admin
    )
    assert r.status_code == 422


async def test_special_days(api: Api, admin: dict[str, str]) -> None:
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    url = f"{BASE}/restaurants/{rid}/special-days"
    r = await api.client.post(
        url,
        json={
            "starts_on": "2026-12-24",
            "ends_on": "2026-12-26",
            "kind": "closed",
            "note": "Christmas",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    clash = await api.client.post(
        url, json={"starts_on": "2026-12-26", "kind": "private_event"}, headers=admin
    )
    assert clash.status_code == 409 and clash.json()["field"] == "starts_on"
    bad = await api.client.post(
        url, json={"starts_on": "2026-12-30", "kind": "custom_hours"}, headers=admin
    )
    assert bad.status_code == 422
    listed = (await api.client.get(url)).json()["items"]
    assert [d["kind"] for d in listed] == ["closed"]
    r = await api.client.delete(f"{url}/{listed[0]['id']}", headers=admin)
    assert r.status_code == 204
    assert (await api.client.get(url)).json()["items"] == []


async def test_only_admins_create_restaurants(api: Api) -> None:
    anonymous = await api.client.post(f"{BASE}/restaurants", json=restaurant_body())
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    admin = await api.token_for(StaffRole.ADMIN)
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    refused = await api.client.post(
        f"{BASE}/restaurants", json=restaurant_body(name="Other"), headers=manager
    )
    assert refused.status_code == 403
    assert (await api.client.get(f"{BASE}/restaurants")).json()["total"] == 1
    # featuring is the platform's promotion: the manager edits the rest, not that
    url = f"{BASE}/restaurants/{rid}"
    featured = await api.client.patch(url, json={"is_featured": True}, headers=manager)
    assert featured.status_code == 403 and featured.json()["field"] == "is_featured"
    renamed = await api.client.patch(url, json={"name": "De Kas II"}, headers=manager)
    assert renamed.status_code == 200 and renamed.json()["is_featured"] is False, renamed.text
    by_admin = await api.client.patch(url, json={"is_featured": True}, headers=admin)
    assert by_admin.status_code == 200 and by_admin.json()["is_featured"] is True


async def test_duplicate_slug_is_a_conflict(api: Api, admin: dict[str, str]) -> None:
    first = await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    second = await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    assert second.status_code == 201 and second.json()["slug"] == "de-kas-2"
    third = await api.client.post(
        f"{BASE}/restaurants", json=restaurant_body(slug=first.json()["slug"]), headers=admin
    )
    assert third.status_code == 409 and third.json()["field"] == "slug"
