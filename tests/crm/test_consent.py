"""Marketing consent over HTTP: staff record and read it, guests withdraw by signed link;
authorization across restaurants and groups; bad input."""

from __future__ import annotations

import uuid

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ConsentSource, StaffRole
from models.orm import GuestAudit, MarketingConsent
from services.crm import consent as svc
from services.crm.consent import group_scope, restaurant_scope
from services.crm.unsubscribe_links import unsubscribe_token, unsubscribe_url
from services.manage_links import manage_token
from tests.conftest import JWT_SECRET, Api
from tests.crm.helpers import NOW, a_group, a_guest, a_restaurant, consents

BASE = "/api/v1/reservations"


def grant_body(rid: uuid.UUID, **extra: object) -> dict[str, object]:
    return {"restaurant_id": str(rid), "granted": True, "wording_version": "2026-01", **extra}


async def test_staff_grant_withdraw_and_grant_again_on_one_row(api: Api) -> None:
    rid = await a_restaurant(api.db)
    gid = await a_guest(api.db, at=rid)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    url = f"{BASE}/guests/{gid}/consents"

    r = await api.client.put(url, json=grant_body(rid), headers=manager)
    assert r.status_code == 200, r.text
    [given] = r.json()
    assert given["scope"] == f"restaurant:{rid}"
    assert given["source"] == "staff" and given["wording_version"] == "2026-01"
    assert given["active"] is True and given["withdrawn_at"] is None

    r = await api.client.put(
        url, json={"restaurant_id": str(rid), "granted": False}, headers=manager
    )
    assert r.status_code == 200, r.text
    [withdrawn] = r.json()
    assert withdrawn["active"] is False and withdrawn["withdrawn_via"] == "staff"

    r = await api.client.put(
        url, json=grant_body(rid, source="import", wording_version="2026-02"), headers=manager
    )
    [again] = r.json()
    assert again["active"] is True and again["source"] == "import"
    assert again["wording_version"] == "2026-02"

    r = await api.client.get(url, params={"restaurant_id": str(rid)}, headers=manager)
    assert r.status_code == 200 and r.json() == [again]
    async with api.db.sessions() as session:
        rows = list(await session.scalars(select(MarketingConsent)))
        assert len(rows) == 1
        trail = list(
            await session.scalars(
                select(GuestAudit.action)
                .where(GuestAudit.guest_id == gid)
                .order_by(GuestAudit.created_at)
            )
        )
    assert trail == ["consent_granted", "consent_withdrawn", "consent_granted"]


async def test_nobody_is_consenting_without_a_grant(api: Api) -> None:
    rid = await a_restaurant(api.db)
    gid = await a_guest(api.db, at=rid)
    host = await api.token_for(StaffRole.HOST, [rid])
    r = await api.client.get(
        f"{BASE}/guests/{gid}/consents", params={"restaurant_id": str(rid)}, headers=host
    )
    assert r.status_code == 200 and r.json() == []
    # withdrawing what was never given records nothing
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    r = await api.client.put(
        f"{BASE}/guests/{gid}/consents",
        json={"restaurant_id": str(rid), "granted": False},
        headers=manager,
    )
    assert r.status_code == 200 and r.json() == []


async def test_hosts_read_managers_record(api: Api) -> None:
    rid = await a_restaurant(api.db)
    gid = await a_guest(api.db, at=rid)
    await consents(api.db, gid, restaurant_scope(rid))
    host = await api.token_for(StaffRole.HOST, [rid])
    url = f"{BASE}/guests/{gid}/consents"
    r = await api.client.get(url, params={"restaurant_id": str(rid)}, headers=host)
    assert r.status_code == 200 and len(r.json()) == 1
    r = await api.client.put(url, json=grant_body(rid), headers=host)
    assert r.status_code == 403, r.text


async def test_staff_of_another_restaurant_or_group_get_404(api: Api) -> None:
    group_1, group_2 = await a_group(api.db), await a_group(api.db)
    a = await a_restaurant(api.db, group_id=group_1)
    a_sibling = await a_restaurant(api.db, group_id=group_1)
    b = await a_restaurant(api.db, group_id=group_2)
    loner = await a_restaurant(api.db)
    gid = await a_guest(api.db, at=a)
    await consents(api.db, gid, restaurant_scope(a))
    url = f"{BASE}/guests/{gid}/consents"
    for rid in (b, loner):
        manager = await api.token_for(StaffRole.MANAGER, [rid])
        # their own restaurant: the guest is unknown there
        r = await api.client.get(url, params={"restaurant_id": str(rid)}, headers=manager)
        assert r.status_code == 404, r.text
        r = await api.client.put(url, json=grant_body(rid), headers=manager)
        assert r.status_code == 404, r.text
        # restaurant A's: not theirs to act for
        r = await api.client.get(url, params={"restaurant_id": str(a)}, headers=manager)
        assert r.status_code == 404, r.text
        r = await api.client.put(url, json=grant_body(a), headers=manager)
        assert r.status_code == 404, r.text
    # the sibling in a sharing group knows the guest and sees the group-visible consents
    sibling = await api.token_for(StaffRole.MANAGER, [a_sibling])
    r = await api.client.get(url, params={"restaurant_id": str(a_sibling)}, headers=sibling)
    assert r.status_code == 200 and r.json() == []  # A's own consent is not the sibling's
    r = await api.client.put(url, json=grant_body(a_sibling, scope="group"), headers=sibling)
    assert r.status_code == 200, r.text
    assert [c["scope"] for c in r.json()] == [f"group:{group_1}"]
    r = await api.client.get(url, params={"restaurant_id": str(a)}, headers=sibling)
    assert r.status_code == 404
    # an unknown guest is as unknown as another restaurant's
    admin = await api.token_for(StaffRole.ADMIN)
    r = await api.client.get(
        f"{BASE}/guests/{uuid.uuid4()}/consents", params={"restaurant_id": str(a)}, headers=admin
    )
    assert r.status_code == 404


async def test_a_group_consent_needs_a_group(api: Api) -> None:
    rid = await a_restaurant(api.db)
    gid = await a_guest(api.db, at=rid)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    r = await api.client.put(
        f"{BASE}/guests/{gid}/consents", json=grant_body(rid, scope="group"), headers=manager
    )
    assert r.status_code == 422 and r.json()["field"] == "scope"


async def test_bad_consent_input_names_the_field(api: Api) -> None:
    rid = await a_restaurant(api.db)
    gid = await a_guest(api.db, at=rid)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    url = f"{BASE}/guests/{gid}/consents"
    cases: list[tuple[dict[str, object], str]] = [
        ({"restaurant_id": str(rid), "granted": True}, "wording_version"),
        (grant_body(rid, wording_version="x" * 41), "wording_version"),
        (grant_body(rid, wording_version=""), "wording_version"),
        (grant_body(rid, source="booking_form"), "source"),
        (grant_body(rid, scope="planet"), "scope"),
        (grant_body(rid, granted="yes"), "granted"),
        (grant_body(rid, colour="blue"), "colour"),
        ({"granted": True, "wording_version": "v"}, "restaurant_id"),
    ]
    for body, field in cases:
        r = await api.client.put(url, json=body, headers=manager)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["field"] == field, (body, r.json())
        assert r.headers["content-type"] == "application/problem+json"


async def test_the_booking_form_needs_the_wording_with_a_ticked_box(api: Api) -> None:
    rid = await a_restaurant(api.db)
    guest = {"email": "ann@example.com", "first_name": "Ann", "marketing_consent": True}
    body = {"restaurant_id": str(rid), "date": "2030-01-01", "time": "19:00", "party_size": 2}
    r = await api.client.post(f"{BASE}/reservations", json={**body, "guest": guest})
    assert r.status_code == 422 and r.json()["field"] == "guest.consent_wording_version"
    r = await api.client.post(
        f"{BASE}/reservations", json={**body, "guest": {**guest, "marketing_consent": "true"}}
    )
    assert r.status_code == 422 and r.json()["field"] == "guest.marketing_consent"


async def test_booking_consent_and_withdraw_all(api: Api) -> None:
    group = await a_group(api.db)
    rid = await a_restaurant(api.db, group_id=group)
    gid = await a_guest(api.db, at=rid)
    async with api.db.sessions() as session:
        none = await svc.record_booking_consent(
            session, guest_id=gid, restaurant_id=rid, given=False, wording_version=None, now=NOW
        )
        assert none is None
        given = await svc.record_booking_consent(
            session, guest_id=gid, restaurant_id=rid, given=True, wording_version="w1", now=NOW
        )
        assert given is not None and given.source == "booking_form"
        await consents_in(session, gid, group)
        scopes = await svc.withdraw_all(session, guest_id=gid, via="erasure", now=NOW)
        assert sorted(scopes) == sorted([f"restaurant:{rid}", f"group:{group}"])
        assert await svc.withdraw_all(session, guest_id=gid, via="erasure", now=NOW) == []
        rows = list(await session.scalars(select(MarketingConsent)))
        assert {r.withdrawn_via for r in rows} == {"erasure"}


async def consents_in(session: AsyncSession, guest_id: uuid.UUID, group_id: uuid.UUID) -> None:
    await svc.grant(
        session,
        guest_id=guest_id,
        scope=group_scope(group_id),
        source=ConsentSource.STAFF,
        wording_version="w1",
        now=NOW,
    )


async def test_the_signed_link_withdraws_on_post_only(api: Api) -> None:
    rid = await a_restaurant(api.db)
    gid = await a_guest(api.db, at=rid)
    await consents(api.db, gid, restaurant_scope(rid))
    link = unsubscribe_url(
        base_url="http://test", secret=JWT_SECRET, guest_id=gid, scope=restaurant_scope(rid)
    )
    path = link.removeprefix("http://test")
    # a mail scanner following the link changes nothing
    r = await api.client.get(path)
    assert r.status_code == 200 and 'method="post"' in r.text
    assert await active(api, gid) is True
    r = await api.client.post(path)
    assert r.status_code == 200 and "unsubscribed" in r.text
    assert await active(api, gid) is False
    async with api.db.sessions() as session:
        row = await session.scalar(select(MarketingConsent))
        assert row is not None and row.withdrawn_via == "link"
        withdrawn_at = row.withdrawn_at
    # twice is fine and changes nothing
    r = await api.client.post(path)
    assert r.status_code == 200
    async with api.db.sessions() as session:
        row = await session.scalar(select(MarketingConsent))
        assert row is not None and row.withdrawn_at == withdrawn_at


async def test_one_click_unsubscribe_rfc_8058(api: Api) -> None:
    rid = await a_restaurant(api.db)
    gid = await a_guest(api.db, at=rid)
    await consents(api.db, gid, restaurant_scope(rid))
    token = unsubscribe_token(gid, restaurant_scope(rid), secret=JWT_SECRET)
    r = await api.client.post(
        "/marketing/unsubscribe",
        params={"token": token},
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200, r.text
    assert await active(api, gid) is False


async def test_forged_or_foreign_tokens_are_refused(api: Api) -> None:
    rid = await a_restaurant(api.db)
    gid = await a_guest(api.db, at=rid)
    await consents(api.db, gid, restaurant_scope(rid))
    good = unsubscribe_token(gid, restaurant_scope(rid), secret=JWT_SECRET)
    forged = [
        unsubscribe_token(gid, restaurant_scope(rid), secret="another-secret-" + "y" * 40),
        manage_token(gid, secret=JWT_SECRET),  # a real token of another kind
        good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
        jwt.encode(
            {"sub": str(gid), "scope": "planet:1", "aud": "marketing-unsubscribe"},
            JWT_SECRET,
            algorithm="HS256",
        ),
        "not-a-token",
    ]
    for token in forged:
        for method in ("GET", "POST"):
            r = await api.client.request(method, "/marketing/unsubscribe", params={"token": token})
            assert r.status_code == 404, (token, r.text)
            assert r.json()["field"] == "token"
    r = await api.client.post("/marketing/unsubscribe")
    assert r.status_code == 422 and r.json()["field"] == "token"
    assert await active(api, gid) is True


async def active(api: Api, guest_id: uuid.UUID) -> bool:
    async with api.db.sessions() as session:
        row = await session.scalar(
            select(MarketingConsent).where(MarketingConsent.guest_id == guest_id)
        )
        return row is not None and row.withdrawn_at is None


async def test_a_merged_away_guests_consents_are_not_found_like_its_profile(api: Api) -> None:
    rid = await a_restaurant(api.db)
    survivor = await a_guest(api.db, at=rid)
    duplicate = await a_guest(api.db, at=rid)
    await consents(api.db, duplicate, restaurant_scope(rid))
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    merged = await api.client.post(
        f"{BASE}/guests/{survivor}/merge",
        json={"duplicate_id": str(duplicate), "restaurant_id": str(rid)},
        headers=manager,
    )
    assert merged.status_code == 200, merged.text
    params = {"restaurant_id": str(rid)}
    profile = await api.client.get(f"{BASE}/guests/{duplicate}", params=params, headers=manager)
    assert profile.status_code == 404
    gone = await api.client.get(
        f"{BASE}/guests/{duplicate}/consents", params=params, headers=manager
    )
    assert gone.status_code == 404, gone.text
    moved = await api.client.get(
        f"{BASE}/guests/{survivor}/consents", params=params, headers=manager
    )
    assert [c["scope"] for c in moved.json()] == [restaurant_scope(rid).key]
