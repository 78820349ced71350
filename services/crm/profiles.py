"""A guest's profile as one restaurant's staff see it: identity, that restaurant's
relationship, what the rest of a profile-sharing group knows, notes, and history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Guest, GuestRelationship, Reservation, Restaurant
from models.schemas.guests import (
    GuestProfileOut,
    GuestStats,
    HistoryItemOut,
    RelationshipOut,
)
from services.crm.notes import visible_notes
from services.crm.visibility import guest_is_known, sharing_circle
from services.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class Viewpoint:
    """A guest seen from one restaurant, with the restaurants whose knowledge it may read."""

    guest: Guest
    restaurant_id: uuid.UUID
    circle: frozenset[uuid.UUID]


async def viewpoint(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID
) -> Viewpoint:
    """The guest as `restaurant_id` may see them, or NotFoundError.

    Unknown, merged-away and never-met guests all answer the same 404: anything else
    would tell staff that a guest exists elsewhere on the platform.
    """
    circle = await sharing_circle(session, restaurant_id)
    guest = await session.get(Guest, guest_id)
    if (
        guest is None
        or guest.merged_into_id is not None
        or not await guest_is_known(session, guest_id=guest_id, circle=circle)
    ):
        raise NotFoundError(f"guest {guest_id} not found")
    return Viewpoint(guest=guest, restaurant_id=restaurant_id, circle=circle)


def stats_of(relationship: GuestRelationship) -> GuestStats:
    """The relationship's counters, with the average party size they imply."""
    return GuestStats(
        bookings=relationship.bookings,
        visits=relationship.visits,
        covers=relationship.covers,
        no_shows=relationship.no_shows,
        cancellations=relationship.cancellations,
        late_cancellations=relationship.late_cancellations,
        first_visit_at=relationship.first_visit_at,
        last_visit_at=relationship.last_visit_at,
        average_party_size=(
            round(relationship.covers / relationship.visits, 2) if relationship.visits else None
        ),
        spend_minor=relationship.spend_minor,
    )


def relationship_out(relationship: GuestRelationship, restaurant_name: str) -> RelationshipOut:
    return RelationshipOut(
        restaurant_id=relationship.restaurant_id,
        restaurant_name=restaurant_name,
        is_vip=relationship.is_vip,
        blocked=relationship.blocked_at is not None,
        blocked_at=relationship.blocked_at,
        blocked_reason=relationship.blocked_reason,
        tags=list(relationship.tags),
        preferred_areas=list(relationship.preferred_areas),
        dietary_restrictions=list(relationship.dietary_restrictions),
        allergies=list(relationship.allergies),
        stats=stats_of(relationship),
    )


async def get_profile(session: AsyncSession, *, view: Viewpoint) -> GuestProfileOut:
    """The profile as the viewpoint's restaurant sees it."""
    rows = await session.execute(
        select(GuestRelationship, Restaurant.name)
        .join(Restaurant, Restaurant.id == GuestRelationship.restaurant_id)
        .where(GuestRelationship.guest_id == view.guest.id)
        .where(GuestRelationship.restaurant_id.in_(view.circle))
        .order_by(Restaurant.name, Restaurant.id)
    )
    own: RelationshipOut | None = None
    shared: list[RelationshipOut] = []
    for relationship, name in rows:
        out = relationship_out(relationship, name)
        if relationship.restaurant_id == view.restaurant_id:
            own = out
        else:
            shared.append(out)
    guest = view.guest
    return GuestProfileOut(
        id=guest.id,
        first_name=guest.first_name,
        last_name=guest.last_name,
        email=guest.email,
        phone=guest.phone,
        preferred_language=guest.preferred_language,
        erased=guest.erased_at is not None,
        restaurant_id=view.restaurant_id,
        relationship=own,
        shared=shared,
        notes=await visible_notes(
            session, guest_id=guest.id, restaurant_id=view.restaurant_id, circle=view.circle
        ),
    )


async def history(
    session: AsyncSession, *, view: Viewpoint, limit: int, offset: int
) -> tuple[list[HistoryItemOut], int]:
    """The guest's reservations at the circle's restaurants, newest first, and the count."""
    where = (Reservation.guest_id == view.guest.id, Reservation.restaurant_id.in_(view.circle))
    total = await session.scalar(select(func.count()).select_from(Reservation).where(*where))
    rows = await session.execute(
        select(Reservation, Restaurant.name)
        .join(Restaurant, Restaurant.id == Reservation.restaurant_id)
        .where(*where)
        .order_by(Reservation.starts_at.desc(), Reservation.id.desc())
        .limit(limit)
        .offset(offset)
    )
    items = [
        HistoryItemOut(
            id=r.id,
            reference=r.reference,
            restaurant_id=r.restaurant_id,
            restaurant_name=name,
            date=r.reservation_date,
            time=r.reservation_time,
            starts_at=r.starts_at,
            party_size=r.party_size,
            status=r.status,
            source=r.source,
            occasion=r.occasion,
            spend_minor=r.spend_minor,
        )
        for r, name in rows
    ]
    return items, int(total or 0)
