"""Partner API keys: a prefix to find one, an argon2 hash, scopes, a channel and restaurants."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationSource
from models.orm import PartnerApiKey, PartnerKeyRestaurant, Restaurant
from services.errors import InvalidError, NotFoundError
from services.staff import hash_secret, verify_secret


class Scope(StrEnum):
    """What a partner key may do."""

    AVAILABILITY_READ = "availability:read"
    BOOKINGS_WRITE = "bookings:write"
    WEBHOOKS_MANAGE = "webhooks:manage"


# channels a key may book as (its reservations' `source`)
PARTNER_CHANNELS = frozenset(
    {
        ReservationSource.PARTNER,
        ReservationSource.GOOGLE,
        ReservationSource.THEFORK,
        ReservationSource.POS,
    }
)


async def create_partner_key(
    session: AsyncSession,
    *,
    name: str,
    restaurant_ids: list[uuid.UUID],
    scopes: list[Scope],
    channel: ReservationSource,
    created_by: uuid.UUID | None,
) -> tuple[PartnerApiKey, str]:
    """Create a key; returns the row and the clear key, which is shown only this once."""
    if channel not in PARTNER_CHANNELS:
        raise InvalidError(f"{channel.value} is not a partner channel", field="channel")
    wanted = list(dict.fromkeys(restaurant_ids))
    if wanted:
        found = set(await session.scalars(select(Restaurant.id).where(Restaurant.id.in_(wanted))))
        if missing := set(wanted) - found:
            raise InvalidError(
                f"unknown restaurants: {sorted(map(str, missing))}", field="restaurant_ids"
            )
    prefix = secrets.token_hex(6)
    clear = f"rk_{prefix}_{secrets.token_urlsafe(32)}"
    key = PartnerApiKey(
        name=name,
        key_prefix=prefix,
        key_hash=hash_secret(clear),
        restaurant_id=wanted[0] if len(wanted) == 1 else None,
        created_by=created_by,
        scopes=sorted({s.value for s in scopes}),
        channel=channel.value,
    )
    key.restaurants = [PartnerKeyRestaurant(restaurant_id=r) for r in wanted]
    session.add(key)
    await session.flush()
    return key, clear


async def list_partner_keys(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[PartnerApiKey], int]:
    """One page of partner keys, newest first."""
    total = await session.scalar(select(func.count()).select_from(PartnerApiKey))
    rows = await session.scalars(
        select(PartnerApiKey)
        .order_by(PartnerApiKey.created_at.desc(), PartnerApiKey.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def revoke_partner_key(
    session: AsyncSession, *, key_id: uuid.UUID, now: datetime
) -> PartnerApiKey:
    """Revoke a key (idempotent: revoking twice keeps the first time)."""
    key = await session.get(PartnerApiKey, key_id)
    if key is None:
        raise NotFoundError(f"partner key {key_id} not found")
    if key.revoked_at is None:
        key.revoked_at = now
    await session.flush()
    return key


async def partner_for_key(
    session: AsyncSession, *, clear_key: str, now: datetime | None = None
) -> PartnerApiKey | None:
    """The live partner key matching `clear_key`, or None."""
    parts = clear_key.split("_", 2)
    if len(parts) != 3 or parts[0] != "rk" or len(parts[1]) > 16:
        return None
    key = await session.scalar(select(PartnerApiKey).where(PartnerApiKey.key_prefix == parts[1]))
    if key is None or key.revoked_at is not None or not verify_secret(key.key_hash, clear_key):
        return None
    key.last_used_at = now or datetime.now(UTC)
    return key


async def key_by_prefix(session: AsyncSession, *, prefix: str) -> PartnerApiKey | None:
    """The key with this prefix (revoked or not), or None."""
    return await session.scalar(select(PartnerApiKey).where(PartnerApiKey.key_prefix == prefix))
