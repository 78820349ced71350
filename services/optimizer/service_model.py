"""A service's parties as the solver sees them, read from the database.

Every active allocation (booked, or held and unexpired) meeting the service's
window takes part; parties of the service that are not seated and not locked
may move, everyone else is fixed (seated, locked, started, other services).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus
from models.orm import Reservation, TableAllocation
from rules.opening_hours import ServiceHours, services_for_day
from rules.state_machine import ReservationStatus
from rules.table_fit import TableSpec
from services.availability import RestaurantInputs, restaurant_inputs
from services.errors import ConflictError, NotFoundError
from services.optimizer.parties import options_for
from services.optimizer.solver import Party


@dataclass(frozen=True, slots=True)
class Booked:
    """One reservation holding tables, as read."""

    reservation_id: uuid.UUID
    party_size: int
    starts_at: datetime
    ends_at: datetime
    table_ids: tuple[str, ...]
    status: ReservationStatus
    locked: bool
    seating_preference: str | None


@dataclass(frozen=True, slots=True)
class ServiceModel:
    """The parties of one service and what they are read from."""

    restaurant_id: uuid.UUID
    day: date
    service: str
    opens_at: datetime
    closes_at: datetime
    tables: tuple[TableSpec, ...]
    booked: tuple[Booked, ...]
    parties: tuple[Party, ...]
    fingerprint: str
    reference: datetime  # minute 0 of the parties' stays


def _window(inputs: RestaurantInputs, day: date, service: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(inputs.timezone)
    found: ServiceHours | None = next(
        (
            s
            for s in services_for_day(day, inputs.services, inputs.special_day(day))
            if s.name == service
        ),
        None,
    )
    if found is None:
        raise NotFoundError(f"no service {service!r} on {day.isoformat()}", field="service")
    opens = datetime.combine(day, found.opens).replace(tzinfo=zone)
    closes = datetime.combine(day, found.closes).replace(tzinfo=zone)
    if closes <= opens:
        closes += timedelta(days=1)  # past midnight: still this day's service
    return opens.astimezone(UTC), closes.astimezone(UTC)


async def day_rows(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Booked]:
    """Active allocations meeting ``[start, end)``, one entry per reservation."""
    a, r = TableAllocation, Reservation
    rows = await session.execute(
        select(
            a.reservation_id,
            a.table_id,
            a.starts_at,
            a.ends_at,
            r.party_size,
            r.status,
            r.tables_locked,
            r.seating_preference,
        )
        .join(r, r.id == a.reservation_id)
        .where(
            a.restaurant_id == restaurant_id,
            a.starts_at < end,
            a.ends_at > start,
            or_(
                a.status == AllocationStatus.BOOKED,
                (a.status == AllocationStatus.HELD) & (a.hold_expires_at > now),
            ),
        )
        .order_by(a.reservation_id, a.table_id)
    )
    grouped: dict[uuid.UUID, Booked] = {}
    for rid, table_id, starts, ends, size, status, locked, area in rows:
        seen = grouped.get(rid)
        tables = (*seen.table_ids, str(table_id)) if seen else (str(table_id),)
        grouped[rid] = Booked(rid, size, starts, ends, tables, status, locked, area)
    return list(grouped.values())


def fingerprint(booked: list[Booked]) -> str:
    """A hash of who holds which tables when: any booking change alters it."""
    digest = hashlib.sha256()
    for b in sorted(booked, key=lambda b: b.reservation_id):
        digest.update(
            f"{b.reservation_id}|{','.join(sorted(b.table_ids))}|{b.starts_at.isoformat()}|"
            f"{b.ends_at.isoformat()}|{b.party_size}|{b.locked}|{b.status}\n".encode()
        )
    return digest.hexdigest()


async def service_model(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    service: str,
    now: datetime,
) -> ServiceModel:
    """The service's parties; ConflictError when the service is over."""
    inputs = await restaurant_inputs(
        session, restaurant_id=restaurant_id, first_day=day, last_day=day, now=now, staff=True
    )
    opens, closes = _window(inputs, day, service)
    if closes <= now:
        raise ConflictError(f"the {service} service of {day.isoformat()} is over", field="date")
    buffer = timedelta(minutes=inputs.policy.buffer_minutes)
    booked = await day_rows(
        session, restaurant_id=restaurant_id, start=opens, end=closes + timedelta(hours=6), now=now
    )
    reference = opens - timedelta(hours=12)

    def minute(at: datetime) -> int:
        return int((at - reference).total_seconds() // 60)

    parties = []
    for b in booked:
        movable = (
            opens <= b.starts_at < closes
            and b.starts_at > now  # a party due now may be walking in: leave it be
            and not b.locked
            and b.status
            in (
                ReservationStatus.CONFIRMED,
                ReservationStatus.PENDING_CONFIRMATION,
                ReservationStatus.HELD,
            )
        )
        parties.append(
            Party(
                id=str(b.reservation_id),
                size=b.party_size,
                start=minute(b.starts_at),
                end=minute(b.ends_at + buffer),
                options=options_for(b.party_size, inputs.tables, seating_area=b.seating_preference),
                current=b.table_ids,
                fixed=not movable,
            )
        )
    return ServiceModel(
        restaurant_id=restaurant_id,
        day=day,
        service=service,
        opens_at=opens,
        closes_at=closes,
        tables=inputs.tables,
        booked=tuple(booked),
        parties=tuple(parties),
        fingerprint=fingerprint(booked),
        reference=reference,
    )
