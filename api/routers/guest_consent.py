"""A guest's marketing consents, as a restaurant's staff see and record them.

Hosts read; managers (and admins) record consent given in person or imported, or a
withdrawal. A guest unknown to the restaurant's sharing circle, or a restaurant the
caller does not work for, is a 404: staff never learn who else's guest someone is.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import can_see_restaurant
from api.deps import CurrentStaff, SessionDep, SettingsDep, require_role
from api.marketing_sync import propagate_withdrawal
from api.problems import NotFound
from api.temporal import TemporalDep
from models.enums import ConsentSource, StaffRole
from models.orm import StaffUser
from models.schemas.consent import ConsentChange, ConsentOut
from services.crm import consent as svc
from services.crm.profiles import viewpoint

router = APIRouter(prefix="/guests/{guest_id}/consents", tags=["guest consent"])


async def _check_guest_visible(
    session: SessionDep, staff: StaffUser, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID
) -> None:
    if not can_see_restaurant(staff, restaurant_id):
        raise NotFound(f"guest {guest_id} not found")
    # the profile's own rule: unknown, never-met and merged-away guests are all a 404
    await viewpoint(session, guest_id=guest_id, restaurant_id=restaurant_id)


@router.get(
    "",
    response_model=list[ConsentOut],
    summary="The guest's marketing consents for this restaurant and its group",
)
async def list_consents(
    guest_id: uuid.UUID,
    restaurant_id: Annotated[uuid.UUID, Query(description="the restaurant the staff act for")],
    staff: CurrentStaff,
    session: SessionDep,
) -> list[ConsentOut]:
    await _check_guest_visible(session, staff, guest_id=guest_id, restaurant_id=restaurant_id)
    rows = await svc.consents_seen_from(session, guest_id=guest_id, restaurant_id=restaurant_id)
    return [ConsentOut.model_validate(c) for c in rows]


@router.put(
    "",
    response_model=list[ConsentOut],
    summary="Record consent given in person (or imported), or its withdrawal (managers)",
)
async def change_consent(
    guest_id: uuid.UUID,
    data: ConsentChange,
    staff: CurrentStaff,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> list[ConsentOut]:
    await _check_guest_visible(session, staff, guest_id=guest_id, restaurant_id=data.restaurant_id)
    require_role(staff, StaffRole.MANAGER)
    scope = await svc.scope_for_staff(session, restaurant_id=data.restaurant_id, kind=data.scope)
    now = datetime.now(UTC)
    withdrawn = False
    if data.granted:
        assert data.wording_version is not None  # the schema requires it with a grant
        await svc.grant(
            session,
            guest_id=guest_id,
            scope=scope,
            source=ConsentSource(data.source),
            wording_version=data.wording_version,
            now=now,
            staff_id=staff.id,
            restaurant_id=data.restaurant_id,
        )
    else:
        withdrawn = await svc.withdraw(
            session,
            guest_id=guest_id,
            scope=scope,
            via="staff",
            now=now,
            staff_id=staff.id,
            restaurant_id=data.restaurant_id,
        )
    affected = await svc.restaurants_in_scope(session, scope=scope)
    await session.commit()
    if withdrawn:
        await propagate_withdrawal(temporal, settings, restaurant_ids=affected)
    rows = await svc.consents_seen_from(
        session, guest_id=guest_id, restaurant_id=data.restaurant_id
    )
    return [ConsentOut.model_validate(c) for c in rows]
