"""Restaurant groups (admins): whether a group's restaurants share guest profiles, and
which group a restaurant is in."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from api.deps import AdminStaff, PageDep, SessionDep
from models.schemas.common import Page
from models.schemas.restaurant_groups import GroupIn, GroupOut, GroupPatch, RestaurantGroupIn
from services.crm import groups

router = APIRouter(tags=["restaurant groups"])


@router.post(
    "/restaurant-groups",
    response_model=GroupOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a restaurant group",
)
async def create_group(data: GroupIn, staff: AdminStaff, session: SessionDep) -> GroupOut:
    group = await groups.create_group(session, data=data)
    await session.commit()
    return group


@router.get("/restaurant-groups", response_model=Page[GroupOut], summary="Restaurant groups")
async def list_groups(staff: AdminStaff, session: SessionDep, page: PageDep) -> Page[GroupOut]:
    items, total = await groups.list_groups(session, limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.patch(
    "/restaurant-groups/{group_id}",
    response_model=GroupOut,
    summary="Rename a group or change whether it shares guest profiles",
)
async def update_group(
    group_id: uuid.UUID, data: GroupPatch, staff: AdminStaff, session: SessionDep
) -> GroupOut:
    group = await groups.update_group(session, group_id=group_id, data=data)
    await session.commit()
    return group


@router.put(
    "/restaurants/{restaurant_id}/group",
    response_model=GroupOut | None,
    summary="Put the restaurant in a group (null: in none); answers the group",
)
async def set_restaurant_group(
    restaurant_id: uuid.UUID, data: RestaurantGroupIn, staff: AdminStaff, session: SessionDep
) -> GroupOut | None:
    group = await groups.set_restaurant_group(
        session, restaurant_id=restaurant_id, group_id=data.group_id
    )
    await session.commit()
    return group
