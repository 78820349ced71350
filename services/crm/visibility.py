"""Which restaurants' knowledge of a guest a restaurant's staff may see.

A restaurant sees what it recorded itself. It also sees what the other restaurants
of its group recorded, but only when the group shares guest profiles. Staff never
learn that a guest exists unless a restaurant in that circle has a relationship
with them (a booking, a waitlist entry, a note).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import GuestRelationship, Restaurant, RestaurantGroup
from models.orm.base import utcnow
from reservations.db import upsert_insert


async def sharing_circle(session: AsyncSession, restaurant_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """The restaurants whose guest knowledge `restaurant_id`'s staff may read (itself first)."""
    row = (
        await session.execute(
            select(Restaurant.group_id, RestaurantGroup.shares_guest_profiles)
            .outerjoin(RestaurantGroup, RestaurantGroup.id == Restaurant.group_id)
            .where(Restaurant.id == restaurant_id)
        )
    ).first()
    if row is None or row.group_id is None or not row.shares_guest_profiles:
        return frozenset({restaurant_id})
    siblings = await session.scalars(
        select(Restaurant.id).where(Restaurant.group_id == row.group_id)
    )
    return frozenset({restaurant_id, *siblings})


async def guest_is_known(
    session: AsyncSession, *, guest_id: uuid.UUID, circle: frozenset[uuid.UUID]
) -> bool:
    """True when a restaurant of `circle` has a relationship with the guest."""
    found = await session.scalar(
        select(GuestRelationship.id)
        .where(GuestRelationship.guest_id == guest_id)
        .where(GuestRelationship.restaurant_id.in_(circle))
        .limit(1)
    )
    return found is not None


async def ensure_relationship(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID
) -> GuestRelationship:
    """The restaurant's relationship row with the guest, created on first contact.

    Race-safe: INSERT ... ON CONFLICT DO NOTHING, then read.
    """
    await add_relationship_if_missing(session, guest_id=guest_id, restaurant_id=restaurant_id)
    relationship = await session.scalar(
        select(GuestRelationship)
        .where(GuestRelationship.guest_id == guest_id)
        .where(GuestRelationship.restaurant_id == restaurant_id)
    )
    assert relationship is not None
    return relationship


_COUNTERS = ("bookings", "visits", "covers", "no_shows", "cancellations", "late_cancellations")


async def add_relationship_if_missing(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    counts: Mapping[str, int] | None = None,
) -> None:
    """Create the relationship row on first contact (INSERT ... ON CONFLICT), for callers
    that then update it by key and need not read it.

    ``counts`` (counter name → amount) are added in the same statement: a new row
    starts at them, an existing one has them added atomically.
    """
    added = dict(counts or {})
    insert = upsert_insert(session)(GuestRelationship).values(
        id=uuid.uuid4(),
        guest_id=guest_id,
        restaurant_id=restaurant_id,
        is_vip=False,
        tags=[],
        preferred_areas=[],
        dietary_restrictions=[],
        allergies=[],
        spend_minor=0,
        **{name: added.get(name, 0) for name in _COUNTERS},
    )
    keys = [GuestRelationship.guest_id, GuestRelationship.restaurant_id]
    if not added:
        await session.execute(insert.on_conflict_do_nothing(index_elements=keys))
        return
    column = GuestRelationship.__table__.c
    # ON CONFLICT's update runs no Python onupdate: the timestamp is set here
    changes: dict[str, Any] = {name: column[name] + amount for name, amount in added.items()}
    changes["updated_at"] = utcnow()
    await session.execute(insert.on_conflict_do_update(index_elements=keys, set_=changes))
