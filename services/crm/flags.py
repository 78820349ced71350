"""What a restaurant records about a guest on its relationship row: VIP, block, tags and
preferences. VIP and block changes leave a trail in the guest audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import GuestAudit, GuestRelationship
from models.schemas.guests import PreferencesIn
from services.crm.visibility import ensure_relationship


async def _relationship(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID
) -> GuestRelationship:
    # callers pass a guest the circle already knows (services.crm.profiles.viewpoint)
    return await ensure_relationship(session, guest_id=guest_id, restaurant_id=restaurant_id)


def _audit(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    staff_id: uuid.UUID,
    action: str,
    details: dict[str, Any],
    now: datetime,
) -> None:
    # no free text in the trail: it outlives the guest's erasure
    session.add(
        GuestAudit(
            id=uuid.uuid4(),
            guest_id=guest_id,
            restaurant_id=restaurant_id,
            staff_id=staff_id,
            action=action,
            details=details,
            created_at=now,
        )
    )


async def set_vip(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    staff_id: uuid.UUID,
    is_vip: bool,
    now: datetime,
) -> None:
    """Mark the guest a VIP of the restaurant, or not; audited when it changes."""
    relationship = await _relationship(session, guest_id=guest_id, restaurant_id=restaurant_id)
    if relationship.is_vip != is_vip:
        relationship.is_vip = is_vip
        _audit(
            session,
            guest_id=guest_id,
            restaurant_id=restaurant_id,
            staff_id=staff_id,
            action="vip_set" if is_vip else "vip_removed",
            details={"is_vip": is_vip},
            now=now,
        )
    await session.flush()


async def block(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    staff_id: uuid.UUID,
    reason: str,
    now: datetime,
) -> None:
    """Refuse the guest's online bookings at the restaurant from now on (staff still can)."""
    relationship = await _relationship(session, guest_id=guest_id, restaurant_id=restaurant_id)
    was_blocked = relationship.blocked_at is not None
    if not was_blocked:
        relationship.blocked_at = now
    relationship.blocked_reason = reason
    relationship.blocked_by = staff_id
    _audit(
        session,
        guest_id=guest_id,
        restaurant_id=restaurant_id,
        staff_id=staff_id,
        action="block_reason_changed" if was_blocked else "blocked",
        details={},
        now=now,
    )
    await session.flush()


async def unblock(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    staff_id: uuid.UUID,
    now: datetime,
) -> None:
    """Let the guest book online again; audited when they were blocked."""
    relationship = await _relationship(session, guest_id=guest_id, restaurant_id=restaurant_id)
    if relationship.blocked_at is not None:
        relationship.blocked_at = None
        relationship.blocked_reason = None
        relationship.blocked_by = None
        _audit(
            session,
            guest_id=guest_id,
            restaurant_id=restaurant_id,
            staff_id=staff_id,
            action="unblocked",
            details={},
            now=now,
        )
    await session.flush()


async def set_tags(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID, tags: list[str]
) -> None:
    """Replace the restaurant's tags for the guest (already normalised by the schema)."""
    relationship = await _relationship(session, guest_id=guest_id, restaurant_id=restaurant_id)
    relationship.tags = list(tags)
    await session.flush()


async def set_preferences(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID, data: PreferencesIn
) -> None:
    """Replace the restaurant's record of preferred areas, dietary restrictions, allergies."""
    relationship = await _relationship(session, guest_id=guest_id, restaurant_id=restaurant_id)
    relationship.preferred_areas = list(data.preferred_areas)
    relationship.dietary_restrictions = list(data.dietary_restrictions)
    relationship.allergies = list(data.allergies)
    await session.flush()
