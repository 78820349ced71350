"""Which restaurants' knowledge of a guest a restaurant's staff may see.

A restaurant sees what it recorded itself. It also sees what the other restaurants
of its group recorded, but only when the group shares guest profiles. Staff never
learn that a guest exists unless a restaurant in that circle has a relationship
with them (a booking, a waitlist entry, a note).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import GuestRelationship, Restaurant, RestaurantGroup
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


async def add_relationship_if_missing(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID
) -> None:
    """Create the relationship row on first contact (INSERT ... ON CONFLICT DO NOTHING),
    for callers that then update it by key and need not read it."""
    await session.execute(
        upsert_insert(session)(GuestRelationship)
        .values(
            id=uuid.uuid4(),
            guest_id=guest_id,
            restaurant_id=restaurant_id,
            is_vip=False,
            tags=[],
            preferred_areas=[],
            dietary_restrictions=[],
            allergies=[],
            bookings=0,
            visits=0,
            covers=0,
            no_shows=0,
            cancellations=0,
            late_cancellations=0,
            spend_minor=0,
        )
        .on_conflict_do_nothing(
            index_elements=[GuestRelationship.guest_id, GuestRelationship.restaurant_id]
        )
    )
