"""Table management over HTTP: tables, combinations, seating areas, floor plans."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from tests.api.test_restaurants import BASE, restaurant_body
from tests.conftest import Api


async def new_restaurant(api: Api, admin: dict[str, str]) -> str:
    r = await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_tables_crud_and_validation(api: Api, admin: dict[str, str]) -> None:
    rid = await new_restaurant(api, admin)
    url = f"{BASE}/restaurants/{rid}/tables"
    created = await api.client.post(
        url,
        json={"number": "1", "min_capacity": 2, "max_capacity": 4, "features": ["window"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    table = created.json()

    bad: list[tuple[dict[str, Any], int, str]] = [
        ({"number": "2", "min_capacity": 6, "max_capacity": 4}, 422, "body"),
        ({"number": "2", "max_capacity": 0}, 422, "max_capacity"),
        ({"number": "1", "max_capacity": 4}, 409, "number"),
        (
            {
                "number": "3",
                "max_capacity": 4,
                "combinable_with": [table["id"], str(uuid.uuid4())],
            },
            422,
            "combinable_with",
        ),
    ]
    for body, status, field in bad:
        r = await api.client.post(url, json=body, headers=admin)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert field in (r.json().get("field") or ""), r.json()

    patched = await api.client.patch(
        f"{url}/{table['id']}", json={"max_capacity": 6, "name": "Window"}, headers=admin
    )
    assert patched.status_code == 200 and patched.json()["max_capacity"] == 6
    too_small = await api.client.patch(
        f"{url}/{table['id']}", json={"max_capacity": 1}, headers=admin
    )
    assert too_small.status_code == 422 and too_small.json()["field"] == "min_capacity"

    listed = (await api.client.get(url, headers=admin)).json()
    assert listed["total"] == 1 and listed["items"][0]["name"] == "Window"
    deleted = await api.client.delete(f"{url}/{table['id']}", headers=admin)
    assert deleted.status_code == 204
    assert (await api.client.get(f"{url}/{table['id']}", headers=admin)).status_code == 404


async def test_combinations_are_kept_symmetric(api: Api, admin: dict[str, str]) -> None:
    rid = await new_restaurant(api, admin)
    url = f"{BASE}/restaurants/{rid}/tables"
    a = (await api.client.post(url, json={"number": "10", "max_capacity": 2}, headers=admin)).json()
    b = (
        await api.client.post(
            url,
            json={"number": "11", "max_capacity": 2, "combinable_with": [a["id"]]},
            headers=admin,
        )
    ).json()
    a_now = (await api.client.get(f"{url}/{a['id']}", headers=admin)).json()
    assert a_now["combinable_with"] == [b["id"]]
    await api.client.patch(f"{url}/{b['id']}", json={"combinable_with": []}, headers=admin)
    a_now = (await api.client.get(f"{url}/{a['id']}", headers=admin)).json()
    assert a_now["combinable_with"] == []


async def test_tables_pushed_together_seat_no_fewer_than_one_alone(
    api: Api, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(api, admin)
    url = f"{BASE}/restaurants/{rid}/tables"
    small = {"number": "20", "max_capacity": 4, "combined_max_capacity": 2}
    refused = await api.client.post(url, json=small, headers=admin)
    assert refused.status_code == 422, refused.text
    made = await api.client.post(url, json={**small, "combined_max_capacity": 8}, headers=admin)
    assert made.status_code == 201, made.text
    for change, field in [
        ({"combined_max_capacity": 3}, "combined_max_capacity"),
        ({"max_capacity": 10}, "combined_max_capacity"),
    ]:
        r = await api.client.patch(f"{url}/{made.json()['id']}", json=change, headers=admin)
        assert r.status_code == 422 and r.json()["field"] == field, r.text


async def test_floor_plan_with_areas_and_tables(api: Api, admin: dict[str, str]) -> None:
    rid = await new_restaurant(api, admin)
    base = f"{BASE}/restaurants/{rid}"
    plan = (
        await api.client.post(f"{base}/floor-plans", json={"name": "Ground floor"}, headers=admin)
    ).json()
    dup = await api.client.post(f"{base}/floor-plans", json={"name": "Ground floor"}, headers=admin)
    assert dup.status_code == 409
    area = (
        await api.client.post(
            f"{base}/seating-areas",
            json={"name": "Terrace", "floor_plan_id": plan["id"]},
            headers=admin,
        )
    ).json()
    table = await api.client.post(
        f"{base}/tables",
        json={
            "number": "T1",
            "max_capacity": 4,
            "seating_area_id": area["id"],
            "floor_plan_id": plan["id"],
            "x": 120,
            "y": 80,
            "table_type": "outdoor",
        },
        headers=admin,
    )
    assert table.status_code == 201, table.text
    view = (await api.client.get(f"{base}/floor-plans/{plan['id']}", headers=admin)).json()
    assert [a["name"] for a in view["seating_areas"]] == ["Terrace"]
    assert [(t["number"], t["x"], t["y"]) for t in view["tables"]] == [("T1", 120, 80)]
    assert [
        a["name"]
        for a in (await api.client.get(f"{base}/seating-areas", headers=admin)).json()["items"]
    ] == ["Terrace"]
    assert (await api.client.get(f"{base}/floor-plans", headers=admin)).json()["total"] == 1


async def test_party_size_overrides(api: Api, admin: dict[str, str]) -> None:
    rid = await new_restaurant(api, admin)
    url = f"{BASE}/restaurants/{rid}/party-size-overrides"
    day = date.today() + timedelta(days=30)
    body = {"day": day.isoformat(), "starts_at": "18:00", "ends_at": "21:00", "max_party_size": 4}
    r = await api.client.post(url, json=body, headers=admin)
    assert r.status_code == 201, r.text
    clash = await api.client.post(
        url, json={**body, "starts_at": "20:00", "ends_at": "22:00"}, headers=admin
    )
    assert clash.status_code == 409
    other = (day + timedelta(days=1)).isoformat()
    empty = await api.client.post(
        url, json={"day": other, "starts_at": "18:00", "ends_at": "19:00"}, headers=admin
    )
    assert empty.status_code == 422
    # a day gone by changes nothing; a limit no party the restaurant takes can meet neither
    past = (date.today() - timedelta(days=3)).isoformat()
    for wrong, field in [
        ({**body, "day": past}, "day"),
        ({**body, "day": other, "max_party_size": None, "min_party_size": 50}, "min_party_size"),
    ]:
        refused = await api.client.post(url, json=wrong, headers=admin)
        assert refused.status_code == 422 and refused.json()["field"] == field, refused.text
    listed = (await api.client.get(url, headers=admin)).json()["items"]
    assert len(listed) == 1
    assert (await api.client.delete(f"{url}/{listed[0]['id']}", headers=admin)).status_code == 204
