"""Restaurant management: listing (public), details, creation, settings, hours, special days."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import AdminStaff, CacheDep, ManagerOf, PageDep, SessionDep
from api.problems import Forbidden
from api.waitlist_lifecycle import capacity_grew
from models.enums import StaffRole
from models.orm import Restaurant
from models.schemas.common import Page
from models.schemas.restaurant import (
    BookingSettings,
    OpeningHours,
    PartySizeOverrideIn,
    PartySizeOverrideOut,
    RestaurantCreate,
    RestaurantOut,
    RestaurantSummary,
    RestaurantUpdate,
    ServiceHours,
    SpecialDayIn,
    SpecialDayOut,
)
from services import restaurants as svc
from services.availability import invalidate_restaurant
from services.errors import NotFoundError

router = APIRouter(prefix="/restaurants", tags=["restaurants"])


@router.get("", response_model=Page[RestaurantSummary], summary="List restaurants (public)")
async def list_restaurants(
    session: SessionDep,
    page: PageDep,
    city: str | None = None,
    cuisine: str | None = None,
    price_min: Annotated[int | None, Query(ge=1, le=4)] = None,
    price_max: Annotated[int | None, Query(ge=1, le=4)] = None,
    features: Annotated[list[str] | None, Query(description="all of these features")] = None,
    q: Annotated[str | None, Query(max_length=100, description="text search")] = None,
    accepting_reservations: bool | None = None,
) -> Page[RestaurantSummary]:
    filters = svc.RestaurantFilters(
        city=city,
        cuisine=cuisine,
        price_min=price_min,
        price_max=price_max,
        features=tuple(features or ()),
        text=q,
        accepting_reservations=accepting_reservations,
    )
    rows, total = await svc.list_restaurants(
        session, filters=filters, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[RestaurantSummary.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "",
    response_model=RestaurantOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a restaurant (admin)",
)
async def create_restaurant(
    data: RestaurantCreate, session: SessionDep, _admin: AdminStaff
) -> RestaurantOut:
    restaurant = await svc.create_restaurant(session, data=data)
    await session.commit()
    restaurant = await svc.get_restaurant(session, restaurant_id=restaurant.id)
    return RestaurantOut.model_validate(restaurant)


async def _public_restaurant(session: SessionDep, restaurant_id: uuid.UUID) -> Restaurant:
    restaurant = await svc.get_restaurant(session, restaurant_id=restaurant_id)
    if not restaurant.is_active:
        # deactivated restaurants are hidden from the public
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    return restaurant


@router.get("/{restaurant_id}", response_model=RestaurantOut, summary="Restaurant details (public)")
async def get_restaurant(restaurant_id: uuid.UUID, session: SessionDep) -> RestaurantOut:
    return RestaurantOut.model_validate(await _public_restaurant(session, restaurant_id))


@router.patch("/{restaurant_id}", response_model=RestaurantOut, summary="Update a restaurant")
async def update_restaurant(
    data: RestaurantUpdate, scope: ManagerOf, session: SessionDep, cache: CacheDep
) -> RestaurantOut:
    if data.is_featured is not None and scope.staff.role is not StaffRole.ADMIN:
        # the platform's own promotion: a restaurant's manager cannot feature it
        raise Forbidden("only an admin features a restaurant", field="is_featured")
    await svc.update_restaurant(session, restaurant_id=scope.restaurant_id, data=data)
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    restaurant = await svc.get_restaurant(session, restaurant_id=scope.restaurant_id)
    return RestaurantOut.model_validate(restaurant)


@router.get("/{restaurant_id}/settings", response_model=BookingSettings, summary="Booking settings")
async def get_settings(scope: ManagerOf, session: SessionDep) -> BookingSettings:
    restaurant = await svc.get_restaurant(session, restaurant_id=scope.restaurant_id)
    return svc.settings_of(restaurant)


@router.put("/{restaurant_id}/settings", response_model=BookingSettings, summary="Replace settings")
async def put_settings(
    data: BookingSettings, scope: ManagerOf, session: SessionDep, cache: CacheDep
) -> BookingSettings:
    restaurant = await svc.replace_settings(
        session, restaurant_id=scope.restaurant_id, settings=data
    )
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    return svc.settings_of(restaurant)


@router.get(
    "/{restaurant_id}/opening-hours",
    response_model=OpeningHours,
    summary="Opening hours: services per weekday (public)",
)
async def get_opening_hours(restaurant_id: uuid.UUID, session: SessionDep) -> OpeningHours:
    restaurant = await _public_restaurant(session, restaurant_id)
    return OpeningHours(services=[ServiceHours.model_validate(s) for s in restaurant.services])


@router.put(
    "/{restaurant_id}/opening-hours", response_model=OpeningHours, summary="Replace opening hours"
)
async def put_opening_hours(
    data: OpeningHours, scope: ManagerOf, session: SessionDep, cache: CacheDep
) -> OpeningHours:
    restaurant = await svc.replace_opening_hours(
        session, restaurant_id=scope.restaurant_id, services=data.services
    )
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    return OpeningHours(services=[ServiceHours.model_validate(s) for s in restaurant.services])


@router.get(
    "/{restaurant_id}/special-days", response_model=Page[SpecialDayOut], summary="Special days"
)
async def list_special_days(
    restaurant_id: uuid.UUID, session: SessionDep, page: PageDep
) -> Page[SpecialDayOut]:
    await _public_restaurant(session, restaurant_id)
    rows, total = await svc.list_special_days(
        session, restaurant_id=restaurant_id, limit=page.limit, offset=page.offset
    )
    items = [SpecialDayOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/{restaurant_id}/special-days",
    response_model=SpecialDayOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a special day (closed, private event, custom hours, weather)",
)
async def add_special_day(
    data: SpecialDayIn, scope: ManagerOf, session: SessionDep, cache: CacheDep
) -> SpecialDayOut:
    await svc.get_restaurant(session, restaurant_id=scope.restaurant_id)
    day = await svc.add_special_day(session, restaurant_id=scope.restaurant_id, data=data)
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    return SpecialDayOut.model_validate(day)


@router.delete(
    "/{restaurant_id}/special-days/{special_day_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a special day",
)
async def delete_special_day(
    special_day_id: uuid.UUID,
    scope: ManagerOf,
    session: SessionDep,
    cache: CacheDep,
    request: Request,
) -> Response:
    await svc.delete_special_day(
        session, restaurant_id=scope.restaurant_id, special_day_id=special_day_id
    )
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    await capacity_grew(request, restaurant_id=scope.restaurant_id, reason="special_day_removed")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{restaurant_id}/party-size-overrides",
    response_model=Page[PartySizeOverrideOut],
    summary="Per-slot party size overrides",
)
async def list_overrides(
    scope: ManagerOf, session: SessionDep, page: PageDep
) -> Page[PartySizeOverrideOut]:
    rows, total = await svc.list_party_size_overrides(
        session, restaurant_id=scope.restaurant_id, limit=page.limit, offset=page.offset
    )
    items = [PartySizeOverrideOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/{restaurant_id}/party-size-overrides",
    response_model=PartySizeOverrideOut,
    status_code=status.HTTP_201_CREATED,
    summary="Limit party sizes for part of a day",
)
async def add_override(
    data: PartySizeOverrideIn, scope: ManagerOf, session: SessionDep, cache: CacheDep
) -> PartySizeOverrideOut:
    await svc.get_restaurant(session, restaurant_id=scope.restaurant_id)
    row = await svc.add_party_size_override(session, restaurant_id=scope.restaurant_id, data=data)
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    return PartySizeOverrideOut.model_validate(row)


@router.delete(
    "/{restaurant_id}/party-size-overrides/{override_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a party size override",
)
async def delete_override(
    override_id: uuid.UUID, scope: ManagerOf, session: SessionDep, cache: CacheDep
) -> Response:
    await svc.delete_party_size_override(
        session, restaurant_id=scope.restaurant_id, override_id=override_id
    )
    await session.commit()
    await invalidate_restaurant(cache, scope.restaurant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
