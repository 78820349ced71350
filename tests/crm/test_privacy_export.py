"""A guest's export of their data: enumeration-safe requests, single-use links (410 once
used or expired, 404 unknown), and a document with every restaurant's notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from api.app import create_app
from models.orm import DataExportRequest, GuestAudit
from tests.conftest import Api, Database
from tests.conftest import test_settings as settings_for
from tests.crm.privacy_helpers import BASE, guest_known_to, links_sent


async def test_known_and_unknown_addresses_get_the_same_answer(api: Api) -> None:
    known = await guest_known_to(api.db, names=["Aubergine"])
    asked = await api.client.post(
        f"{BASE}/privacy/export-requests", json={"email": known.email.upper()}
    )
    unknown = await api.client.post(
        f"{BASE}/privacy/export-requests", json={"email": "nobody-here@example.org"}
    )
    assert asked.status_code == unknown.status_code == 202
    assert asked.json() == unknown.json()
    assert len(await links_sent(api.db, known.guest_id, "privacy_export")) == 1
    async with api.db.sessions() as session:
        rows = list(await session.scalars(select(DataExportRequest)))
    assert len(rows) == 1 and rows[0].guest_id == known.guest_id
    [token] = await links_sent(api.db, known.guest_id, "privacy_export")
    assert token not in rows[0].token_hash  # only the hash is kept


async def test_the_download_holds_every_restaurants_notes_and_works_once(api: Api) -> None:
    known = await guest_known_to(api.db, names=["Aubergine", "Basilicum"])
    await api.client.post(f"{BASE}/privacy/export-requests", json={"email": known.email})
    [token] = await links_sent(api.db, known.guest_id, "privacy_export")
    first = await api.client.get(f"{BASE}/privacy/export/{token}")
    assert first.status_code == 200, first.text
    document = first.json()
    assert document["guest"]["email"] == known.email
    assert document["guest"]["phone"] == "+31687654321"
    assert {n["restaurant"] for n in document["notes"]} == {"Aubergine", "Basilicum"}
    assert all("corner table" in n["body"] for n in document["notes"])
    assert {r["restaurant"] for r in document["restaurants"]} == {"Aubergine", "Basilicum"}
    assert all(r["allergies"] == ["peanuts"] for r in document["restaurants"])
    assert any(m["template"] == "privacy_export" for m in document["messages"])
    again = await api.client.get(f"{BASE}/privacy/export/{token}")
    assert again.status_code == 410
    assert again.headers["content-type"].startswith("application/problem+json")
    assert "already been used" in again.json()["detail"]
    async with api.db.sessions() as session:
        audits = list(await session.scalars(select(GuestAudit.action)))
    assert audits == ["exported"]


async def test_an_expired_link_is_gone_and_an_unknown_one_not_found(api: Api) -> None:
    known = await guest_known_to(api.db, names=["Aubergine"])
    await api.client.post(f"{BASE}/privacy/export-requests", json={"email": known.email})
    [token] = await links_sent(api.db, known.guest_id, "privacy_export")
    async with api.db.sessions() as session:
        await session.execute(
            update(DataExportRequest).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.commit()
    expired = await api.client.get(f"{BASE}/privacy/export/{token}")
    assert expired.status_code == 410
    assert "expired" in expired.json()["detail"]
    unknown = await api.client.get(f"{BASE}/privacy/export/{'x' * 43}")
    assert unknown.status_code == 404
    assert unknown.json()["field"] == "token"


async def test_an_erasure_link_is_no_export_link(api: Api) -> None:
    known = await guest_known_to(api.db, names=["Aubergine"])
    await api.client.post(f"{BASE}/privacy/erasure-requests", json={"email": known.email})
    [token] = await links_sent(api.db, known.guest_id, "privacy_erasure")
    assert (await api.client.get(f"{BASE}/privacy/export/{token}")).status_code == 404


async def test_requests_are_limited_per_address_silently(api: Api) -> None:
    known = await guest_known_to(api.db, names=["Aubergine"])
    for _ in range(5):
        r = await api.client.post(f"{BASE}/privacy/export-requests", json={"email": known.email})
        assert r.status_code == 202
    assert len(await links_sent(api.db, known.guest_id, "privacy_export")) == 3


async def test_bad_input_names_the_field(api: Api) -> None:
    bad = await api.client.post(f"{BASE}/privacy/export-requests", json={"email": "not-an-email"})
    assert bad.status_code == 422
    assert "email" in bad.text
    extra = await api.client.post(
        f"{BASE}/privacy/export-requests", json={"email": "a@example.org", "admin": True}
    )
    assert extra.status_code == 422
    odd = await api.client.get(f"{BASE}/privacy/export/not*a*token")
    assert odd.status_code in {404, 422}


async def test_requests_are_limited_without_redis_too(db: Database) -> None:
    # the embedded default has no Redis: the limit then counts in the API process
    app = create_app(settings_for(db.url), engine=db.engine)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            known = await guest_known_to(db, names=["Courgette"])
            for _ in range(5):
                r = await client.post(
                    f"{BASE}/privacy/export-requests", json={"email": known.email}
                )
                assert r.status_code == 202
    async with db.sessions() as session:
        links = await session.scalars(
            select(DataExportRequest).where(DataExportRequest.guest_id == known.guest_id)
        )
        assert len(list(links)) == 3
