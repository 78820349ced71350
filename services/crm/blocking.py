"""Guests a restaurant has blocked: their online bookings are refused, staff's are not.

The refusal the guest sees never says why; the reason (`guest_blocked`) goes into the
guest's audit trail, which only the restaurant's staff read.
"""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationSource
from models.orm import GuestAudit, GuestRelationship

# bookings staff make (by phone, at the desk, for a walk-in) go through for a blocked guest
STAFF_CHANNELS = frozenset(
    {ReservationSource.STAFF, ReservationSource.PHONE, ReservationSource.WALK_IN}
)
REFUSED_ONLINE = "online_booking_refused"
GUEST_BLOCKED = "guest_blocked"


def is_guest_channel(channel: ReservationSource | str) -> bool:
    """True for the channels a guest books through themselves (web, partners, waitlist)."""
    return ReservationSource(channel) not in STAFF_CHANNELS


async def is_blocked(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID
) -> bool:
    """True when this restaurant (itself, not its group) has blocked the guest."""
    blocked_at = await session.scalar(
        select(GuestRelationship.blocked_at)
        .where(GuestRelationship.guest_id == guest_id)
        .where(GuestRelationship.restaurant_id == restaurant_id)
    )
    return blocked_at is not None


async def refuse_if_blocked(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    channel: ReservationSource | str,
    requested: dict[str, Any],
) -> bool:
    """Record a refused online booking of a blocked guest; True when it must be refused.

    `requested` is the slot asked for (date, time, party size, ...): kept in the audit
    row for staff. Staff channels are never refused.
    """
    if not is_guest_channel(channel):
        return False
    if not await is_blocked(session, guest_id=guest_id, restaurant_id=restaurant_id):
        return False
    session.add(
        GuestAudit(
            guest_id=guest_id,
            restaurant_id=restaurant_id,
            action=REFUSED_ONLINE,
            details={
                "reason": GUEST_BLOCKED,
                "channel": str(ReservationSource(channel)),
                "requested": {k: _plain(v) for k, v in requested.items()},
            },
        )
    )
    await session.flush()
    return True


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | time) else value
