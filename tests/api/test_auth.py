"""Auth: sign-in, roles, object-level scoping by restaurant, staff accounts, partner keys."""

from __future__ import annotations

import uuid
from typing import Any

import jwt
from sqlalchemy import select

from models.enums import StaffRole
from models.orm import PartnerApiKey
from services.staff_tokens import AUDIENCE
from tests.api.test_restaurants import BASE, restaurant_body
from tests.conftest import JWT_SECRET, Api


async def test_sign_in_and_bad_tokens(api: Api, admin: dict[str, str]) -> None:
    me = await api.client.get(f"{BASE}/auth/me", headers=admin)
    assert me.status_code == 200 and me.json()["role"] == "admin"
    wrong = await api.client.post(
        f"{BASE}/auth/token", json={"email": "nobody@example.com", "password": "x"}
    )
    assert wrong.status_code == 401
    forged = await api.client.get(
        f"{BASE}/auth/me", headers={"Authorization": "Bearer abc.def.ghi"}
    )
    assert forged.status_code == 401
    assert forged.headers["content-type"] == "application/problem+json"


async def test_staff_of_restaurant_a_get_404_for_everything_of_b(
    api: Api, admin: dict[str, str]
) -> None:
    a = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(name="A"), headers=admin)
    ).json()["id"]
    b = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(name="B"), headers=admin)
    ).json()["id"]
    table_b = (
        await api.client.post(
            f"{BASE}/restaurants/{b}/tables", json={"number": "1", "max_capacity": 2}, headers=admin
        )
    ).json()
    manager_a = await api.token_for(StaffRole.MANAGER, [a])
    attempts: list[tuple[str, str, dict[str, object] | None]] = [
        ("GET", f"{BASE}/restaurants/{b}/settings", None),
        ("PATCH", f"{BASE}/restaurants/{b}", {"name": "mine now"}),
        ("GET", f"{BASE}/restaurants/{b}/tables", None),
        ("GET", f"{BASE}/restaurants/{b}/tables/{table_b['id']}", None),
        ("PATCH", f"{BASE}/restaurants/{b}/tables/{table_b['id']}", {"name": "x"}),
        ("DELETE", f"{BASE}/restaurants/{b}/tables/{table_b['id']}", None),
        ("POST", f"{BASE}/restaurants/{b}/tables", {"number": "9", "max_capacity": 2}),
        ("GET", f"{BASE}/restaurants/{b}/floor-plans", None),
        ("PUT", f"{BASE}/restaurants/{b}/opening-hours", {"services": []}),
        (
            "POST",
            f"{BASE}/restaurants/{b}/special-days",
            {"starts_on": "2026-12-24", "kind": "closed"},
        ),
        ("GET", f"{BASE}/restaurants/{b}/reservations", None),
        ("GET", f"{BASE}/restaurants/{b}/timeline?date=2026-12-24", None),
    ]
    for method, url, body in attempts:
        r = await api.client.request(method, url, json=body, headers=manager_a)
        assert r.status_code == 404, (method, url, r.status_code, r.text)
    # their own restaurant works
    assert (
        await api.client.get(f"{BASE}/restaurants/{a}/settings", headers=manager_a)
    ).status_code == 200
    # the other restaurant's data is untouched
    still = (
        await api.client.get(f"{BASE}/restaurants/{b}/tables/{table_b['id']}", headers=admin)
    ).json()
    assert still["name"] is None


async def test_hosts_read_but_do_not_manage(api: Api, admin: dict[str, str]) -> None:
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    host = await api.token_for(StaffRole.HOST, [rid])
    assert (
        await api.client.get(f"{BASE}/restaurants/{rid}/tables", headers=host)
    ).status_code == 200
    r = await api.client.post(
        f"{BASE}/restaurants/{rid}/tables", json={"number": "1", "max_capacity": 2}, headers=host
    )
    assert r.status_code == 403
    assert (await api.client.get(f"{BASE}/staff", headers=host)).status_code == 403


async def test_admin_manages_staff_accounts(api: Api, admin: dict[str, str]) -> None:
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    body = {
        "email": "Host@Example.com",
        "full_name": "Hannah Host",
        "password": "long enough pass",
        "role": "host",
        "restaurant_ids": [rid],
    }
    created = await api.client.post(f"{BASE}/staff", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "host@example.com"
    assert (await api.client.post(f"{BASE}/staff", json=body, headers=admin)).status_code == 409
    no_restaurant = await api.client.post(
        f"{BASE}/staff",
        json={**body, "email": "m@example.com", "role": "manager", "restaurant_ids": []},
        headers=admin,
    )
    assert no_restaurant.status_code == 422 and no_restaurant.json()["field"] == "restaurant_ids"
    token = await api.client.post(
        f"{BASE}/auth/token", json={"email": "host@example.com", "password": "long enough pass"}
    )
    assert token.status_code == 200
    listed = (await api.client.get(f"{BASE}/staff", headers=admin)).json()
    assert listed["total"] == 2


async def test_partner_keys_are_stored_hashed_and_revocable(
    api: Api, admin: dict[str, str]
) -> None:
    created = await api.client.post(f"{BASE}/partner-keys", json={"name": "TheFork"}, headers=admin)
    assert created.status_code == 201, created.text
    key = created.json()
    clear = key["api_key"]
    assert clear.startswith("rk_")
    async with api.db.sessions() as session:
        row = await session.scalar(
            select(PartnerApiKey).where(PartnerApiKey.id == uuid.UUID(key["id"]))
        )
    assert row is not None and clear not in row.key_hash and row.key_hash.startswith("$argon2")
    listed = (await api.client.get(f"{BASE}/partner-keys", headers=admin)).json()
    assert "api_key" not in listed["items"][0]
    revoked = await api.client.delete(f"{BASE}/partner-keys/{key['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    host_key = await api.client.post(f"{BASE}/partner-keys", json={"name": "x"})
    assert host_key.status_code == 401


async def test_a_token_that_never_runs_out_is_refused(api: Api, admin: dict[str, str]) -> None:
    staff_id = jwt.decode(
        admin["Authorization"].removeprefix("Bearer "), options={"verify_signature": False}
    )["sub"]
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    claims: dict[str, Any] = {"sub": staff_id, "aud": AUDIENCE}
    # signed with the real secret: no expiry at all, or one no clock can reach
    for exp in (None, 10**12, 10**30):
        token = jwt.encode(claims if exp is None else {**claims, "exp": exp}, JWT_SECRET)
        bearer = {"Authorization": f"Bearer {token}"}
        for url in (f"{BASE}/auth/me", f"{BASE}/restaurants/{rid}/events"):
            answer = await api.client.get(url, headers=bearer)
            assert answer.status_code == 401, (exp, url, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"


async def test_an_admin_gets_404_not_empty_lists_for_a_restaurant_that_does_not_exist(
    api: Api, admin: dict[str, str]
) -> None:
    nowhere = uuid.uuid4()
    for path in ("reservations", "tables", "guests", "seating-areas", "guests/export.csv"):
        answer = await api.client.get(f"{BASE}/restaurants/{nowhere}/{path}", headers=admin)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    rid = (
        await api.client.post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
    ).json()["id"]
    listed = await api.client.get(f"{BASE}/restaurants/{rid}/reservations", headers=admin)
    assert listed.status_code == 200 and listed.json()["items"] == []
