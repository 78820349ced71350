"""Object-level authorization of every staff CRM route, across two restaurants of a
profile-sharing group, two of a group that does not share, and a lone restaurant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from models.enums import StaffRole
from models.orm import GuestRelationship
from tests.conftest import Api
from tests.crm.profile_helpers import BASE, World, build_world, guest_url, problem_field


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {guest}, {note}, {restaurant}, {group} filled in per world
    minimum: StaffRole
    body: dict[str, Any] | None = None

    def url(self, world: World, *, note: uuid.UUID, restaurant: uuid.UUID, group: str) -> str:
        return self.path.format(guest=world.guest, note=note, restaurant=restaurant, group=group)


GUEST_ROUTES = [
    Route("GET", "/guests/{guest}", StaffRole.HOST),
    Route("GET", "/guests/{guest}/history", StaffRole.HOST),
    Route("PATCH", "/guests/{guest}", StaffRole.MANAGER, {"first_name": "Anna"}),
    Route("GET", "/guests/{guest}/notes", StaffRole.HOST),
    Route("POST", "/guests/{guest}/notes", StaffRole.HOST, {"body": "prefers tea"}),
    Route("PATCH", "/guests/{guest}/notes/{note}", StaffRole.HOST, {"body": "changed"}),
    Route("DELETE", "/guests/{guest}/notes/{note}", StaffRole.HOST),
    Route("PUT", "/guests/{guest}/vip", StaffRole.MANAGER, {"is_vip": True}),
    Route("PUT", "/guests/{guest}/block", StaffRole.MANAGER, {"reason": "abusive to staff"}),
    Route("DELETE", "/guests/{guest}/block", StaffRole.MANAGER),
    Route("PUT", "/guests/{guest}/tags", StaffRole.HOST, {"tags": ["regular"]}),
    Route("PUT", "/guests/{guest}/preferences", StaffRole.HOST, {"allergies": ["peanuts"]}),
]
RESTAURANT_ROUTES = [
    Route("GET", "/restaurants/{restaurant}/guests?q=ann", StaffRole.HOST),
    Route("GET", "/restaurants/{restaurant}/guests/export.csv", StaffRole.MANAGER),
]
ADMIN_ROUTES = [
    Route("POST", "/restaurant-groups", StaffRole.ADMIN, {"name": "New group"}),
    Route("GET", "/restaurant-groups", StaffRole.ADMIN),
    Route("PATCH", "/restaurant-groups/{group}", StaffRole.ADMIN, {"name": "Renamed"}),
    Route("PUT", "/restaurants/{restaurant}/group", StaffRole.ADMIN, {"group_id": None}),
]
ALL_ROUTES = GUEST_ROUTES + RESTAURANT_ROUTES + ADMIN_ROUTES


async def call(
    api: Api,
    route: Route,
    world: World,
    headers: dict[str, str] | None,
    *,
    acting_for: uuid.UUID | None = None,
    note: uuid.UUID | None = None,
    restaurant: uuid.UUID | None = None,
    group: str | None = None,
) -> Any:
    url = BASE + route.url(
        world,
        note=note or world.a1_note,
        restaurant=restaurant or world.a1,
        group=group or str(uuid.uuid4()),
    )
    params = {"restaurant_id": str(acting_for)} if acting_for else None
    return await api.client.request(
        route.method, url, headers=headers, params=params, json=route.body
    )


async def relationships_of(api: Api, guest: uuid.UUID) -> set[uuid.UUID]:
    async with api.db.sessions() as session:
        rows = await session.scalars(
            select(GuestRelationship.restaurant_id).where(GuestRelationship.guest_id == guest)
        )
        return set(rows)


@pytest.fixture
async def world(api: Api, admin: dict[str, str]) -> World:
    return await build_world(api, admin)


async def test_every_route_needs_a_staff_token(api: Api, world: World) -> None:
    for route in ALL_ROUTES:
        response = await call(api, route, world, None, acting_for=world.a1)
        assert response.status_code == 401, (route, response.text)
        bad = await call(api, route, world, {"Authorization": "Bearer nope"}, acting_for=world.a1)
        assert bad.status_code == 401, (route, bad.text)


async def test_staff_whose_circle_never_met_the_guest_get_404_and_learn_nothing(
    api: Api, world: World
) -> None:
    # C is in no group; B2 is B1's sibling in a group that does not share profiles
    for outsider in ("c", "b2"):
        for route in GUEST_ROUTES:
            manager = await call(api, route, world, world.auth(f"manager_{outsider}"))
            assert manager.status_code == 404, (outsider, route, manager.text)
            host = await call(api, route, world, world.auth(f"host_{outsider}"))
            # a host asking for a manager action is refused for the role, whoever the guest
            expected = 403 if route.minimum is StaffRole.MANAGER else 404
            assert host.status_code == expected, (outsider, route, host.text)
    # the same answer as a guest id that exists nowhere
    nowhere = await api.client.get(guest_url(uuid.uuid4()), headers=world.auth("manager_c"))
    assert nowhere.status_code == 404
    assert (await api.client.get(guest_url(world.guest), headers=world.auth("manager_c"))).json()[
        "detail"
    ] == f"guest {world.guest} not found"
    # no route fabricated knowledge of the guest for C or B2
    assert await relationships_of(api, world.guest) == {world.a1, world.b1}


async def test_acting_for_a_restaurant_one_does_not_work_for_is_404(api: Api, world: World) -> None:
    for route in GUEST_ROUTES:
        response = await call(api, route, world, world.auth("manager_c"), acting_for=world.a1)
        assert response.status_code == 404, (route, response.text)
        assert response.json()["detail"] == f"restaurant {world.a1} not found"
    for route in RESTAURANT_ROUTES:
        response = await call(api, route, world, world.auth("manager_c"), restaurant=world.a1)
        assert response.status_code == 404, (route, response.text)


async def test_hosts_are_refused_manager_actions_and_allowed_the_rest(
    api: Api, world: World
) -> None:
    for route in GUEST_ROUTES:
        note = world.a1_note
        if route.method in {"PATCH", "DELETE"} and "{note}" in route.path:
            # a fresh note of A1's each time, so the delete does not starve the patch
            made = await api.client.post(
                guest_url(world.guest, "/notes"),
                headers=world.auth("host_a1"),
                json={"body": "tmp"},
            )
            note = uuid.UUID(made.json()["id"])
        response = await call(api, route, world, world.auth("host_a1"), note=note)
        if route.minimum is StaffRole.MANAGER:
            assert response.status_code == 403, (route, response.text)
        else:
            assert response.status_code < 300, (route, response.text)
    for route in GUEST_ROUTES:
        if "{note}" in route.path:
            continue
        response = await call(api, route, world, world.auth("manager_a1"))
        assert response.status_code < 300, (route, response.text)
    search = await call(api, RESTAURANT_ROUTES[0], world, world.auth("host_a1"))
    assert search.status_code == 200
    export = await call(api, RESTAURANT_ROUTES[1], world, world.auth("host_a1"))
    assert export.status_code == 403
    export = await call(api, RESTAURANT_ROUTES[1], world, world.auth("manager_a1"))
    assert export.status_code == 200


async def test_only_admins_manage_groups(api: Api, world: World) -> None:
    for who in ("host_a1", "manager_a1"):
        for route in ADMIN_ROUTES:
            response = await call(api, route, world, world.auth(who))
            assert response.status_code == 403, (who, route, response.text)
    for route in ADMIN_ROUTES:
        response = await call(api, route, world, world.admin)
        # an unknown group id is a 404 for PATCH, the rest succeed
        expected = 404 if route.method == "PATCH" else (201 if route.method == "POST" else 200)
        assert response.status_code == expected, (route, response.text)


async def test_a_sharing_sibling_reads_but_cannot_change_the_others_notes(
    api: Api, world: World
) -> None:
    a2 = world.auth("host_a2")
    profile = await api.client.get(guest_url(world.guest), headers=a2)
    assert profile.status_code == 200, profile.text
    bodies = {n["body"]: n for n in profile.json()["notes"]}
    assert set(bodies) == {"A1: peanut allergy"}  # B1's note is outside A2's circle
    assert bodies["A1: peanut allergy"]["editable"] is False
    assert profile.json()["relationship"] is None  # A2 itself has not met the guest yet
    assert [r["restaurant_id"] for r in profile.json()["shared"]] == [str(world.a1)]
    note_url = guest_url(world.guest, f"/notes/{world.a1_note}")
    assert (await api.client.patch(note_url, headers=a2, json={"body": "x"})).status_code == 404
    assert (await api.client.delete(note_url, headers=a2)).status_code == 404
    # B1's note by its id, from either A restaurant: not found
    b1_note = guest_url(world.guest, f"/notes/{world.b1_note}")
    for who in ("host_a1", "host_a2"):
        response = await api.client.patch(b1_note, headers=world.auth(who), json={"body": "x"})
        assert response.status_code == 404
    # A2's own note makes A2 know the guest; B1 still sees only its own
    added = await api.client.post(
        guest_url(world.guest, "/notes"), headers=a2, json={"body": "A2: sat on the terrace"}
    )
    assert added.status_code == 201, added.text
    assert await relationships_of(api, world.guest) == {world.a1, world.a2, world.b1}
    b1_view = await api.client.get(guest_url(world.guest, "/notes"), headers=world.auth("host_b1"))
    assert [n["body"] for n in b1_view.json()] == ["B1: likes the window"]
    a1_view = await api.client.get(guest_url(world.guest, "/notes"), headers=world.auth("host_a1"))
    assert {n["body"] for n in a1_view.json()} == {"A1: peanut allergy", "A2: sat on the terrace"}


async def test_a_group_that_stops_sharing_stops_showing(api: Api, world: World) -> None:
    a2 = world.auth("host_a2")
    assert (await api.client.get(guest_url(world.guest), headers=a2)).status_code == 200
    async with api.db.sessions() as session:
        from models.orm import Restaurant

        group_id = await session.scalar(
            select(Restaurant.group_id).where(Restaurant.id == world.a2)
        )
    patched = await api.client.patch(
        f"{BASE}/restaurant-groups/{group_id}",
        headers=world.admin,
        json={"shares_guest_profiles": False},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["shares_guest_profiles"] is False
    assert (await api.client.get(guest_url(world.guest), headers=a2)).status_code == 404
    # and a restaurant taken out of its group sees only its own again
    await api.client.patch(
        f"{BASE}/restaurant-groups/{group_id}",
        headers=world.admin,
        json={"shares_guest_profiles": True},
    )
    assert (await api.client.get(guest_url(world.guest), headers=a2)).status_code == 200
    out = await api.client.put(
        f"{BASE}/restaurants/{world.a2}/group", headers=world.admin, json={"group_id": None}
    )
    assert out.status_code == 200 and out.json() is None
    assert (await api.client.get(guest_url(world.guest), headers=a2)).status_code == 404


async def test_the_acting_restaurant_must_be_named_unless_it_is_the_only_one(
    api: Api, world: World
) -> None:
    two = await api.token_for(StaffRole.HOST, [world.a1, world.c])
    for headers in (two, world.admin):
        response = await api.client.get(guest_url(world.guest), headers=headers)
        assert response.status_code == 422, response.text
        assert problem_field(response) == "restaurant_id"
        named = await api.client.get(
            guest_url(world.guest), headers=headers, params={"restaurant_id": str(world.a1)}
        )
        assert named.status_code == 200, named.text
    broken = await api.client.get(
        guest_url(world.guest), headers=two, params={"restaurant_id": "not-a-uuid"}
    )
    assert broken.status_code == 422
    assert problem_field(broken) == "restaurant_id"


async def test_group_membership_input_is_checked(api: Api, world: World) -> None:
    unknown = await api.client.put(
        f"{BASE}/restaurants/{world.c}/group",
        headers=world.admin,
        json={"group_id": str(uuid.uuid4())},
    )
    assert unknown.status_code == 422 and problem_field(unknown) == "group_id"
    no_restaurant = await api.client.put(
        f"{BASE}/restaurants/{uuid.uuid4()}/group", headers=world.admin, json={"group_id": None}
    )
    assert no_restaurant.status_code == 404
    empty = await api.client.patch(
        f"{BASE}/restaurant-groups/{uuid.uuid4()}", headers=world.admin, json={}
    )
    assert empty.status_code == 422
    bad = await api.client.post(
        f"{BASE}/restaurant-groups",
        headers=world.admin,
        json={"name": "x", "shares_guest_profiles": "yes"},
    )
    assert bad.status_code == 422 and problem_field(bad) == "shares_guest_profiles"
    listed = await api.client.get(f"{BASE}/restaurant-groups", headers=world.admin)
    assert listed.json()["total"] == 2
    members = {frozenset(g["restaurant_ids"]) for g in listed.json()["items"]}
    assert members == {
        frozenset({str(world.a1), str(world.a2)}),
        frozenset({str(world.b1), str(world.b2)}),
    }
    # counted rows, not guessed: nothing else in the table
    async with api.db.sessions() as session:
        from models.orm import RestaurantGroup

        assert await session.scalar(select(func.count()).select_from(RestaurantGroup)) == 2
