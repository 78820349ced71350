"""Segments over HTTP on both databases: who is in which, always only with live consent;
managers only, staff of other restaurants 404; the SQL agrees with a plain-Python
reading of the same rows (hypothesis)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from models.enums import StaffRole
from models.orm import Guest, GuestRelationship, MarketingConsent
from models.schemas.marketing import Segment
from services.crm.consent import group_scope, restaurant_scope
from services.crm.segments import segment_counts
from tests.conftest import Api, Database
from tests.crm.helpers import NOW, a_group, a_guest, a_restaurant, consents, withdraws

BASE = "/api/v1/reservations"


@dataclass
class Cast:
    a: uuid.UUID
    b: uuid.UUID
    regular_vip: uuid.UUID
    lapsed: uuid.UUID
    group_regular: uuid.UUID


async def cast(db: Database) -> Cast:
    group = await a_group(db)
    a = await a_restaurant(db, group_id=group)
    b = await a_restaurant(db)
    here = restaurant_scope(a)
    regular_vip = await a_guest(db, at=a, first_name="Ann", visits=5, days_since_visit=10, vip=True)
    await consents(db, regular_vip, here)
    lapsed = await a_guest(db, at=a, first_name="Bob", visits=1, days_since_visit=200)
    await consents(db, lapsed, here)
    group_regular = await a_guest(db, at=a, first_name="Cem", visits=3, days_since_visit=100)
    await consents(db, group_regular, group_scope(group))
    # never consented, withdrew, consented elsewhere only, erased: in no segment
    await a_guest(db, at=a, first_name="Dan", visits=9, days_since_visit=1, vip=True)
    withdrew = await a_guest(db, at=a, first_name="Eve", visits=9, days_since_visit=1)
    await consents(db, withdrew, here)
    await withdraws(db, withdrew, here)
    elsewhere = await a_guest(db, at=a, first_name="Fay", visits=9, days_since_visit=1)
    await consents(db, elsewhere, restaurant_scope(b))
    erased = await a_guest(db, at=a, first_name="Gus", visits=9, days_since_visit=1, erased=True)
    await consents(db, erased, here)
    # consenting to A but never a guest of A: not A's to market to
    await consents(db, await a_guest(db, at=b, first_name="Hal"), here)
    return Cast(a, b, regular_vip, lapsed, group_regular)


async def test_segment_counts_and_members(api: Api) -> None:
    c = await cast(api.db)
    manager = await api.token_for(StaffRole.MANAGER, [c.a])
    r = await api.client.get(f"{BASE}/restaurants/{c.a}/segments", headers=manager)
    assert r.status_code == 200, r.text
    counts = {s["segment"]: s["members"] for s in r.json()["segments"]}
    assert counts == {"recent": 1, "vip": 1, "regulars": 2, "lapsed": 1, "all_consenting": 3}

    async def members(segment: str, **params: int) -> tuple[list[str], int]:
        r = await api.client.get(
            f"{BASE}/restaurants/{c.a}/segments/{segment}", params=params, headers=manager
        )
        assert r.status_code == 200, r.text
        return [m["guest_id"] for m in r.json()["items"]], r.json()["total"]

    assert await members("recent") == ([str(c.regular_vip)], 1)
    assert await members("vip") == ([str(c.regular_vip)], 1)
    assert await members("regulars") == ([str(c.regular_vip), str(c.group_regular)], 2)
    assert await members("lapsed") == ([str(c.lapsed)], 1)
    everyone = [str(c.regular_vip), str(c.lapsed), str(c.group_regular)]  # by name
    assert await members("all_consenting") == (everyone, 3)
    assert await members("all_consenting", limit=1, offset=1) == ([str(c.lapsed)], 3)
    r = await api.client.get(f"{BASE}/restaurants/{c.a}/segments/vip", headers=manager)
    assert r.json()["items"][0]["name"] == "Ann Smit"


async def test_segments_are_for_managers_of_the_restaurant(api: Api) -> None:
    c = await cast(api.db)
    host = await api.token_for(StaffRole.HOST, [c.a])
    other = await api.token_for(StaffRole.MANAGER, [c.b])
    admin = await api.token_for(StaffRole.ADMIN)
    for path in ("segments", "segments/vip"):
        r = await api.client.get(f"{BASE}/restaurants/{c.a}/{path}", headers=host)
        assert r.status_code == 403, r.text
        r = await api.client.get(f"{BASE}/restaurants/{c.a}/{path}", headers=other)
        assert r.status_code == 404, r.text
        r = await api.client.get(f"{BASE}/restaurants/{uuid.uuid4()}/{path}", headers=admin)
        assert r.status_code == 404, r.text
        r = await api.client.get(f"{BASE}/restaurants/{c.a}/{path}")
        assert r.status_code == 401, r.text
    # B's own segments hold nobody: A's consents do not leak
    manager_b = await api.token_for(StaffRole.MANAGER, [c.b])
    r = await api.client.get(f"{BASE}/restaurants/{c.b}/segments", headers=manager_b)
    assert {s["members"] for s in r.json()["segments"]} == {0}


async def test_bad_segment_requests_name_the_field(api: Api) -> None:
    rid = await a_restaurant(api.db)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    cases = [
        (f"{BASE}/restaurants/{rid}/segments/everyone", {}, "segment"),
        (f"{BASE}/restaurants/{rid}/segments/vip", {"limit": 1000}, "limit"),
        (f"{BASE}/restaurants/{rid}/segments/vip", {"offset": -1}, "offset"),
        (f"{BASE}/restaurants/not-a-uuid/segments", {}, "restaurant_id"),
    ]
    for url, params, field in cases:
        r = await api.client.get(url, params=params, headers=manager)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["field"] == field


relationship = st.fixed_dictionaries(
    {
        "visits": st.integers(0, 6),
        "days": st.one_of(st.none(), st.integers(0, 400)),
        "vip": st.booleans(),
        "consent": st.sampled_from(["none", "live", "withdrawn"]),
    }
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(relationship, max_size=8))
@example(
    rows=[
        {"visits": 3, "days": 90, "vip": False, "consent": "live"},
        {"visits": 2, "days": 180, "vip": True, "consent": "live"},
        {"visits": 2, "days": 181, "vip": True, "consent": "live"},
    ]
)
async def test_sql_segments_match_their_definitions(
    db: Database, rows: list[dict[str, object]]
) -> None:
    rid = await a_restaurant(db)
    expected = dict.fromkeys(Segment, 0)
    for row in rows:
        days = row["days"]
        assert days is None or isinstance(days, int)
        visits = row["visits"]
        assert isinstance(visits, int)
        gid = await a_guest(db, at=rid, visits=visits, days_since_visit=days, vip=bool(row["vip"]))
        if row["consent"] != "none":
            await consents(db, gid, restaurant_scope(rid))
        if row["consent"] == "withdrawn":
            await withdraws(db, gid, restaurant_scope(rid))
        if row["consent"] != "live":
            continue
        # the edges belong as defined: 90 days ago is recent, 180 days ago not yet lapsed
        expected[Segment.ALL_CONSENTING] += 1
        expected[Segment.VIP] += bool(row["vip"])
        expected[Segment.REGULARS] += visits >= 3
        expected[Segment.RECENT] += days is not None and days <= 90
        expected[Segment.LAPSED] += days is not None and days > 180
    async with db.sessions() as session:
        counts = await segment_counts(session, restaurant_id=rid, now=NOW)
        assert {c.segment: c.members for c in counts} == expected
        await session.execute(delete(MarketingConsent))
        await session.execute(delete(GuestRelationship))
        await session.execute(delete(Guest))
        await session.commit()
