"""Merging two profiles, as a property: whatever the two hold, nothing is lost or left behind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models.enums import ReservationStatus
from models.orm import (
    Guest,
    GuestAudit,
    GuestNote,
    GuestRelationship,
    MarketingConsent,
    Reservation,
)
from models.orm.base import Base
from services.crm.merge import merge_guests
from services.errors import ConflictError
from tests.conftest import Database
from tests.crm.fixtures import bare_guest, bare_reservation, bare_restaurant, group_of

RESTAURANTS = 3
SCOPES = ("restaurant:0", "restaurant:1", "group")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Relationship:
    restaurant: int
    bookings: int
    visits: int
    no_shows: int
    spend_minor: int
    vip: bool
    blocked: bool
    tags: list[str]
    allergies: list[str]
    last_visit_day: int | None


@dataclass(frozen=True)
class Consent:
    scope: str
    granted_day: int
    withdrawn_day: int | None


@dataclass(frozen=True)
class Profile:
    relationships: list[Relationship]
    notes: list[tuple[int, bool]]  # (restaurant, alert)
    consents: list[Consent]
    reservations: list[tuple[int, ReservationStatus]]
    counters: tuple[int, int, int]  # total, completed, spend


def relationships() -> st.SearchStrategy[list[Relationship]]:
    one = st.builds(
        Relationship,
        restaurant=st.integers(0, RESTAURANTS - 1),
        bookings=st.integers(0, 9),
        visits=st.integers(0, 9),
        no_shows=st.integers(0, 3),
        spend_minor=st.integers(0, 10**6),
        vip=st.booleans(),
        blocked=st.booleans(),
        tags=st.lists(st.sampled_from(["regular", "wine", "press", "family"]), unique=True),
        allergies=st.lists(st.sampled_from(["nuts", "gluten", "shellfish"]), unique=True),
        last_visit_day=st.none() | st.integers(0, 300),
    )
    return st.lists(one, max_size=RESTAURANTS, unique_by=lambda r: r.restaurant)


profiles = st.builds(
    Profile,
    relationships=relationships(),
    notes=st.lists(st.tuples(st.integers(0, RESTAURANTS - 1), st.booleans()), max_size=4),
    consents=st.lists(
        st.builds(
            Consent,
            scope=st.sampled_from(SCOPES),
            granted_day=st.integers(0, 100),
            withdrawn_day=st.none() | st.integers(101, 200),
        ),
        max_size=3,
        unique_by=lambda c: c.scope,
    ),
    reservations=st.lists(
        st.tuples(
            st.integers(0, RESTAURANTS - 1),
            st.sampled_from(
                [
                    ReservationStatus.CONFIRMED,
                    ReservationStatus.COMPLETED,
                    ReservationStatus.NO_SHOW,
                ]
            ),
        ),
        max_size=4,
    ),
    counters=st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 10**6)),
)


async def _store(
    db: Database, profile: Profile, restaurants: list[uuid.UUID], group: uuid.UUID
) -> uuid.UUID:
    async with db.sessions() as session:
        guest_id = await bare_guest(session)
        guest = await session.get(Guest, guest_id)
        assert guest is not None
        guest.total_reservations, guest.completed_reservations, guest.total_spend_minor = (
            profile.counters
        )
        rels = {r.restaurant: r for r in profile.relationships}
        # both profiles are known to the first restaurant, where staff merge them
        rels.setdefault(0, Relationship(0, 0, 0, 0, 0, False, False, [], [], None))
        for r in rels.values():
            session.add(
                GuestRelationship(
                    guest_id=guest_id,
                    restaurant_id=restaurants[r.restaurant],
                    bookings=r.bookings,
                    visits=r.visits,
                    no_shows=r.no_shows,
                    spend_minor=r.spend_minor,
                    is_vip=r.vip,
                    blocked_at=EPOCH if r.blocked else None,
                    tags=r.tags,
                    allergies=r.allergies,
                    last_visit_at=(
                        EPOCH + timedelta(days=r.last_visit_day)
                        if r.last_visit_day is not None
                        else None
                    ),
                )
            )
        for restaurant, alert in profile.notes:
            session.add(
                GuestNote(
                    guest_id=guest_id,
                    restaurant_id=restaurants[restaurant],
                    body="note",
                    is_alert=alert,
                )
            )
        for c in profile.consents:
            index = SCOPES.index(c.scope)
            session.add(
                MarketingConsent(
                    guest_id=guest_id,
                    scope=f"group:{group}" if c.scope == "group" else f"restaurant:{index}",
                    restaurant_id=None if c.scope == "group" else restaurants[index],
                    group_id=group if c.scope == "group" else None,
                    granted_at=EPOCH + timedelta(days=c.granted_day),
                    source="booking_form",
                    wording_version=f"v{c.granted_day}",
                    withdrawn_at=(
                        EPOCH + timedelta(days=c.withdrawn_day) if c.withdrawn_day else None
                    ),
                    withdrawn_via="link" if c.withdrawn_day else None,
                )
            )
        for restaurant, status in profile.reservations:
            await bare_reservation(
                session, restaurant_id=restaurants[restaurant], guest_id=guest_id, status=status
            )
        await session.commit()
    return guest_id


async def _state(db: Database, guest_id: uuid.UUID) -> dict[str, Any]:
    async with db.sessions() as session:
        guest = await session.get(Guest, guest_id)
        assert guest is not None
        rels = {
            r.restaurant_id: r
            for r in await session.scalars(
                select(GuestRelationship).where(GuestRelationship.guest_id == guest_id)
            )
        }
        consents = {
            c.scope: c
            for c in await session.scalars(
                select(MarketingConsent).where(MarketingConsent.guest_id == guest_id)
            )
        }
        notes = await session.scalar(
            select(func.count()).select_from(GuestNote).where(GuestNote.guest_id == guest_id)
        )
        reservations = set(
            await session.scalars(select(Reservation.id).where(Reservation.guest_id == guest_id))
        )
    return {
        "guest": guest,
        "rels": rels,
        "consents": consents,
        "notes": notes,
        "reservations": reservations,
    }


async def _references(db: Database, guest_id: uuid.UUID) -> dict[str, int]:
    """Rows of every table whose guest column names the guest (besides the audit trail)."""
    found: dict[str, int] = {}
    async with db.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                points_at_guests = any(
                    fk.column.table.name == "guests" for fk in column.foreign_keys
                )
                if points_at_guests or (column.name == "guest_id" and table.name != "guest_audit"):
                    count = await session.scalar(
                        select(func.count()).select_from(table).where(column == guest_id)
                    )
                    if count:
                        found[f"{table.name}.{column.name}"] = int(count)
    return found


@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(survivor=profiles, duplicate=profiles)
async def test_a_merge_loses_nothing_and_leaves_nothing_behind(
    db: Database, survivor: Profile, duplicate: Profile
) -> None:
    async with db.sessions() as session:
        restaurants = [await bare_restaurant(session) for _ in range(RESTAURANTS)]
        group = await group_of(session, *restaurants, shares=True)
        await session.commit()
    keep = await _store(db, survivor, restaurants, group)
    drop = await _store(db, duplicate, restaurants, group)
    before_keep, before_drop = await _state(db, keep), await _state(db, drop)

    async with db.sessions() as session:
        result = await merge_guests(
            session,
            survivor_id=keep,
            duplicate_id=drop,
            restaurant_id=restaurants[0],
            staff_id=None,
            now=datetime.now(UTC),
        )
        await session.commit()
    after = await _state(db, keep)

    # nothing names the duplicate but its own row's pointer and the audit trail
    assert await _references(db, drop) == {}
    gone = await _state(db, drop)
    assert gone["guest"].merged_into_id == keep
    assert not gone["rels"] and not gone["consents"] and not gone["reservations"]
    # reservations, notes and relationships add up
    assert after["reservations"] == before_keep["reservations"] | before_drop["reservations"]
    assert sorted(result.moved["reservations"]) == sorted(
        str(r) for r in before_drop["reservations"]
    )
    assert after["notes"] == before_keep["notes"] + before_drop["notes"]
    assert set(after["rels"]) == set(before_keep["rels"]) | set(before_drop["rels"])
    for rid, rel in after["rels"].items():
        parts = [s["rels"][rid] for s in (before_keep, before_drop) if rid in s["rels"]]
        for name in ("bookings", "visits", "no_shows", "spend_minor"):
            assert getattr(rel, name) == sum(getattr(p, name) for p in parts), name
        assert rel.is_vip == any(p.is_vip for p in parts)
        assert (rel.blocked_at is not None) == any(p.blocked_at is not None for p in parts)
        assert set(rel.tags) == {t for p in parts for t in p.tags}
        assert len(rel.tags) == len(set(rel.tags))
        assert set(rel.allergies) == {a for p in parts for a in p.allergies}
        visits = [p.last_visit_at for p in parts if p.last_visit_at is not None]
        assert rel.last_visit_at == (max(visits) if visits else None)
    # consents: the earliest grant stands, any withdrawal wins
    assert set(after["consents"]) == set(before_keep["consents"]) | set(before_drop["consents"])
    for scope, consent in after["consents"].items():
        parts = [s["consents"][scope] for s in (before_keep, before_drop) if scope in s["consents"]]
        assert consent.granted_at == min(p.granted_at for p in parts)
        assert (consent.withdrawn_at is not None) == any(p.withdrawn_at for p in parts)
    # the global counters moved to the survivor
    for name in ("total_reservations", "completed_reservations", "total_spend_minor"):
        assert getattr(after["guest"], name) == getattr(before_keep["guest"], name) + getattr(
            before_drop["guest"], name
        )
        assert getattr(gone["guest"], name) == 0
    async with db.sessions() as session:
        trail = list(
            await session.scalars(select(GuestAudit).where(GuestAudit.guest_id.in_([keep, drop])))
        )
    assert sorted(a.action for a in trail) == ["merged_in", "merged_into"]
    assert trail[0].details["moved"]["reservations"] == result.moved["reservations"]

    # a second merge, either way round, changes nothing
    for survivor_id, duplicate_id in ((keep, drop), (drop, keep)):
        async with db.sessions() as session:
            with pytest.raises(ConflictError):
                await merge_guests(
                    session,
                    survivor_id=survivor_id,
                    duplicate_id=duplicate_id,
                    restaurant_id=restaurants[0],
                    staff_id=None,
                    now=datetime.now(UTC),
                )
    assert (await _state(db, keep))["reservations"] == after["reservations"]
