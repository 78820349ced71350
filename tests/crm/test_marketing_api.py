"""The marketing routes over HTTP: a booking's consent, the sync started by a manager and
followed to the end, the withdrawal link propagated to MailerLite at once (a real worker
on the Temporal dev server and the fake MailerLite); roles, 404s and bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from models.enums import StaffRole
from models.orm import Guest, MarketingConsent
from services.crm.consent import restaurant_scope
from services.crm.unsubscribe_links import unsubscribe_url
from services.crm.visibility import ensure_relationship
from tests.api.conftest import LiveApi, eventually, live_api
from tests.api.test_reservation_lifecycle import booking, payload_bytes, restaurant
from tests.conftest import JWT_SECRET, Api, Database
from tests.crm.fake_mailerlite import TOKEN, FakeMailerLite
from tests.crm.helpers import a_restaurant

BASE = "/api/v1/reservations"


async def sync_finished(live: LiveApi, rid: str, segment: str, headers: dict[str, str]) -> Any:
    async def probe() -> Any:
        r = await live.client.get(
            f"{BASE}/restaurants/{rid}/marketing/sync/{segment}", headers=headers
        )
        assert r.status_code == 200, r.text
        return r.json() if r.json()["status"] == "completed" else None

    return await eventually(probe, f"the {segment} sync to finish")


async def test_booking_consent_sync_and_withdrawal_end_to_end(
    db: Database, dev_server: WorkflowEnvironment
) -> None:
    fake = FakeMailerLite()
    await fake.start()
    try:
        async with live_api(
            db, dev_server, mailerlite_api_token=TOKEN, mailerlite_base_url=fake.base_url
        ) as live:
            admin = await live.token_for(StaffRole.ADMIN)
            rid = await restaurant(live, admin)
            manager = await live.token_for(StaffRole.MANAGER, [rid])
            body = booking(rid, email="Consenting@Example.com")
            body["guest"] |= {"marketing_consent": True, "consent_wording_version": "form-v3"}
            r = await live.client.post(f"{BASE}/reservations", json=body)
            assert r.status_code == 201, r.text
            r = await live.client.post(
                f"{BASE}/reservations", json=booking(rid, at="20:00", email="quiet@example.com")
            )
            assert r.status_code == 201, r.text
            async with db.sessions() as session:
                guests = {g.email: g.id for g in await session.scalars(select(Guest))}
                [given] = list(await session.scalars(select(MarketingConsent)))
                assert given.guest_id == guests["consenting@example.com"]
                assert (given.source, given.wording_version) == ("booking_form", "form-v3")
                for gid in guests.values():  # the lifecycle keeps these; here, by hand
                    rel = await ensure_relationship(
                        session, guest_id=gid, restaurant_id=uuid.UUID(rid)
                    )
                    rel.visits, rel.last_visit_at = 1, datetime.now(UTC)
                await session.commit()

            r = await live.client.post(
                f"{BASE}/restaurants/{rid}/marketing/sync",
                json={"segment": "all_consenting"},
                headers=manager,
            )
            assert r.status_code == 202, r.text
            workflow_id = r.json()["workflow_id"]
            assert workflow_id == f"marketing-sync-{rid}-all_consenting"
            done = await sync_finished(live, rid, "all_consenting", manager)
            assert done["result"]["added"] == 1
            assert fake.emails_received() == {"consenting@example.com"}

            # the guest withdraws from a message's link: MailerLite hears at once
            link = unsubscribe_url(
                base_url="http://test",
                secret=JWT_SECRET,
                guest_id=guests["consenting@example.com"],
                scope=restaurant_scope(uuid.UUID(rid)),
            )
            r = await live.client.post(link.removeprefix("http://test"))
            assert r.status_code == 200, r.text

            async def deleted() -> bool:
                return not fake.subscribers

            await eventually(deleted, "the subscriber deleted at MailerLite")
            # no email in any of the sync workflows' histories
            for segment in ("all_consenting", "withdrawals"):
                handle = dev_server.client.get_workflow_handle(f"marketing-sync-{rid}-{segment}")
                history = await handle.fetch_history()
                stored = b"\n".join(d for e in history.events for d in payload_bytes(e)).decode()
                assert rid in stored  # the payloads were read: the ids are there
                for text in ("example.com", "Ann", "Smit", "+31612345678"):
                    assert text not in stored, text
                description = await handle.describe()
                assert "example.com" not in str(description.search_attributes)
    finally:
        await fake.stop()


async def test_sync_routes_refuse_what_they_cannot_do(api: Api) -> None:
    rid = await a_restaurant(api.db)
    other = await a_restaurant(api.db)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    url = f"{BASE}/restaurants/{rid}/marketing/sync"
    # not configured (no MAILERLITE_API_TOKEN): said so, before Temporal is asked
    r = await api.client.post(url, json={"segment": "vip"}, headers=manager)
    assert r.status_code == 503 and "not configured" in r.json()["detail"]
    host = await api.token_for(StaffRole.HOST, [rid])
    r = await api.client.post(url, json={"segment": "vip"}, headers=host)
    assert r.status_code == 403
    stranger = await api.token_for(StaffRole.MANAGER, [other])
    r = await api.client.post(url, json={"segment": "vip"}, headers=stranger)
    assert r.status_code == 404
    r = await api.client.get(f"{url}/vip", headers=stranger)
    assert r.status_code == 404
    for body, field in (
        ({"segment": "everyone"}, "segment"),
        ({}, "segment"),
        ({"segment": "vip", "extra": 1}, "extra"),
    ):
        r = await api.client.post(url, json=body, headers=manager)
        assert r.status_code == 422 and r.json()["field"] == field, r.text


async def test_the_waitlist_form_and_a_walk_in_record_consent_too(
    db: Database, dev_server: WorkflowEnvironment
) -> None:
    async with live_api(db, dev_server) as live:
        admin = await live.token_for(StaffRole.ADMIN)
        rid = await restaurant(live, admin, all_day=True)
        host = await live.token_for(StaffRole.HOST, [rid])
        day = booking(rid)["date"]
        consenting = {"marketing_consent": True, "consent_wording_version": "wl-1"}
        r = await live.client.post(
            f"{BASE}/waitlist",
            json={
                "restaurant_id": rid,
                "date": day,
                "time_from": "19:00",
                "time_to": "21:00",
                "party_size": 2,
                "guest": {"email": "wait@example.com", "first_name": "Wim", **consenting},
            },
        )
        assert r.status_code == 201, r.text
        r = await live.client.post(
            f"{BASE}/restaurants/{rid}/walk-ins",
            json={
                "party_size": 2,
                "guest": {"email": "door@example.com", "first_name": "Dora", **consenting},
            },
            headers=host,
        )
        assert r.status_code == 201, r.text
        async with db.sessions() as session:
            rows = await session.execute(
                select(Guest.email, MarketingConsent.source, MarketingConsent.scope).join(
                    MarketingConsent, MarketingConsent.guest_id == Guest.id
                )
            )
            assert sorted(tuple(row) for row in rows) == [
                ("door@example.com", "staff", f"restaurant:{rid}"),
                ("wait@example.com", "booking_form", f"restaurant:{rid}"),
            ]
