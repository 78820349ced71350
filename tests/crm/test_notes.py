"""Staff notes over HTTP: a restaurant keeps, changes and deletes its own; bad input is a
422 naming the field; other restaurants' notes are not found."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from models.orm import GuestNote, GuestRelationship
from tests.conftest import Api
from tests.crm.profile_helpers import World, build_world, guest_url, make_guest, problem_field


@pytest.fixture
async def world(api: Api, admin: dict[str, str]) -> World:
    return await build_world(api, admin)


async def test_a_host_keeps_changes_and_deletes_the_restaurants_notes(
    api: Api, world: World
) -> None:
    host = world.auth("host_a1")
    created = await api.client.post(
        guest_url(world.guest, "/notes"),
        headers=host,
        json={"body": "  Celebrates in June  ", "note_type": "preference"},
    )
    assert created.status_code == 201, created.text
    note = created.json()
    assert note["body"] == "Celebrates in June"
    assert (note["note_type"], note["is_alert"], note["editable"]) == ("preference", False, True)
    assert note["restaurant_id"] == str(world.a1)
    assert note["updated_at"] is None
    url = guest_url(world.guest, f"/notes/{note['id']}")
    changed = await api.client.patch(
        url, headers=host, json={"note_type": "allergy", "is_alert": True}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["body"] == "Celebrates in June"
    assert (changed.json()["note_type"], changed.json()["is_alert"]) == ("allergy", True)
    assert changed.json()["updated_at"] is not None
    listed = await api.client.get(guest_url(world.guest, "/notes"), headers=host)
    # alerts first, newest first among them
    assert [n["body"] for n in listed.json()] == ["Celebrates in June", "A1: peanut allergy"]
    deleted = await api.client.delete(url, headers=host)
    assert deleted.status_code == 204
    assert (await api.client.delete(url, headers=host)).status_code == 404
    assert (await api.client.patch(url, headers=host, json={"body": "x"})).status_code == 404
    async with api.db.sessions() as session:
        author = await session.scalar(select(GuestNote.author_id).where(GuestNote.body == "x"))
    assert author is None  # nothing was written by the refused patch


async def test_bad_notes_are_422_naming_the_field(api: Api, world: World) -> None:
    host = world.auth("host_a1")
    url = guest_url(world.guest, "/notes")
    for body, field in (
        ({"body": "x" * 2001}, "body"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({}, "body"),
        ({"body": "ok", "note_type": "gossip"}, "note_type"),
        ({"body": "ok", "is_alert": "yes"}, "is_alert"),
        ({"body": "ok", "is_alert": 1}, "is_alert"),
        ({"body": "nul \u0000 inside"}, "body"),
        ({"body": "ok", "restaurant_id": str(world.b1)}, "restaurant_id"),
    ):
        response = await api.client.post(url, headers=host, json=body)
        assert response.status_code == 422, (body, response.text)
        assert problem_field(response) == field, (body, response.json())
    longest = await api.client.post(url, headers=host, json={"body": "x" * 2000})
    assert longest.status_code == 201
    note_url = guest_url(world.guest, f"/notes/{world.a1_note}")
    for body, field in (({}, "body"), ({"body": "y" * 2001}, "body")):
        response = await api.client.patch(note_url, headers=host, json=body)
        assert response.status_code == 422, (body, response.text)
        assert problem_field(response) == field
    not_json = await api.client.post(
        url, headers={**host, "content-type": "application/json"}, content=b"{body"
    )
    assert not_json.status_code == 422


async def test_notes_on_a_guest_the_circle_never_met_are_refused_without_a_trace(
    api: Api, world: World
) -> None:
    stranger = await make_guest(api.db.sessions, known_at=[world.b1])
    for guest in (stranger, uuid.uuid4()):
        response = await api.client.post(
            guest_url(guest, "/notes"), headers=world.auth("host_a1"), json={"body": "hello"}
        )
        assert response.status_code == 404, response.text
    async with api.db.sessions() as session:
        known = set(
            await session.scalars(
                select(GuestRelationship.restaurant_id).where(
                    GuestRelationship.guest_id == stranger
                )
            )
        )
        notes = list(
            await session.scalars(select(GuestNote.id).where(GuestNote.guest_id == stranger))
        )
    assert known == {world.b1} and notes == []


async def test_a_note_id_of_another_guest_is_not_found(api: Api, world: World) -> None:
    other = await make_guest(api.db.sessions, known_at=[world.a1])
    # A1's own note, but addressed under another guest A1 also knows
    response = await api.client.patch(
        guest_url(other, f"/notes/{world.a1_note}"),
        headers=world.auth("host_a1"),
        json={"body": "moved?"},
    )
    assert response.status_code == 404
    async with api.db.sessions() as session:
        note = await session.get(GuestNote, world.a1_note)
    assert note is not None and note.body == "A1: peanut allergy"
