"""Restaurant groups (admins): create, rename, choose whether profiles are shared, and
which group a restaurant belongs to."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Restaurant, RestaurantGroup
from models.schemas.restaurant_groups import GroupIn, GroupOut, GroupPatch
from services.errors import InvalidError, NotFoundError


async def _members(
    session: AsyncSession, group_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    members: dict[uuid.UUID, list[uuid.UUID]] = {g: [] for g in group_ids}
    if group_ids:
        rows = await session.execute(
            select(Restaurant.group_id, Restaurant.id)
            .where(Restaurant.group_id.in_(group_ids))
            .order_by(Restaurant.name, Restaurant.id)
        )
        for group_id, restaurant_id in rows:
            assert group_id is not None
            members[group_id].append(restaurant_id)
    return members


def _out(group: RestaurantGroup, restaurant_ids: list[uuid.UUID]) -> GroupOut:
    return GroupOut(
        id=group.id,
        name=group.name,
        shares_guest_profiles=group.shares_guest_profiles,
        restaurant_ids=restaurant_ids,
    )


async def _group(session: AsyncSession, group_id: uuid.UUID) -> RestaurantGroup:
    group = await session.get(RestaurantGroup, group_id)
    if group is None:
        raise NotFoundError(f"restaurant group {group_id} not found")
    return group


async def create_group(session: AsyncSession, *, data: GroupIn) -> GroupOut:
    """A new, empty group."""
    group = RestaurantGroup(
        id=uuid.uuid4(), name=data.name, shares_guest_profiles=data.shares_guest_profiles
    )
    session.add(group)
    await session.flush()
    return _out(group, [])


async def update_group(session: AsyncSession, *, group_id: uuid.UUID, data: GroupPatch) -> GroupOut:
    """Rename the group or change whether its restaurants share guest profiles."""
    group = await _group(session, group_id)
    if data.name is not None:
        group.name = data.name
    if data.shares_guest_profiles is not None:
        group.shares_guest_profiles = data.shares_guest_profiles
    await session.flush()
    return _out(group, (await _members(session, [group.id]))[group.id])


async def list_groups(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[GroupOut], int]:
    """One page of groups by name, each with its restaurants, and the total count."""
    total = await session.scalar(select(func.count()).select_from(RestaurantGroup))
    groups = list(
        await session.scalars(
            select(RestaurantGroup)
            .order_by(RestaurantGroup.name, RestaurantGroup.id)
            .limit(limit)
            .offset(offset)
        )
    )
    members = await _members(session, [g.id for g in groups])
    return [_out(g, members[g.id]) for g in groups], int(total or 0)


async def set_restaurant_group(
    session: AsyncSession, *, restaurant_id: uuid.UUID, group_id: uuid.UUID | None
) -> GroupOut | None:
    """Put the restaurant in `group_id` (or in no group); the group as it now stands."""
    restaurant = await session.get(Restaurant, restaurant_id)
    if restaurant is None:
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    if group_id is None:
        restaurant.group_id = None
        await session.flush()
        return None
    group = await session.get(RestaurantGroup, group_id)
    if group is None:
        raise InvalidError(f"restaurant group {group_id} does not exist", field="group_id")
    restaurant.group_id = group.id
    await session.flush()
    return _out(group, (await _members(session, [group.id]))[group.id])
