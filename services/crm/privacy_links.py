"""Signed, single-use links a guest receives to export or erase their own data.

The link carries a random token; only its SHA-256 is stored (a DataExportRequest
row), salted with the link's purpose, so an erasure link can never be used as an
export link or the other way round, and a database dump cannot be turned back
into working links.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import DataExportRequest
from services.errors import NotFoundError, ServiceError

Purpose = Literal["export", "erasure"]


class LinkGone(ServiceError):
    """The link was used already or has expired (answered 410)."""


def token_hash(purpose: Purpose, token: str) -> str:
    """What is stored of a link's token: its hash, bound to the link's purpose."""
    return hashlib.sha256(f"{purpose}:{token}".encode()).hexdigest()


async def issue_link(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    purpose: Purpose,
    now: datetime,
    valid_for: timedelta,
) -> str:
    """Create a link for the guest; the token (to put in the URL), never stored itself."""
    token = secrets.token_urlsafe(32)
    session.add(
        DataExportRequest(
            guest_id=guest_id,
            token_hash=token_hash(purpose, token),
            requested_at=now,
            expires_at=now + valid_for,
        )
    )
    await session.flush()
    return token


async def _usable(
    session: AsyncSession, *, purpose: Purpose, token: str, now: datetime
) -> DataExportRequest:
    hashed = token_hash(purpose, token[:200])
    row = await session.scalar(
        select(DataExportRequest).where(DataExportRequest.token_hash == hashed)
    )
    if row is None:
        raise NotFoundError("no such link", field="token")
    if row.used_at is not None:
        raise LinkGone("this link has already been used; ask for a new one", field="token")
    if row.expires_at <= now:
        raise LinkGone("this link has expired; ask for a new one", field="token")
    return row


async def usable_link(
    session: AsyncSession, *, purpose: Purpose, token: str, now: datetime
) -> uuid.UUID:
    """The guest an unused, unexpired link belongs to, without spending it (NotFound or
    LinkGone as `use_link`): for work that must start before the link counts as used."""
    return (await _usable(session, purpose=purpose, token=token, now=now)).guest_id


async def use_link(
    session: AsyncSession, *, purpose: Purpose, token: str, now: datetime
) -> uuid.UUID:
    """Spend the link once; the guest it belongs to.

    Unknown tokens are NotFound; used or expired ones are LinkGone. The spend is a
    conditional UPDATE, so two simultaneous clicks cannot both succeed.
    """
    row = await _usable(session, purpose=purpose, token=token, now=now)
    spent = await session.execute(
        update(DataExportRequest)
        .where(DataExportRequest.id == row.id)
        .where(DataExportRequest.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkGone("this link has already been used; ask for a new one", field="token")
    return row.guest_id
