"""Reservation reads for the API: one booking, lookups and filtered lists."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus, ReservationSource
from models.orm import Guest, Reservation, RestaurantTable, TableAllocation
from rules.state_machine import ReservationStatus
from services.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class ReservationView:
    """A reservation with its guest and current table numbers."""

    reservation: Reservation
    guest: Guest
    table_numbers: list[str]


# a booking's table numbers in floor order: "2" before "10"
_TABLE_ORDER = (func.length(RestaurantTable.number), RestaurantTable.number)


async def _tables_by_reservation(
    session: AsyncSession, reservation_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    if not reservation_ids:
        return {}
    rows = await session.execute(
        select(TableAllocation.reservation_id, RestaurantTable.number)
        .join(RestaurantTable, RestaurantTable.id == TableAllocation.table_id)
        .where(
            TableAllocation.reservation_id.in_(reservation_ids),
            TableAllocation.status != AllocationStatus.RELEASED,
        )
        .order_by(*_TABLE_ORDER)
    )
    numbers: dict[uuid.UUID, list[str]] = defaultdict(list)
    for reservation_id, number in rows:
        numbers[reservation_id].append(number)
    return numbers


async def _views(session: AsyncSession, query: Select[Reservation, Guest]) -> list[ReservationView]:
    rows = (await session.execute(query)).all()
    tables = await _tables_by_reservation(session, [r[0].id for r in rows])
    return [ReservationView(r[0], r[1], tables.get(r[0].id, [])) for r in rows]


def _with_guest() -> Select[Reservation, Guest]:
    return select(Reservation, Guest).join(Guest, Guest.id == Reservation.guest_id)


async def get_view(session: AsyncSession, *, reservation_id: uuid.UUID) -> ReservationView:
    """One reservation, or NotFoundError.

    One query: the reservation and guest repeated on a row per current table (one row
    with no number when it has none); lists keep two queries, so LIMIT counts bookings.
    """
    rows = (
        await session.execute(
            select(Reservation, Guest, RestaurantTable.number)
            .join(Guest, Guest.id == Reservation.guest_id)
            .outerjoin(
                TableAllocation,
                (TableAllocation.reservation_id == Reservation.id)
                & (TableAllocation.status != AllocationStatus.RELEASED),
            )
            .outerjoin(RestaurantTable, RestaurantTable.id == TableAllocation.table_id)
            .where(Reservation.id == reservation_id)
            .order_by(*_TABLE_ORDER)
        )
    ).all()
    if not rows:
        raise NotFoundError(f"reservation {reservation_id} not found")
    numbers = [number for _, _, number in rows if number is not None]
    return ReservationView(rows[0][0], rows[0][1], numbers)


async def find_by_reference(
    session: AsyncSession, *, reference: str, email: str
) -> ReservationView:
    """The reservation with this reference booked under this email (both must match)."""
    views = await _views(
        session,
        _with_guest().where(
            Reservation.reference == reference.strip().upper(), Guest.email == email
        ),
    )
    if not views:
        # the same answer whether the reference or the email is wrong
        raise NotFoundError("no reservation with this reference and email")
    return views[0]


@dataclass(frozen=True, slots=True)
class ReservationFilters:
    date_from: date | None = None
    date_to: date | None = None
    statuses: tuple[ReservationStatus, ...] = ()
    seating_area: str | None = None
    sources: tuple[ReservationSource, ...] = ()


async def list_for_restaurant(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    filters: ReservationFilters,
    limit: int,
    offset: int,
) -> tuple[list[ReservationView], int]:
    """A restaurant's reservations by start time, filtered, one page and the total."""
    query = _with_guest().where(Reservation.restaurant_id == restaurant_id)
    if filters.date_from:
        query = query.where(Reservation.reservation_date >= filters.date_from)
    if filters.date_to:
        query = query.where(Reservation.reservation_date <= filters.date_to)
    if filters.statuses:
        query = query.where(Reservation.status.in_(filters.statuses))
    if filters.seating_area:
        query = query.where(Reservation.seating_preference == filters.seating_area)
    if filters.sources:
        query = query.where(Reservation.source.in_(filters.sources))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    views = await _views(
        session,
        query.order_by(Reservation.starts_at, Reservation.reference).limit(limit).offset(offset),
    )
    return views, int(total or 0)


async def list_for_guest(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_ids: frozenset[uuid.UUID] | None,
    limit: int,
    offset: int,
) -> tuple[list[ReservationView], int]:
    """A guest's reservations, newest first; restricted to `restaurant_ids` when given."""
    query = _with_guest().where(Reservation.guest_id == guest_id)
    if restaurant_ids is not None:
        query = query.where(Reservation.restaurant_id.in_(restaurant_ids))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    views = await _views(
        session, query.order_by(Reservation.starts_at.desc()).limit(limit).offset(offset)
    )
    return views, int(total or 0)
