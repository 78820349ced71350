"""FastAPI dependencies and shared checks: database session, current staff, restaurant
scoping and ownership, pagination."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import can_see_restaurant, has_role
from api.problems import Forbidden, NotFound, Unauthorized
from models.enums import StaffRole
from models.orm import Restaurant, StaffUser
from reservations.cache import Cache
from reservations.settings import Settings
from services import live_events
from services import reservation_queries as queries
from services.staff import get_staff
from services.staff_tokens import staff_id_from_token


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


async def get_counters(request: Request) -> Cache:
    """Where rate limits count: Redis when configured, else this process's memory."""
    counters: Cache = request.app.state.counters
    return counters


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session per request; writes commit explicitly in the route, anything else rolls back.

    When the request ends, the live events of what it committed are published.
    """
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with factory() as session:
        try:
            yield session
        finally:
            await live_events.publish_committed(request.app.state.cache, session)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
CacheDep = Annotated[Cache, Depends(get_cache)]
CountersDep = Annotated[Cache, Depends(get_counters)]

bearer = HTTPBearer(auto_error=False, description="staff JWT from POST /auth/token")


async def staff_from_bearer(
    request: Request, session: AsyncSession, credentials: HTTPAuthorizationCredentials | None
) -> StaffUser | None:
    """The active staff member a bearer token names; None without one, 401 for a bad one."""
    if credentials is None:
        return None
    staff_id = staff_id_from_token(credentials.credentials, secret=request.app.state.jwt_secret)
    staff = await get_staff(session, staff_id=staff_id) if staff_id else None
    if staff is None or not staff.is_active:
        raise Unauthorized("the token is invalid or expired")
    return staff


async def get_current_staff(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> StaffUser:
    """The authenticated, active staff member (401 otherwise)."""
    staff = await staff_from_bearer(request, session, credentials)
    if staff is None:
        raise Unauthorized("a staff bearer token is required")
    return staff


CurrentStaff = Annotated[StaffUser, Depends(get_current_staff)]


def require_role(staff: StaffUser, minimum: StaffRole) -> None:
    """403 unless the staff member has at least `minimum`."""
    if not has_role(staff, minimum):
        raise Forbidden(f"this needs the {minimum.value} role or above")


async def require_admin(staff: CurrentStaff) -> StaffUser:
    require_role(staff, StaffRole.ADMIN)
    return staff


AdminStaff = Annotated[StaffUser, Depends(require_admin)]


@dataclass(frozen=True, slots=True)
class RestaurantScope:
    """A restaurant id the caller is allowed to act on, and who the caller is."""

    restaurant_id: uuid.UUID
    staff: StaffUser


def _scope(minimum: StaffRole) -> Any:
    async def dependency(
        staff: CurrentStaff, restaurant_id: Annotated[uuid.UUID, Path()], session: SessionDep
    ) -> RestaurantScope:
        # another restaurant's things are "not found", not "forbidden": no existence leak
        if not can_see_restaurant(staff, restaurant_id):
            raise NotFound(f"restaurant {restaurant_id} not found")
        require_role(staff, minimum)
        if staff.role is StaffRole.ADMIN and await session.get(Restaurant, restaurant_id) is None:
            # an admin may see every restaurant, but not one that does not exist: its
            # lists are not empty, they are not there
            raise NotFound(f"restaurant {restaurant_id} not found")
        return RestaurantScope(restaurant_id=restaurant_id, staff=staff)

    return Depends(dependency)


HostOf = Annotated[RestaurantScope, _scope(StaffRole.HOST)]
ManagerOf = Annotated[RestaurantScope, _scope(StaffRole.MANAGER)]


async def require_owned(
    session: SessionDep, restaurant_id: uuid.UUID, reservation_id: uuid.UUID
) -> None:
    """404 unless the reservation belongs to the restaurant the caller acts for."""
    view = await queries.get_view(session, reservation_id=reservation_id)
    if view.reservation.restaurant_id != restaurant_id:
        raise NotFound(f"reservation {reservation_id} not found")


@dataclass(frozen=True, slots=True)
class Pagination:
    limit: int
    offset: int


# beyond any list we keep, and within every database's OFFSET (a 64-bit integer)
MAX_OFFSET = 2**31 - 1
MAX_LIMIT = 200


async def pagination(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


PageDep = Annotated[Pagination, Depends(pagination)]


async def manage_webhooks(scope: ManagerOf) -> RestaurantScope:
    """Who may manage a restaurant's webhook subscriptions: its managers (and admins).

    The one place this is decided: partner keys with the `webhooks:manage` scope (which
    can be issued) are to be accepted here; no partner key is yet.
    """
    return scope


WebhooksOf = Annotated[RestaurantScope, Depends(manage_webhooks)]
