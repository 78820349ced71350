"""A guest's profile as one restaurant sees it: identity, flags, statistics, history,
contact corrections and the restaurant's CSV export, over HTTP on both databases."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from models.orm import Guest, GuestAudit, GuestRelationship
from services.crm import csv_export
from services.guests import search_name_of
from tests.conftest import Api
from tests.crm.profile_helpers import (
    BASE,
    World,
    add_reservations,
    build_world,
    guest_url,
    make_guest,
    problem_field,
)


@pytest.fixture
async def world(api: Api, admin: dict[str, str]) -> World:
    return await build_world(api, admin)


async def audit_actions(api: Api, guest: uuid.UUID) -> list[tuple[str, uuid.UUID | None]]:
    async with api.db.sessions() as session:
        rows = await session.execute(
            select(GuestAudit.action, GuestAudit.restaurant_id)
            .where(GuestAudit.guest_id == guest)
            .order_by(GuestAudit.created_at)
        )
        return [(action, restaurant) for action, restaurant in rows]


async def test_the_profile_shows_identity_this_restaurants_knowledge_and_statistics(
    api: Api, world: World
) -> None:
    async with api.db.sessions() as session:
        await session.execute(
            update(GuestRelationship)
            .where(GuestRelationship.guest_id == world.guest)
            .where(GuestRelationship.restaurant_id == world.a1)
            .values(bookings=5, visits=3, covers=8, no_shows=1, cancellations=1, spend_minor=12345)
        )
        await session.commit()
    response = await api.client.get(guest_url(world.guest), headers=world.auth("host_a1"))
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["email"] == "ann.smit@example.com"
    assert profile["phone"] == "+31612345678"
    assert (profile["first_name"], profile["last_name"], profile["erased"]) == (
        "Ann",
        "Smit",
        False,
    )
    assert profile["restaurant_id"] == str(world.a1)
    stats = profile["relationship"]["stats"]
    assert (stats["visits"], stats["covers"], stats["no_shows"]) == (3, 8, 1)
    assert stats["average_party_size"] == pytest.approx(8 / 3, abs=0.01)
    assert stats["spend_minor"] == 12345
    assert profile["shared"] == []  # A2 has not met the guest; B1 is outside the circle
    assert [n["body"] for n in profile["notes"]] == ["A1: peanut allergy"]
    assert profile["notes"][0]["is_alert"] is True
    # B1 sees its own statistics (all zero), not A1's
    b1 = await api.client.get(guest_url(world.guest), headers=world.auth("host_b1"))
    assert b1.json()["relationship"]["stats"]["visits"] == 0
    assert b1.json()["relationship"]["stats"]["average_party_size"] is None


async def test_vip_block_and_unblock_are_kept_per_restaurant_and_audited(
    api: Api, world: World
) -> None:
    manager = world.auth("manager_a1")
    vip = await api.client.put(
        guest_url(world.guest, "/vip"), headers=manager, json={"is_vip": True}
    )
    assert vip.status_code == 200 and vip.json()["relationship"]["is_vip"] is True
    blocked = await api.client.put(
        guest_url(world.guest, "/block"), headers=manager, json={"reason": "  no-show x3  "}
    )
    assert blocked.status_code == 200, blocked.text
    relationship = blocked.json()["relationship"]
    assert relationship["blocked"] is True
    assert relationship["blocked_reason"] == "no-show x3"
    assert relationship["blocked_at"] is not None
    # B1's relationship is untouched
    b1 = await api.client.get(guest_url(world.guest), headers=world.auth("host_b1"))
    assert b1.json()["relationship"]["is_vip"] is False
    assert b1.json()["relationship"]["blocked"] is False
    # A2 (sharing) sees A1's flags labelled with A1
    a2 = await api.client.get(guest_url(world.guest), headers=world.auth("host_a2"))
    assert a2.json()["shared"][0]["blocked"] is True
    unblocked = await api.client.delete(guest_url(world.guest, "/block"), headers=manager)
    assert unblocked.json()["relationship"]["blocked"] is False
    assert unblocked.json()["relationship"]["blocked_reason"] is None
    # a repeated VIP mark changes nothing and is not audited twice
    await api.client.put(guest_url(world.guest, "/vip"), headers=manager, json={"is_vip": True})
    assert await audit_actions(api, world.guest) == [
        ("vip_set", world.a1),
        ("blocked", world.a1),
        ("unblocked", world.a1),
    ]
    async with api.db.sessions() as session:
        staff_ids = set(
            await session.scalars(
                select(GuestAudit.staff_id).where(GuestAudit.guest_id == world.guest)
            )
        )
    assert None not in staff_ids and len(staff_ids) == 1
    for body, field in (({"is_vip": "true"}, "is_vip"), ({"reason": ""}, "reason"), ({}, "reason")):
        path = "/vip" if "is_vip" in body else "/block"
        bad = await api.client.put(guest_url(world.guest, path), headers=manager, json=body)
        assert bad.status_code == 422, bad.text
        assert problem_field(bad) == field


async def test_tags_and_preferences_are_normalised_and_bounded(api: Api, world: World) -> None:
    host = world.auth("host_a1")
    tags = await api.client.put(
        guest_url(world.guest, "/tags"),
        headers=host,
        json={"tags": [" Regular ", "regular", "Window  Seat", "  "]},
    )
    assert tags.status_code == 200, tags.text
    assert tags.json()["relationship"]["tags"] == ["regular", "window seat"]
    too_many = await api.client.put(
        guest_url(world.guest, "/tags"), headers=host, json={"tags": [f"t{n}" for n in range(31)]}
    )
    assert too_many.status_code == 422 and problem_field(too_many) == "tags"
    too_long = await api.client.put(
        guest_url(world.guest, "/tags"), headers=host, json={"tags": ["x" * 41]}
    )
    assert too_long.status_code == 422 and problem_field(too_long) == "tags.0"
    not_text = await api.client.put(
        guest_url(world.guest, "/tags"), headers=host, json={"tags": [1]}
    )
    assert not_text.status_code == 422 and problem_field(not_text) == "tags.0"
    prefs = await api.client.put(
        guest_url(world.guest, "/preferences"),
        headers=host,
        json={"preferred_areas": ["Terrace"], "allergies": ["Peanuts", "shellfish"]},
    )
    assert prefs.status_code == 200, prefs.text
    relationship = prefs.json()["relationship"]
    assert relationship["preferred_areas"] == ["terrace"]
    assert relationship["allergies"] == ["peanuts", "shellfish"]
    assert relationship["dietary_restrictions"] == []
    unknown = await api.client.put(
        guest_url(world.guest, "/preferences"), headers=host, json={"allergy": ["nuts"]}
    )
    assert unknown.status_code == 422 and problem_field(unknown) == "allergy"
    nul = await api.client.put(
        guest_url(world.guest, "/tags"), headers=host, json={"tags": ["bad\u0000tag"]}
    )
    assert nul.status_code == 422


async def test_history_is_the_circles_reservations_newest_first_and_paged(
    api: Api, world: World
) -> None:
    await add_reservations(api.db.sessions, guest_id=world.guest, restaurant_id=world.a1, count=30)
    await add_reservations(api.db.sessions, guest_id=world.guest, restaurant_id=world.b1, count=3)
    a1 = await api.client.get(
        guest_url(world.guest, "/history"),
        headers=world.auth("host_a1"),
        params={"limit": 10, "offset": 5},
    )
    assert a1.status_code == 200, a1.text
    page = a1.json()
    assert page["total"] == 30 and len(page["items"]) == 10
    starts = [item["starts_at"] for item in page["items"]]
    assert starts == sorted(starts, reverse=True)
    assert {item["restaurant_id"] for item in page["items"]} == {str(world.a1)}
    assert page["items"][0]["date"] == "2031-01-25"  # the 6th newest of 1..30 January
    a2 = await api.client.get(guest_url(world.guest, "/history"), headers=world.auth("host_a2"))
    assert a2.json()["total"] == 30  # the sharing sibling reads A1's history
    b1 = await api.client.get(guest_url(world.guest, "/history"), headers=world.auth("host_b1"))
    assert b1.json()["total"] == 3


async def test_merged_away_guests_are_not_found_and_erased_ones_show_anonymised(
    api: Api, world: World
) -> None:
    duplicate = await make_guest(api.db.sessions, known_at=[world.a1], email="ann2@example.com")
    erased = await make_guest(api.db.sessions, known_at=[world.a1], email="gone@example.com")
    async with api.db.sessions() as session:
        await session.execute(
            update(Guest).where(Guest.id == duplicate).values(merged_into_id=world.guest)
        )
        await session.execute(
            update(Guest)
            .where(Guest.id == erased)
            .values(
                erased_at=datetime.now(UTC),
                first_name="Erased",
                last_name=None,
                email=f"erased-{erased}@invalid",
                phone=None,
                search_name="erased",
            )
        )
        await session.commit()
    host = world.auth("host_a1")
    gone = await api.client.get(guest_url(duplicate), headers=host)
    assert gone.status_code == 404
    assert gone.json()["detail"] == f"guest {duplicate} not found"
    shown = await api.client.get(guest_url(erased), headers=host)
    assert shown.status_code == 200
    assert shown.json()["erased"] is True
    assert shown.json()["first_name"] == "Erased" and shown.json()["phone"] is None
    refused = await api.client.patch(
        guest_url(erased), headers=world.auth("manager_a1"), json={"first_name": "Back"}
    )
    assert refused.status_code == 409


async def test_contact_corrections_validate_email_and_phone(api: Api, world: World) -> None:
    manager = world.auth("manager_a1")
    for body, field in (
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "+31 6"}, "phone"),
        ({"first_name": ""}, "first_name"),
        ({"preferred_language": "xx"}, "preferred_language"),
        ({"email": "ann@example.com", "vip": True}, "vip"),
    ):
        response = await api.client.patch(guest_url(world.guest), headers=manager, json=body)
        assert response.status_code == 422, (body, response.text)
        assert problem_field(response) == field, (body, response.json())
        assert response.headers["content-type"].startswith("application/problem+json")
    fixed = await api.client.patch(
        guest_url(world.guest),
        headers=manager,
        json={"email": "Ann.Smit@Example.NL", "phone": "+31 20 123 4567", "last_name": "de Vries"},
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["email"] == "ann.smit@example.nl"
    assert fixed.json()["phone"] == "+31201234567"
    async with api.db.sessions() as session:
        guest = await session.get(Guest, world.guest)
        assert guest is not None and guest.search_name == "ann de vries"
        details = await session.scalar(
            select(GuestAudit.details).where(GuestAudit.action == "contact_corrected")
        )
    assert details == {"fields": ["email", "phone", "last_name"]}
    other = await make_guest(api.db.sessions, known_at=[world.a1], email="taken@example.com")
    clash = await api.client.patch(
        guest_url(world.guest), headers=manager, json={"email": "TAKEN@example.com"}
    )
    assert clash.status_code == 409 and problem_field(clash) == "email"
    assert other != world.guest


async def test_the_csv_export_is_the_restaurants_own_guests_and_formula_safe(
    api: Api, world: World
) -> None:
    sneaky = await make_guest(
        api.db.sessions,
        known_at=[world.a1],
        email="sneaky@example.com",
        first_name='=HYPERLINK("http://evil")',
        last_name="@SUM(A1)",
    )
    await api.client.put(
        guest_url(sneaky, "/tags"), headers=world.auth("host_a1"), json={"tags": ["-2+3", "ok"]}
    )
    await api.client.put(
        guest_url(world.guest, "/block"), headers=world.auth("manager_a1"), json={"reason": "+rude"}
    )
    # a guest only B1 knows is not in A1's export, even though A2 would share A1's
    await make_guest(api.db.sessions, known_at=[world.b1], email="b-only@example.com")
    response = await api.client.get(
        f"{BASE}/restaurants/{world.a1}/guests/export.csv", headers=world.auth("manager_a1")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == {"ann.smit@example.com", "sneaky@example.com"}
    row = by_email["sneaky@example.com"]
    assert row["first_name"] == '\'=HYPERLINK("http://evil")'
    assert row["last_name"] == "'@SUM(A1)"
    assert row["tags"] == "'-2+3; ok"
    ann = by_email["ann.smit@example.com"]
    assert ann["phone"] == "'+31612345678"
    assert ann["blocked"] == "True" and ann["blocked_reason"] == "'+rude"
    every_cell = [cell for r in rows for cell in r.values()]
    assert not [c for c in every_cell if c[:1] in {"=", "+", "-", "@"}]
    a2 = await api.client.get(
        f"{BASE}/restaurants/{world.a2}/guests/export.csv", headers=world.auth("manager_a2")
    )
    assert list(csv.DictReader(io.StringIO(a2.text))) == []


async def test_the_csv_export_streams_every_guest_once_in_name_order_across_pages(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_export, "EXPORT_PAGE", 2)
    # namesakes too: the pages continue after the last (name, id), not the last name
    names = [("Bo", "Visser"), ("Ann", "Smit"), ("Ann", "Smit"), ("Cas", "Bakker"), ("Ann", "Smit")]
    for i, (first, last) in enumerate(names):
        await make_guest(
            api.db.sessions,
            known_at=[world.a2],
            email=f"page-{i}@example.com",
            first_name=first,
            last_name=last,
        )
    response = await api.client.get(
        f"{BASE}/restaurants/{world.a2}/guests/export.csv", headers=world.auth("manager_a2")
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["email"] for r in rows) == [f"page-{i}@example.com" for i in range(5)]
    by_name = sorted(names, key=lambda name: search_name_of(*name))
    assert [r["last_name"] for r in rows] == [last for _, last in by_name]
    assert response.text.count("guest_id,") == 1  # one header
