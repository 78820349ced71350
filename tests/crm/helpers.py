"""Restaurants, groups and guests written straight to the database for CRM tests.

Relationship statistics are written directly (the reservation lifecycle keeps them
in production), so a segment test states exactly who visited when.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from models.enums import ConsentSource
from models.orm import Guest, GuestRelationship, Restaurant, RestaurantGroup
from services.crm import consent
from services.crm.consent import Scope
from services.guests import search_name_of
from tests.conftest import Database

NOW = datetime.now(UTC)


async def a_group(db: Database, *, shares: bool = True) -> uuid.UUID:
    async with db.sessions() as session:
        group = RestaurantGroup(name=f"Group {uuid.uuid4().hex[:6]}", shares_guest_profiles=shares)
        session.add(group)
        await session.commit()
        return group.id


async def a_restaurant(db: Database, *, group_id: uuid.UUID | None = None) -> uuid.UUID:
    async with db.sessions() as session:
        tag = uuid.uuid4().hex[:8]
        restaurant = Restaurant(
            name=f"Bistro {tag}",
            slug=f"bistro-{tag}",
            timezone="Europe/Amsterdam",
            currency="EUR",
            group_id=group_id,
        )
        session.add(restaurant)
        await session.commit()
        return restaurant.id


async def a_guest(
    db: Database,
    *,
    at: uuid.UUID | None,
    first_name: str = "Ann",
    last_name: str = "Smit",
    email: str | None = None,
    visits: int = 1,
    days_since_visit: int | None = 10,
    vip: bool = False,
    erased: bool = False,
) -> uuid.UUID:
    """A guest, known to restaurant `at` with these statistics (None: unknown to any)."""
    async with db.sessions() as session:
        guest = Guest(
            email=email or f"{first_name.lower()}-{uuid.uuid4().hex[:8]}@example.com",
            first_name=first_name,
            last_name=last_name,
            search_name=search_name_of(first_name, last_name),
            erased_at=NOW if erased else None,
        )
        session.add(guest)
        await session.flush()
        if at is not None:
            last = NOW - timedelta(days=days_since_visit) if days_since_visit is not None else None
            session.add(
                GuestRelationship(
                    guest_id=guest.id,
                    restaurant_id=at,
                    is_vip=vip,
                    tags=[],
                    preferred_areas=[],
                    dietary_restrictions=[],
                    allergies=[],
                    visits=visits,
                    last_visit_at=last,
                    first_visit_at=last,
                )
            )
        await session.commit()
        return guest.id


async def consents(db: Database, guest_id: uuid.UUID, scope: Scope) -> None:
    async with db.sessions() as session:
        await consent.grant(
            session,
            guest_id=guest_id,
            scope=scope,
            source=ConsentSource.IMPORT,
            wording_version="v1",
            now=NOW,
        )
        await session.commit()


async def withdraws(db: Database, guest_id: uuid.UUID, scope: Scope) -> None:
    async with db.sessions() as session:
        await consent.withdraw(session, guest_id=guest_id, scope=scope, via="link", now=NOW)
        await session.commit()
