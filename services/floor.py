"""Tables, seating areas and floor plans of one restaurant."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus
from models.orm import FloorPlan, Reservation, RestaurantTable, SeatingArea, TableAllocation
from models.schemas.floor import (
    COMBINED_BELOW_ALONE,
    FloorPlanIn,
    SeatingAreaIn,
    TableCreate,
    TableUpdate,
)
from services.errors import ConflictError, InvalidError, NotFoundError
from services.pages import page_of


async def list_tables(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    limit: int,
    offset: int,
    include_inactive: bool = True,
) -> tuple[list[RestaurantTable], int]:
    """One page of the restaurant's tables ordered by number, and the total."""
    query = select(RestaurantTable).where(RestaurantTable.restaurant_id == restaurant_id)
    if not include_inactive:
        query = query.where(RestaurantTable.is_active.is_(True))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(func.length(RestaurantTable.number), RestaurantTable.number)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def get_table(
    session: AsyncSession, *, restaurant_id: uuid.UUID, table_id: uuid.UUID
) -> RestaurantTable:
    """One table of this restaurant, or NotFoundError."""
    table = await session.get(RestaurantTable, table_id)
    if table is None or table.restaurant_id != restaurant_id:
        raise NotFoundError(f"table {table_id} not found")
    return table


async def _check_references(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    seating_area_id: uuid.UUID | None,
    floor_plan_id: uuid.UUID | None,
    combinable_with: Iterable[uuid.UUID],
    self_id: uuid.UUID | None,
) -> None:
    if seating_area_id is not None:
        area = await session.get(SeatingArea, seating_area_id)
        if area is None or area.restaurant_id != restaurant_id:
            raise InvalidError("no such seating area in this restaurant", field="seating_area_id")
    if floor_plan_id is not None:
        plan = await session.get(FloorPlan, floor_plan_id)
        if plan is None or plan.restaurant_id != restaurant_id:
            raise InvalidError("no such floor plan in this restaurant", field="floor_plan_id")
    wanted = set(combinable_with)
    if self_id is not None and self_id in wanted:
        raise InvalidError("a table cannot be combined with itself", field="combinable_with")
    if wanted:
        found = set(
            await session.scalars(
                select(RestaurantTable.id).where(
                    RestaurantTable.restaurant_id == restaurant_id,
                    RestaurantTable.id.in_(wanted),
                )
            )
        )
        missing = wanted - found
        if missing:
            raise InvalidError(
                f"unknown tables in combinable_with: {', '.join(sorted(map(str, missing)))}",
                field="combinable_with",
            )


async def _ensure_number_free(
    session: AsyncSession, *, restaurant_id: uuid.UUID, number: str, except_id: uuid.UUID | None
) -> None:
    query = select(RestaurantTable.id).where(
        RestaurantTable.restaurant_id == restaurant_id, RestaurantTable.number == number
    )
    if except_id is not None:
        query = query.where(RestaurantTable.id != except_id)
    if await session.scalar(query) is not None:
        raise ConflictError(f"table number {number!r} already exists here", field="number")


async def _link_combinations(
    session: AsyncSession, table: RestaurantTable, partners: Iterable[uuid.UUID]
) -> None:
    # combinations are symmetric: keep both tables' lists in step
    partner_ids = {str(p) for p in partners}
    others = await session.scalars(
        select(RestaurantTable).where(
            RestaurantTable.restaurant_id == table.restaurant_id,
            RestaurantTable.id != table.id,
        )
    )
    me = str(table.id)
    for other in others:
        has_me = me in other.combinable_with
        if str(other.id) in partner_ids and not has_me:
            other.combinable_with = [*other.combinable_with, me]
        elif str(other.id) not in partner_ids and has_me:
            other.combinable_with = [t for t in other.combinable_with if t != me]
    table.combinable_with = sorted(partner_ids)


async def create_table(
    session: AsyncSession, *, restaurant_id: uuid.UUID, data: TableCreate
) -> RestaurantTable:
    """Add a table; its number must be unique within the restaurant."""
    await _ensure_number_free(
        session, restaurant_id=restaurant_id, number=data.number, except_id=None
    )
    await _check_references(
        session,
        restaurant_id=restaurant_id,
        seating_area_id=data.seating_area_id,
        floor_plan_id=data.floor_plan_id,
        combinable_with=data.combinable_with,
        self_id=None,
    )
    fields: dict[str, Any] = data.model_dump(exclude={"combinable_with"})
    table = RestaurantTable(restaurant_id=restaurant_id, combinable_with=[], **fields)
    session.add(table)
    await session.flush()
    await _link_combinations(session, table, data.combinable_with)
    await session.flush()
    return table


async def update_table(
    session: AsyncSession, *, restaurant_id: uuid.UUID, table_id: uuid.UUID, data: TableUpdate
) -> RestaurantTable:
    """Apply the fields present in `data`, re-checking capacity bounds and references."""
    table = await get_table(session, restaurant_id=restaurant_id, table_id=table_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("number", "min_capacity", "max_capacity", "table_type", "rotation", "priority"):
        if key in changes and changes[key] is None:
            raise InvalidError(f"{key} cannot be null", field=key)
    for key in ("is_active", "online_bookable"):
        if key in changes and changes[key] is None:
            raise InvalidError(f"{key} must be true or false", field=key)
    min_capacity = changes.get("min_capacity", table.min_capacity)
    max_capacity = changes.get("max_capacity", table.max_capacity)
    if min_capacity > max_capacity:
        raise InvalidError("min_capacity must not exceed max_capacity", field="min_capacity")
    combined = changes.get("combined_max_capacity", table.combined_max_capacity)
    if combined is not None and combined < max_capacity:
        raise InvalidError(COMBINED_BELOW_ALONE, field="combined_max_capacity")
    if "number" in changes:
        await _ensure_number_free(
            session, restaurant_id=restaurant_id, number=changes["number"], except_id=table_id
        )
    if changes.get("is_active") is False and table.is_active:
        await _ensure_no_future_bookings(session, table)
    if max_capacity < table.max_capacity:
        await _ensure_future_parties_fit(session, table, max_capacity)
    partners = changes.pop("combinable_with", None)
    await _check_references(
        session,
        restaurant_id=restaurant_id,
        seating_area_id=changes.get("seating_area_id"),
        floor_plan_id=changes.get("floor_plan_id"),
        combinable_with=partners or [],
        self_id=table_id,
    )
    for key, value in changes.items():
        if key == "features" and value is None:
            value = []
        setattr(table, key, value)
    if "combinable_with" in data.model_fields_set:
        await _link_combinations(session, table, partners or [])
    await session.flush()
    return table


def _future_bookings_on(table: RestaurantTable) -> Select[str]:
    """References of the bookings still to come on the table (expired holds aside)."""
    now = datetime.now(UTC)
    return (
        select(Reservation.reference)
        .join(TableAllocation, TableAllocation.reservation_id == Reservation.id)
        .where(
            TableAllocation.table_id == table.id,
            TableAllocation.status != AllocationStatus.RELEASED,
            TableAllocation.ends_at > now,
            or_(
                TableAllocation.status != AllocationStatus.HELD,
                TableAllocation.hold_expires_at.is_(None),
                TableAllocation.hold_expires_at > now,
            ),
        )
        .order_by(TableAllocation.starts_at)
        .limit(11)
    )


def _listed(references: list[str]) -> str:
    return ", ".join(references[:10]) + (" and more" if len(references) > 10 else "")


async def _ensure_no_future_bookings(session: AsyncSession, table: RestaurantTable) -> None:
    """ConflictError naming the bookings still to come on the table: deactivating it would
    leave them seated at a table the floor no longer has (move them first)."""
    references = list(await session.scalars(_future_bookings_on(table)))
    if references:
        raise ConflictError(
            f"table {table.number} holds bookings still to come ({_listed(references)}): "
            "move them to other tables (assign-tables) or cancel them first",
            field="is_active",
            reason="table_has_bookings",
        )


async def _ensure_future_parties_fit(
    session: AsyncSession, table: RestaurantTable, max_capacity: int
) -> None:
    """ConflictError naming bookings still to come that have this table to themselves and
    a party larger than `max_capacity` (a party on combined tables is left to the host)."""
    alone = (
        select(TableAllocation.reservation_id)
        .where(TableAllocation.status != AllocationStatus.RELEASED)
        .group_by(TableAllocation.reservation_id)
        .having(func.count() == 1)
    )
    references = list(
        await session.scalars(
            _future_bookings_on(table).where(
                Reservation.party_size > max_capacity, Reservation.id.in_(alone)
            )
        )
    )
    if references:
        raise ConflictError(
            f"table {table.number} holds bookings still to come for more than {max_capacity} "
            f"({_listed(references)}): move them to other tables (assign-tables) first",
            field="max_capacity",
            reason="table_has_bookings",
        )


async def delete_table(
    session: AsyncSession, *, restaurant_id: uuid.UUID, table_id: uuid.UUID
) -> None:
    """Delete a table that has never been allocated; otherwise it must be deactivated."""
    table = await get_table(session, restaurant_id=restaurant_id, table_id=table_id)
    # any allocation, released ones too: they are the reservations' history
    used = await session.scalar(
        select(TableAllocation.id).where(TableAllocation.table_id == table_id).limit(1)
    )
    if used is not None:
        raise ConflictError(
            "this table has been booked; set is_active to false instead of deleting it",
            field="table_id",
        )
    await _link_combinations(session, table, [])
    await session.delete(table)
    await session.flush()


async def list_seating_areas(
    session: AsyncSession, *, restaurant_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[SeatingArea], int]:
    """One page of the restaurant's seating areas by name, and the total."""
    query = (
        select(SeatingArea)
        .where(SeatingArea.restaurant_id == restaurant_id)
        .order_by(SeatingArea.name, SeatingArea.id)
    )
    return await page_of(session, query, limit=limit, offset=offset)


async def create_seating_area(
    session: AsyncSession, *, restaurant_id: uuid.UUID, data: SeatingAreaIn
) -> SeatingArea:
    """Add a seating area; names are unique within the restaurant."""
    clash = await session.scalar(
        select(SeatingArea.id).where(
            SeatingArea.restaurant_id == restaurant_id, SeatingArea.name == data.name
        )
    )
    if clash is not None:
        raise ConflictError(f"seating area {data.name!r} already exists", field="name")
    if data.floor_plan_id is not None:
        plan = await session.get(FloorPlan, data.floor_plan_id)
        if plan is None or plan.restaurant_id != restaurant_id:
            raise InvalidError("no such floor plan in this restaurant", field="floor_plan_id")
    area = SeatingArea(restaurant_id=restaurant_id, **data.model_dump())
    session.add(area)
    await session.flush()
    return area


async def list_floor_plans(
    session: AsyncSession, *, restaurant_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[FloorPlan], int]:
    """One page of the restaurant's floor plans by name, and the total."""
    query = (
        select(FloorPlan)
        .where(FloorPlan.restaurant_id == restaurant_id)
        .order_by(FloorPlan.name, FloorPlan.id)
    )
    return await page_of(session, query, limit=limit, offset=offset)


async def create_floor_plan(
    session: AsyncSession, *, restaurant_id: uuid.UUID, data: FloorPlanIn
) -> FloorPlan:
    """Add a floor plan; names are unique within the restaurant."""
    clash = await session.scalar(
        select(FloorPlan.id).where(
            FloorPlan.restaurant_id == restaurant_id, FloorPlan.name == data.name
        )
    )
    if clash is not None:
        raise ConflictError(f"floor plan {data.name!r} already exists", field="name")
    plan = FloorPlan(restaurant_id=restaurant_id, **data.model_dump())
    session.add(plan)
    await session.flush()
    return plan


async def floor_plan_view(
    session: AsyncSession, *, restaurant_id: uuid.UUID, floor_plan_id: uuid.UUID
) -> tuple[FloorPlan, list[SeatingArea], list[RestaurantTable]]:
    """A floor plan with its seating areas and the tables placed on it."""
    plan = await session.get(FloorPlan, floor_plan_id)
    if plan is None or plan.restaurant_id != restaurant_id:
        raise NotFoundError(f"floor plan {floor_plan_id} not found")
    areas = await session.scalars(
        select(SeatingArea)
        .where(SeatingArea.floor_plan_id == floor_plan_id)
        .order_by(SeatingArea.name)
    )
    tables = await session.scalars(
        select(RestaurantTable)
        .where(RestaurantTable.floor_plan_id == floor_plan_id)
        .order_by(func.length(RestaurantTable.number), RestaurantTable.number)
    )
    return plan, list(areas), list(tables)
