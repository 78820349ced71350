"""A restaurant's marketing: segment sizes and members, and the sync to MailerLite.

Managers (and admins) only: segments list guests by name.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status

from api.deps import ManagerOf, PageDep, SessionDep, SettingsDep
from api.marketing_sync import start_sync, sync_status
from api.temporal import TemporalDep
from models.schemas.common import Page
from models.schemas.marketing import Segment, SegmentCounts, SegmentMember, SyncRequest, SyncStatus
from services.crm import segments as svc
from services.restaurants import get_restaurant

router = APIRouter(prefix="/restaurants/{restaurant_id}", tags=["marketing"])


@router.get(
    "/segments",
    response_model=SegmentCounts,
    summary="How many consenting guests each marketing segment holds",
)
async def segment_counts(scope: ManagerOf, session: SessionDep) -> SegmentCounts:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    counts = await svc.segment_counts(
        session, restaurant_id=scope.restaurant_id, now=datetime.now(UTC)
    )
    return SegmentCounts(restaurant_id=scope.restaurant_id, segments=counts)


@router.get(
    "/segments/{segment}",
    response_model=Page[SegmentMember],
    summary="The consenting guests of one segment, by name",
)
async def segment_members(
    segment: Segment, scope: ManagerOf, session: SessionDep, page: PageDep
) -> Page[SegmentMember]:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    members, total = await svc.segment_members(
        session,
        restaurant_id=scope.restaurant_id,
        segment=segment,
        now=datetime.now(UTC),
        limit=page.limit,
        offset=page.offset,
    )
    return Page(items=members, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/marketing/sync",
    response_model=SyncStatus,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Sync a segment's consenting guests to MailerLite (joins a sync already running)",
)
async def start_marketing_sync(
    data: SyncRequest,
    scope: ManagerOf,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> SyncStatus:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    workflow_id = await start_sync(
        temporal, settings, restaurant_id=scope.restaurant_id, segment=data.segment
    )
    return SyncStatus(workflow_id=workflow_id, segment=data.segment, status="running")


@router.get(
    "/marketing/sync/{segment}",
    response_model=SyncStatus,
    summary="The latest sync of a segment: running, completed with counts, or failed",
)
async def marketing_sync_status(
    segment: Segment, scope: ManagerOf, session: SessionDep, temporal: TemporalDep
) -> SyncStatus:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    return await sync_status(temporal, restaurant_id=scope.restaurant_id, segment=segment)
