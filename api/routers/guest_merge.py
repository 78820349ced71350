"""Staff routes for duplicate guest profiles: the candidates, and merging two into one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter

from api.auth import can_see_restaurant
from api.deps import CurrentStaff, ManagerOf, PageDep, SessionDep, require_role
from api.problems import NotFound
from models.enums import StaffRole
from models.schemas.common import Page
from models.schemas.guest_merge import (
    DuplicatePairOut,
    GuestBriefOut,
    GuestMergeIn,
    GuestMergeOut,
)
from services.crm.duplicates import candidate_pairs
from services.crm.merge import merge_guests

router = APIRouter(tags=["guests"])


@router.post(
    "/guests/{survivor_id}/merge",
    response_model=GuestMergeOut,
    summary="Merge a duplicate profile into this one (managers; audited, not undoable by API)",
)
async def merge(
    survivor_id: uuid.UUID, data: GuestMergeIn, staff: CurrentStaff, session: SessionDep
) -> GuestMergeOut:
    # another restaurant is "not found", before any role check: no existence leak
    if not can_see_restaurant(staff, data.restaurant_id):
        raise NotFound(f"restaurant {data.restaurant_id} not found", field="restaurant_id")
    require_role(staff, StaffRole.MANAGER)
    result = await merge_guests(
        session,
        survivor_id=survivor_id,
        duplicate_id=data.duplicate_id,
        restaurant_id=data.restaurant_id,
        staff_id=staff.id,
        now=datetime.now(UTC),
    )
    await session.commit()
    return GuestMergeOut(
        survivor_id=result.survivor_id,
        duplicate_id=result.duplicate_id,
        moved=result.moved,
        folded={table: len(rows) for table, rows in result.folded.items()},
    )


@router.get(
    "/restaurants/{restaurant_id}/guests/duplicates",
    response_model=Page[DuplicatePairOut],
    summary="Profiles that may be one person: same phone, or same name and email name",
)
async def duplicates(
    scope: ManagerOf, session: SessionDep, page: PageDep
) -> Page[DuplicatePairOut]:
    pairs = await candidate_pairs(session, restaurant_id=scope.restaurant_id)
    shown = pairs[page.offset : page.offset + page.limit]
    return Page(
        items=[
            DuplicatePairOut(
                first=GuestBriefOut.model_validate(p.first),
                second=GuestBriefOut.model_validate(p.second),
                reason=p.reason,
            )
            for p in shown
        ],
        total=len(pairs),
        limit=page.limit,
        offset=page.offset,
    )
