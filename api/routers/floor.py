"""Table management: tables, seating areas and floor plans of a restaurant (staff)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from api.deps import CacheDep, HostOf, ManagerOf, PageDep, SessionDep
from api.waitlist_lifecycle import capacity_grew
from models.schemas.common import Page
from models.schemas.floor import (
    FloorPlanIn,
    FloorPlanOut,
    FloorPlanView,
    SeatingAreaIn,
    SeatingAreaOut,
    TableCreate,
    TableOut,
    TableUpdate,
)
from services import floor as svc
from services.availability import invalidate_restaurant
from services.restaurants import get_restaurant

router = APIRouter(prefix="/restaurants/{restaurant_id}", tags=["tables"])


@router.get("/tables", response_model=Page[TableOut], summary="The restaurant's tables")
async def list_tables(scope: HostOf, session: SessionDep, page: PageDep) -> Page[TableOut]:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    rows, total = await svc.list_tables(
        session, restaurant_id=scope.restaurant_id, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[TableOut.model_validate(t) for t in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/tables",
    response_model=TableOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a table",
)
async def create_table(
    data: TableCreate, scope: ManagerOf, session: SessionDep, cache: CacheDep, request: Request
) -> TableOut:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    table = await svc.create_table(session, restaurant_id=scope.restaurant_id, data=data)
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    await capacity_grew(request, restaurant_id=scope.restaurant_id, reason="table_added")
    return TableOut.model_validate(table)


@router.get("/tables/{table_id}", response_model=TableOut, summary="One table")
async def get_table(table_id: uuid.UUID, scope: HostOf, session: SessionDep) -> TableOut:
    table = await svc.get_table(session, restaurant_id=scope.restaurant_id, table_id=table_id)
    return TableOut.model_validate(table)


@router.patch("/tables/{table_id}", response_model=TableOut, summary="Update a table")
async def update_table(
    table_id: uuid.UUID,
    data: TableUpdate,
    scope: ManagerOf,
    session: SessionDep,
    cache: CacheDep,
    request: Request,
) -> TableOut:
    table = await svc.update_table(
        session, restaurant_id=scope.restaurant_id, table_id=table_id, data=data
    )
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    await capacity_grew(request, restaurant_id=scope.restaurant_id, reason="table_changed")
    return TableOut.model_validate(table)


@router.delete(
    "/tables/{table_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a table"
)
async def delete_table(
    table_id: uuid.UUID, scope: ManagerOf, session: SessionDep, cache: CacheDep
) -> Response:
    await svc.delete_table(session, restaurant_id=scope.restaurant_id, table_id=table_id)
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/seating-areas", response_model=Page[SeatingAreaOut], summary="The restaurant's seating areas"
)
async def list_seating_areas(
    scope: HostOf, session: SessionDep, page: PageDep
) -> Page[SeatingAreaOut]:
    rows, total = await svc.list_seating_areas(
        session, restaurant_id=scope.restaurant_id, limit=page.limit, offset=page.offset
    )
    items = [SeatingAreaOut.model_validate(a) for a in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/seating-areas",
    response_model=SeatingAreaOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a seating area",
)
async def create_seating_area(
    data: SeatingAreaIn, scope: ManagerOf, session: SessionDep, cache: CacheDep
) -> SeatingAreaOut:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    area = await svc.create_seating_area(session, restaurant_id=scope.restaurant_id, data=data)
    await session.commit()
    # areas are part of the floor search remembers: every floor write bumps its version
    await invalidate_restaurant(cache, scope.restaurant_id)
    return SeatingAreaOut.model_validate(area)


@router.get(
    "/floor-plans", response_model=Page[FloorPlanOut], summary="The restaurant's floor plans"
)
async def list_floor_plans(scope: HostOf, session: SessionDep, page: PageDep) -> Page[FloorPlanOut]:
    rows, total = await svc.list_floor_plans(
        session, restaurant_id=scope.restaurant_id, limit=page.limit, offset=page.offset
    )
    items = [FloorPlanOut.model_validate(p) for p in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/floor-plans",
    response_model=FloorPlanOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a floor plan",
)
async def create_floor_plan(
    data: FloorPlanIn, scope: ManagerOf, session: SessionDep
) -> FloorPlanOut:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    plan = await svc.create_floor_plan(session, restaurant_id=scope.restaurant_id, data=data)
    await session.commit()
    return FloorPlanOut.model_validate(plan)


@router.get(
    "/floor-plans/{floor_plan_id}",
    response_model=FloorPlanView,
    summary="A floor plan with its seating areas and tables",
)
async def get_floor_plan(
    floor_plan_id: uuid.UUID, scope: HostOf, session: SessionDep
) -> FloorPlanView:
    plan, areas, tables = await svc.floor_plan_view(
        session, restaurant_id=scope.restaurant_id, floor_plan_id=floor_plan_id
    )
    return FloorPlanView(
        id=plan.id,
        name=plan.name,
        width=plan.width,
        height=plan.height,
        is_active=plan.is_active,
        seating_areas=[SeatingAreaOut.model_validate(a) for a in areas],
        tables=[TableOut.model_validate(t) for t in tables],
    )
