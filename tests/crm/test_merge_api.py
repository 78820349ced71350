"""Merging duplicates and listing candidates over HTTP: who may, and bad input."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from models.enums import ReservationStatus, StaffRole
from models.orm import Guest, GuestAudit, Reservation
from services.crm.visibility import ensure_relationship
from tests.conftest import Api
from tests.crm.fixtures import bare_guest, bare_reservation, bare_restaurant, group_of

BASE = "/api/v1/reservations"
PHONE = "+31612345678"


@dataclass
class World:
    """Group one shares profiles (A, B); group two does not (C, D)."""

    a: uuid.UUID
    b: uuid.UUID
    c: uuid.UUID
    d: uuid.UUID
    ann: uuid.UUID  # known at A
    ann_again: uuid.UUID  # the same phone, known at B
    carl: uuid.UUID  # known at C
    carl_again: uuid.UUID  # same name and email name, known at D


async def world(api: Api) -> World:
    async with api.db.sessions() as session:
        a, b, c, d = [await bare_restaurant(session) for _ in range(4)]
        await group_of(session, a, b, shares=True)
        await group_of(session, c, d, shares=False)
        ann = await bare_guest(session, email="ann@one.example", phone=PHONE)
        ann_again = await bare_guest(session, email="annie@two.example", phone=PHONE)
        carl = await bare_guest(session, email="carl.k@one.example", name="Carl")
        carl_again = await bare_guest(session, email="carl.k@two.example", name="Carl")
        for guest, rid in ((ann, a), (ann_again, b), (carl, c), (carl_again, d)):
            await ensure_relationship(session, guest_id=guest, restaurant_id=rid)
            await bare_reservation(
                session, restaurant_id=rid, guest_id=guest, status=ReservationStatus.COMPLETED
            )
        await session.commit()
    return World(a, b, c, d, ann, ann_again, carl, carl_again)


async def test_managers_merge_within_their_circle(api: Api) -> None:
    w = await world(api)
    c = api.client
    manager_a = await api.token_for(StaffRole.MANAGER, [w.a])
    host_a = await api.token_for(StaffRole.HOST, [w.a])
    manager_c = await api.token_for(StaffRole.MANAGER, [w.c])
    url = f"{BASE}/guests/{w.ann}/merge"
    body = {"duplicate_id": str(w.ann_again), "restaurant_id": str(w.a)}

    # candidates: A's circle (A + B share) sees the phone pair, C sees nothing of theirs
    listed = await c.get(f"{BASE}/restaurants/{w.a}/guests/duplicates", headers=manager_a)
    assert listed.status_code == 200, listed.text
    pairs = {(p["first"]["id"], p["second"]["id"], p["reason"]) for p in listed.json()["items"]}
    assert pairs == {(*sorted([str(w.ann), str(w.ann_again)]), "same_phone")}
    other = await c.get(f"{BASE}/restaurants/{w.c}/guests/duplicates", headers=manager_c)
    assert other.json()["items"] == []  # C and D do not share: D's Carl is unknown to C
    assert (
        await c.get(f"{BASE}/restaurants/{w.a}/guests/duplicates", headers=host_a)
    ).status_code == 403
    assert (
        await c.get(f"{BASE}/restaurants/{w.a}/guests/duplicates", headers=manager_c)
    ).status_code == 404

    # hosts may not merge; another restaurant's staff get 404, for the restaurant or guests
    assert (await c.post(url, json=body, headers=host_a)).status_code == 403
    foreign = await c.post(url, json=body, headers=manager_c)
    assert foreign.status_code == 404 and foreign.json()["field"] == "restaurant_id"
    unknown = await c.post(url, json={**body, "restaurant_id": str(w.c)}, headers=manager_c)
    assert unknown.status_code == 404  # C's circle knows neither Ann
    across = await c.post(
        f"{BASE}/guests/{w.carl}/merge",
        json={"duplicate_id": str(w.carl_again), "restaurant_id": str(w.c)},
        headers=manager_c,
    )
    assert across.status_code == 404 and across.json()["field"] == "duplicate_id"

    # bad input
    itself = await c.post(url, json={**body, "duplicate_id": str(w.ann)}, headers=manager_a)
    assert itself.status_code == 422 and itself.json()["field"] == "duplicate_id"
    malformed = await c.post(url, json={**body, "duplicate_id": "x"}, headers=manager_a)
    assert malformed.status_code == 422 and malformed.json()["field"] == "duplicate_id"
    extra = await c.post(url, json={**body, "force": True}, headers=manager_a)
    assert extra.status_code == 422
    nobody = await c.post(f"{BASE}/guests/{uuid.uuid4()}/merge", json=body, headers=manager_a)
    assert nobody.status_code == 404

    merged = await c.post(url, json=body, headers=manager_a)
    assert merged.status_code == 200, merged.text
    out = merged.json()
    assert out["survivor_id"] == str(w.ann) and len(out["moved"]["reservations"]) == 1
    assert len(out["moved"]["guest_relationships"]) == 1
    again = await c.post(url, json=body, headers=manager_a)
    assert again.status_code == 409 and again.json()["field"] == "duplicate_id"
    back = await c.post(
        f"{BASE}/guests/{w.ann_again}/merge",
        json={"duplicate_id": str(w.ann), "restaurant_id": str(w.a)},
        headers=manager_a,
    )
    assert back.status_code == 409 and back.json()["field"] == "survivor_id"
    async with api.db.sessions() as session:
        owned = await session.scalar(
            select(func.count()).select_from(Reservation).where(Reservation.guest_id == w.ann)
        )
        duplicate = await session.get(Guest, w.ann_again)
        trail = list(
            await session.scalars(select(GuestAudit).where(GuestAudit.guest_id == w.ann_again))
        )
    assert owned == 2
    assert duplicate is not None and duplicate.merged_into_id == w.ann
    assert duplicate.email == "annie@two.example"  # its own identity row stays
    (entry,) = trail
    assert entry.action == "merged_into" and entry.restaurant_id == w.a
    assert entry.details["moved"]["reservations"] == out["moved"]["reservations"]
    listed = await c.get(f"{BASE}/restaurants/{w.a}/guests/duplicates", headers=manager_a)
    assert listed.json()["items"] == []  # a merged profile is no longer a candidate


async def test_admins_merge_and_name_candidates(api: Api, admin: dict[str, str]) -> None:
    w = await world(api)
    async with api.db.sessions() as session:
        # D's Carl becomes known at C too: now C's circle sees both Carls
        await ensure_relationship(session, guest_id=w.carl_again, restaurant_id=w.c)
        await session.commit()
    listed = await api.client.get(f"{BASE}/restaurants/{w.c}/guests/duplicates", headers=admin)
    (pair,) = listed.json()["items"]
    assert pair["reason"] == "same_name_and_email_local_part"
    merged = await api.client.post(
        f"{BASE}/guests/{w.carl}/merge",
        json={"duplicate_id": str(w.carl_again), "restaurant_id": str(w.c)},
        headers=admin,
    )
    assert merged.status_code == 200, merged.text
    assert len(merged.json()["moved"]["reservations"]) == 1
    assert merged.json()["folded"]["guest_relationships"] == 1  # both were known at C
