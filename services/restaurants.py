"""Restaurants: listing, creation, updates, booking settings, opening hours, special days."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Text, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.orm import PartySizeOverride, Reservation, Restaurant, ServicePeriod, SpecialDay
from models.schemas.restaurant import (
    BookingSettings,
    PartySizeOverrideIn,
    RestaurantCreate,
    RestaurantUpdate,
    ServiceHours,
    SpecialDayIn,
)
from rules.state_machine import ACTIVE_STATUSES
from services.errors import ConflictError, InvalidError, NotFoundError
from services.pages import page_of


@dataclass(frozen=True, slots=True)
class RestaurantFilters:
    """What a guest or partner can filter the restaurant list by."""

    city: str | None = None
    cuisine: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    features: tuple[str, ...] = ()
    text: str | None = None
    accepting_reservations: bool | None = None
    include_inactive: bool = False


def slugify(name: str) -> str:
    """A URL slug from a restaurant name ("Café de Paris" -> "cafe-de-paris")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "restaurant"


def filtered_restaurants(filters: RestaurantFilters) -> Select[Restaurant]:
    """The SELECT for a filtered restaurant list.

    Features are a JSON array; matching the quoted element in its text form works the
    same on PostgreSQL and SQLite.
    """
    query = select(Restaurant)
    if not filters.include_inactive:
        query = query.where(Restaurant.is_active.is_(True))
    if filters.city:
        query = query.where(func.lower(Restaurant.city) == filters.city.lower())
    if filters.cuisine:
        query = query.where(func.lower(Restaurant.cuisine_type) == filters.cuisine.lower())
    if filters.price_min is not None:
        query = query.where(Restaurant.price_range >= filters.price_min)
    if filters.price_max is not None:
        query = query.where(Restaurant.price_range <= filters.price_max)
    if filters.accepting_reservations is not None:
        query = query.where(Restaurant.accepts_reservations.is_(filters.accepting_reservations))
    if filters.text:
        pattern = f"%{_escape_like(filters.text.lower())}%"
        query = query.where(
            or_(
                func.lower(Restaurant.name).like(pattern, escape="\\"),
                func.lower(func.coalesce(Restaurant.description, "")).like(pattern, escape="\\"),
                func.lower(func.coalesce(Restaurant.cuisine_type, "")).like(pattern, escape="\\"),
            )
        )
    for feature in filters.features:
        # features are a JSON array of strings; match the quoted element in its text form
        query = query.where(
            func.lower(cast(Restaurant.features, Text)).like(
                f'%"{_escape_like(feature.lower())}"%', escape="\\"
            )
        )
    return query


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_restaurants(
    session: AsyncSession, *, filters: RestaurantFilters, limit: int, offset: int
) -> tuple[list[Restaurant], int]:
    """One page of restaurants matching `filters`, by name, and the total count."""
    query = filtered_restaurants(filters)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.options(selectinload(Restaurant.services))
        .order_by(Restaurant.name, Restaurant.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def get_restaurant(session: AsyncSession, *, restaurant_id: uuid.UUID) -> Restaurant:
    """The restaurant with its services loaded, or NotFoundError."""
    restaurant = await session.scalar(
        select(Restaurant)
        .where(Restaurant.id == restaurant_id)
        .options(selectinload(Restaurant.services))
    )
    if restaurant is None:
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    return restaurant


async def _ensure_slug_free(
    session: AsyncSession, slug: str, *, except_id: uuid.UUID | None = None
) -> None:
    query = select(Restaurant.id).where(Restaurant.slug == slug)
    if except_id is not None:
        query = query.where(Restaurant.id != except_id)
    if await session.scalar(query) is not None:
        raise ConflictError(f"slug {slug!r} is already used by another restaurant", field="slug")


async def _unique_slug(session: AsyncSession, base: str) -> str:
    taken = set(
        await session.scalars(
            select(Restaurant.slug).where(
                or_(Restaurant.slug == base, Restaurant.slug.like(f"{base}-%"))
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _service_rows(services: list[ServiceHours]) -> list[ServicePeriod]:
    return [
        ServicePeriod(
            weekday=s.weekday,
            name=s.name,
            opens_at=s.opens_at,
            closes_at=s.closes_at,
            last_seating_at=s.last_seating_at,
        )
        for s in services
    ]


def apply_settings(restaurant: Restaurant, settings: BookingSettings) -> None:
    """Copy booking settings onto the restaurant row."""
    data = settings.model_dump()
    data["turn_times"] = [t.model_dump() for t in settings.turn_times]
    for key, value in data.items():
        setattr(restaurant, key, value)


def settings_of(restaurant: Restaurant) -> BookingSettings:
    """The restaurant's booking settings as their contract."""
    return BookingSettings.model_validate(restaurant, from_attributes=True)


async def create_restaurant(session: AsyncSession, *, data: RestaurantCreate) -> Restaurant:
    """Create a restaurant with its settings and services in one transaction."""
    if data.slug:
        await _ensure_slug_free(session, data.slug)
        slug = data.slug
    else:
        slug = await _unique_slug(session, slugify(data.name))
    fields = data.model_dump(mode="json", exclude={"settings", "services", "slug"})
    for key in ("latitude", "longitude"):
        fields[key] = getattr(data, key)
    restaurant = Restaurant(slug=slug, **fields)
    apply_settings(restaurant, data.settings)
    restaurant.services = _service_rows(data.services)
    session.add(restaurant)
    await session.flush()
    return restaurant


async def update_restaurant(
    session: AsyncSession, *, restaurant_id: uuid.UUID, data: RestaurantUpdate
) -> Restaurant:
    """Apply the fields present in `data`."""
    restaurant = await get_restaurant(session, restaurant_id=restaurant_id)
    changes = data.model_dump(mode="json", exclude_unset=True)
    for key in ("latitude", "longitude"):
        if key in changes:
            changes[key] = getattr(data, key)
    for key, value in changes.items():
        if value is None and key in {"name", "slug", "timezone", "currency"}:
            raise ConflictError(f"{key} cannot be removed", field=key)
        if value is None and key in {"is_active", "accepts_reservations", "is_featured"}:
            raise ConflictError(f"{key} must be true or false", field=key)
    if changes.get("slug"):
        await _ensure_slug_free(session, changes["slug"], except_id=restaurant_id)
    if changes.get("timezone") and changes["timezone"] != restaurant.timezone:
        # booked instants were derived from the old zone's wall clock
        upcoming = await session.scalar(
            select(Reservation.id)
            .where(
                Reservation.restaurant_id == restaurant_id,
                Reservation.status.in_(ACTIVE_STATUSES),
            )
            .limit(1)
        )
        if upcoming is not None:
            raise ConflictError(
                "the timezone cannot change while reservations are active", field="timezone"
            )
    for key, value in changes.items():
        if key in {"gallery_urls", "features"} and value is None:
            value = []
        if key == "external_ids" and value is None:
            value = {}
        setattr(restaurant, key, value)
    await session.flush()
    return restaurant


async def replace_settings(
    session: AsyncSession, *, restaurant_id: uuid.UUID, settings: BookingSettings
) -> Restaurant:
    """Replace the booking settings (existing reservations keep their frozen policy)."""
    restaurant = await get_restaurant(session, restaurant_id=restaurant_id)
    apply_settings(restaurant, settings)
    await session.flush()
    return restaurant


async def replace_opening_hours(
    session: AsyncSession, *, restaurant_id: uuid.UUID, services: list[ServiceHours]
) -> Restaurant:
    """Replace the week's services."""
    restaurant = await get_restaurant(session, restaurant_id=restaurant_id)
    restaurant.services = _service_rows(services)
    await session.flush()
    await session.refresh(restaurant, ["services"])
    return restaurant


async def list_special_days(
    session: AsyncSession, *, restaurant_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[SpecialDay], int]:
    """One page of the restaurant's special days by start date, and the total."""
    query = (
        select(SpecialDay)
        .where(SpecialDay.restaurant_id == restaurant_id)
        .order_by(SpecialDay.starts_on, SpecialDay.id)
    )
    return await page_of(session, query, limit=limit, offset=offset)


async def _restaurant_from(
    session: AsyncSession, restaurant_id: uuid.UUID, day: date, *, field: str, now: datetime | None
) -> Restaurant:
    """The restaurant, once ``day`` is today or later on its clock (else InvalidError)."""
    restaurant = await session.get(Restaurant, restaurant_id)
    if restaurant is None:
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    today = (now or datetime.now(UTC)).astimezone(ZoneInfo(restaurant.timezone)).date()
    if day < today:
        raise InvalidError(
            f"{day.isoformat()} is before today ({today.isoformat()})",
            field=field,
            reason="in_the_past",
        )
    return restaurant


async def add_special_day(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    data: SpecialDayIn,
    now: datetime | None = None,
) -> SpecialDay:
    """Add a special day; date ranges of two special days may not overlap.

    It may not start before today (the restaurant's clock at ``now``, default the
    current time), and a custom service's weekday must be that of every date.
    """
    ends_on = data.ends_on or data.starts_on
    await _restaurant_from(session, restaurant_id, data.starts_on, field="starts_on", now=now)
    weekdays = {
        (data.starts_on + timedelta(days=k)).weekday()
        for k in range(min((ends_on - data.starts_on).days + 1, 7))
    }
    for i, service in enumerate(data.custom_services):
        if service.weekday is not None and weekdays != {service.weekday}:
            raise InvalidError(
                f"weekday {service.weekday} contradicts the dates "
                f"{data.starts_on.isoformat()}..{ends_on.isoformat()}; leave it out",
                field=f"custom_services.{i}.weekday",
                reason="weekday_contradicts_date",
            )
    clash = await session.scalar(
        select(SpecialDay.id).where(
            and_(
                SpecialDay.restaurant_id == restaurant_id,
                SpecialDay.starts_on <= ends_on,
                SpecialDay.ends_on >= data.starts_on,
            )
        )
    )
    if clash is not None:
        raise ConflictError(
            "another special day already covers part of this range", field="starts_on"
        )
    day = SpecialDay(
        restaurant_id=restaurant_id,
        starts_on=data.starts_on,
        ends_on=ends_on,
        kind=data.kind,
        note=data.note,
        custom_services=[
            s.model_dump(mode="json", exclude={"weekday"}) for s in data.custom_services
        ],
    )
    session.add(day)
    await session.flush()
    return day


async def delete_special_day(
    session: AsyncSession, *, restaurant_id: uuid.UUID, special_day_id: uuid.UUID
) -> None:
    """Remove a special day of this restaurant."""
    day = await session.get(SpecialDay, special_day_id)
    if day is None or day.restaurant_id != restaurant_id:
        raise NotFoundError(f"special day {special_day_id} not found")
    await session.delete(day)
    await session.flush()


async def list_party_size_overrides(
    session: AsyncSession, *, restaurant_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[PartySizeOverride], int]:
    """One page of the per-slot party size overrides by date and time, and the total."""
    query = (
        select(PartySizeOverride)
        .where(PartySizeOverride.restaurant_id == restaurant_id)
        .order_by(PartySizeOverride.day, PartySizeOverride.starts_at, PartySizeOverride.id)
    )
    return await page_of(session, query, limit=limit, offset=offset)


async def add_party_size_override(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    data: PartySizeOverrideIn,
    now: datetime | None = None,
) -> PartySizeOverride:
    """Add a party size override for part of one day (today or later) that leaves some
    party the restaurant takes bookable."""
    restaurant = await _restaurant_from(session, restaurant_id, data.day, field="day", now=now)
    if data.min_party_size is not None and data.min_party_size > restaurant.max_party_size:
        raise InvalidError(
            f"min_party_size {data.min_party_size} is above the restaurant's largest party "
            f"({restaurant.max_party_size}): no party could book then",
            field="min_party_size",
        )
    if data.max_party_size is not None and data.max_party_size < restaurant.min_party_size:
        raise InvalidError(
            f"max_party_size {data.max_party_size} is below the restaurant's smallest party "
            f"({restaurant.min_party_size}): no party could book then",
            field="max_party_size",
        )
    clash = await session.scalar(
        select(PartySizeOverride.id).where(
            PartySizeOverride.restaurant_id == restaurant_id,
            PartySizeOverride.day == data.day,
            PartySizeOverride.starts_at < data.ends_at,
            PartySizeOverride.ends_at > data.starts_at,
        )
    )
    if clash is not None:
        raise ConflictError("another override already covers part of this time", field="starts_at")
    row = PartySizeOverride(restaurant_id=restaurant_id, **data.model_dump())
    session.add(row)
    await session.flush()
    return row


async def delete_party_size_override(
    session: AsyncSession, *, restaurant_id: uuid.UUID, override_id: uuid.UUID
) -> None:
    """Remove a party size override of this restaurant."""
    row = await session.get(PartySizeOverride, override_id)
    if row is None or row.restaurant_id != restaurant_id:
        raise NotFoundError(f"party size override {override_id} not found")
    await session.delete(row)
    await session.flush()
