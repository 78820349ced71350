"""Rows the CRM tests need without going through routes other engineers own."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Restaurant


async def bare_restaurant(session: AsyncSession, *, group_id: uuid.UUID | None = None) -> uuid.UUID:
    """A restaurant row with only what the schema requires (no tables, no services)."""
    restaurant = Restaurant(
        name=f"Bistro {uuid.uuid4().hex[:6]}",
        slug=f"bistro-{uuid.uuid4().hex[:10]}",
        timezone="Europe/Amsterdam",
        currency="EUR",
        group_id=group_id,
    )
    session.add(restaurant)
    await session.flush()
    return restaurant.id
