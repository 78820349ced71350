"""Marketing segments of a restaurant, computed by the database.

Every segment is intersected with live consent for the restaurant or its group, and
leaves out erased and merged-away guests. The statistics come from the restaurant's
relationship rows (kept by the reservation lifecycle). One SQL shape for PostgreSQL
and SQLite, so both answer alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from models.orm import Guest, GuestRelationship
from models.schemas.marketing import Segment, SegmentCount, SegmentMember
from services.crm.consent import active_consent, scopes_of_restaurant

RECENT_DAYS = 90
LAPSED_DAYS = 180
REGULAR_VISITS = 3


def _condition(segment: Segment, now: datetime) -> ColumnElement[bool]:
    """The relationship-row condition of a segment (consent is added by the caller)."""
    r = GuestRelationship
    match segment:
        case Segment.RECENT:
            return r.last_visit_at >= now - timedelta(days=RECENT_DAYS)
        case Segment.VIP:
            return r.is_vip.is_(True)
        case Segment.REGULARS:
            return r.visits >= REGULAR_VISITS
        case Segment.LAPSED:
            return r.last_visit_at.is_not(None) & (
                r.last_visit_at < now - timedelta(days=LAPSED_DAYS)
            )
        case Segment.ALL_CONSENTING:
            return r.id.is_not(None)


async def _consenting(session: AsyncSession, restaurant_id: uuid.UUID) -> Select[Any]:
    """Relationship rows of the restaurant whose guest may be marketed to (no columns yet)."""
    scopes = await scopes_of_restaurant(session, restaurant_id=restaurant_id)
    return (
        select()
        .select_from(GuestRelationship)
        .join(Guest, Guest.id == GuestRelationship.guest_id)
        .where(GuestRelationship.restaurant_id == restaurant_id)
        .where(Guest.erased_at.is_(None))
        .where(Guest.merged_into_id.is_(None))
        .where(active_consent(Guest.id, scopes))
    )


async def segment_counts(
    session: AsyncSession, *, restaurant_id: uuid.UUID, now: datetime
) -> list[SegmentCount]:
    """How many consenting guests each segment holds, in one query."""
    base = await _consenting(session, restaurant_id)
    columns = [
        func.coalesce(func.sum(case((_condition(s, now), 1), else_=0)), 0).label(s.value)
        for s in Segment
    ]
    row = (await session.execute(base.add_columns(*columns))).one()
    return [SegmentCount(segment=s, members=int(row[i])) for i, s in enumerate(Segment)]


async def segment_members(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    segment: Segment,
    now: datetime,
    limit: int,
    offset: int,
) -> tuple[list[SegmentMember], int]:
    """One page of a segment's members (by name, then id) and the segment's size."""
    base = (await _consenting(session, restaurant_id)).where(_condition(segment, now))
    total = int(await session.scalar(base.add_columns(func.count())) or 0)
    rows = await session.execute(
        base.add_columns(Guest.id, Guest.first_name, Guest.last_name)
        .order_by(Guest.search_name, Guest.id)
        .limit(limit)
        .offset(offset)
    )
    members = [
        SegmentMember(guest_id=gid, name=" ".join(p for p in (first, last) if p))
        for gid, first, last in rows
    ]
    return members, total


async def segment_guest_ids(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    segment: Segment,
    now: datetime,
    after: uuid.UUID | None = None,
    limit: int | None = None,
) -> list[uuid.UUID]:
    """Members' guest ids in id order, after `after` (what the sync is given: no contact data)."""
    base = (await _consenting(session, restaurant_id)).where(_condition(segment, now))
    if after is not None:
        base = base.where(Guest.id > after)
    query = base.add_columns(Guest.id).order_by(Guest.id)
    if limit is not None:
        query = query.limit(limit)
    return list(await session.scalars(query))
