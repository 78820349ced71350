"""Waitlist entries: validate a join, record it once, read and list entries."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus, WaitlistStatus
from models.orm import Reservation, TableAllocation, WaitlistEntry
from models.schemas.waitlist import (
    OfferOut,
    WaitlistEntryOut,
    WaitlistKind,
    entry_workflow_id,
)
from rules.availability import UnavailableReason
from rules.opening_hours import services_for_day, window_after_midnight
from services import allocation
from services.availability import (
    RestaurantInputs,
    answer_day,
    local_midnight,
    restaurant_inputs,
)
from services.crm import stats
from services.errors import InvalidError, NotFoundError

OPEN_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
# how long an offer holds its tables while the guest decides
FUTURE_OFFER_MINUTES = 10
WALK_IN_OFFER_MINUTES = 2


# which field of a join a refusal by the engine is about
_FIELD_OF: dict[UnavailableReason, str] = {
    UnavailableReason.PARTY_TOO_LARGE: "party_size",
    UnavailableReason.PARTY_TOO_SMALL: "party_size",
    UnavailableReason.NO_TABLE_FITS: "party_size",
    UnavailableReason.IN_THE_PAST: "date",
    UnavailableReason.BEYOND_BOOKING_WINDOW: "date",
    UnavailableReason.SPECIAL_DAY_CLOSED: "date",
}


def local_window(
    day: date, time_from: time, time_to: time, *, after_midnight: bool = False
) -> tuple[datetime, datetime]:
    """Naive local bounds of a wanted window of service day ``day`` (one that ends after
    midnight ends the next day; one wholly after midnight, ``after_midnight``, lies on
    the next calendar day)."""
    first = day + timedelta(days=1) if after_midnight else day
    start = datetime.combine(first, time_from)
    end = datetime.combine(first, time_to)
    if end < start:
        end += timedelta(days=1)
    return start, end


def window_of(
    inputs: RestaurantInputs, day: date, time_from: time, time_to: time
) -> tuple[datetime, datetime]:
    """The wanted window of service day ``day``, read against that day's services."""
    late = window_after_midnight(
        services_for_day(day, inputs.services, inputs.special_day(day)), time_from
    )
    return local_window(day, time_from, time_to, after_midnight=late)


def last_seating(inputs: RestaurantInputs, day: date) -> datetime | None:
    """The latest seating of service day ``day`` (naive local; after midnight for a late
    service), or None when it has no service."""
    services = services_for_day(day, inputs.services, inputs.special_day(day))
    return max((s.seating_window(day)[1] for s in services), default=None)


async def day_last_seating(
    session: AsyncSession, *, restaurant_id: uuid.UUID, day: date, now: datetime
) -> datetime | None:
    """`last_seating` of the restaurant's service day ``day``, read from the database."""
    inputs = await restaurant_inputs(
        session, restaurant_id=restaurant_id, first_day=day, last_day=day, now=now, staff=True
    )
    return last_seating(inputs, day)


def entry_expires_at(
    *,
    kind: WaitlistKind,
    day: date,
    time_to: time | None,
    timezone: str,
    time_from: time | None,
    window_end: datetime | None = None,
) -> datetime:
    """When an entry ends unserved: its window's last start (future; ``window_end`` when
    the caller has read the window against the day's services), or the day's end
    (walk-in; ``window_end``: the day's last seating, when it is later)."""
    zone = ZoneInfo(timezone)
    if kind is WaitlistKind.FUTURE and time_to is not None:
        end = window_end or local_window(day, time_from or time_to, time_to)[1]
        return end.replace(tzinfo=zone).astimezone(UTC)
    midnight = local_midnight(day + timedelta(days=1), zone)
    if window_end is not None:
        # a walk-in waits as long as the day's service seats, past midnight for a late one
        return max(midnight, window_end.replace(tzinfo=zone).astimezone(UTC))
    return midnight


async def validate_join(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    time_from: time,
    time_to: time,
    party_size: int,
    seating_area: str | None,
    now: datetime,
    staff: bool = False,
) -> tuple[datetime, datetime]:
    """The window (naive local bounds), or InvalidError (field and reason from the engine)
    when waiting could never succeed.

    Judged as if the restaurant were empty: a closed day, a window outside the
    booking window or opening hours, or a party no table combination can seat is
    refused; a day that is merely full is what the waitlist is for.
    """
    inputs = await restaurant_inputs(
        session, restaurant_id=restaurant_id, first_day=day, last_day=day, now=now, staff=staff
    )
    empty = dataclasses.replace(inputs, bookings=())
    whole_day = answer_day(
        empty, day=day, party_size=party_size, now=now, seating_area=seating_area, staff=staff
    )
    if not whole_day.slots:
        reason = whole_day.closed_reason or UnavailableReason.OUTSIDE_OPENING_HOURS.value
        raise InvalidError(
            f"the restaurant takes no bookings on {day.isoformat()} ({reason})",
            field="date",
            reason=reason,
        )
    answer = answer_day(
        empty,
        day=day,
        party_size=party_size,
        now=now,
        seating_area=seating_area,
        staff=staff,
        between=(window := window_of(inputs, day, time_from, time_to)),
    )
    if not answer.slots:
        raise InvalidError(
            "no bookable time lies in this window",
            field="time_from",
            reason=UnavailableReason.OUTSIDE_OPENING_HOURS.value,
        )
    if any(slot.available for slot in answer.slots):
        return window
    refused = answer.slots[0].reason or UnavailableReason.NO_TABLE_FITS
    reason_text = refused.value
    field = _FIELD_OF.get(refused, "time_from")
    raise InvalidError(
        f"this party cannot be seated in this window ({reason_text})",
        field=field,
        reason=reason_text,
    )


async def create_entry(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    kind: WaitlistKind,
    day: date,
    time_from: time | None,
    time_to: time | None,
    party_size: int,
    expires_at: datetime,
    now: datetime,
    seating_area: str | None = None,
    language: str = "en",
    notes: str | None = None,
    quoted_wait_minutes: int | None = None,
    offer_minutes: int | None = None,
) -> tuple[WaitlistEntry, bool]:
    """Record a waiting entry; the same guest, restaurant, day and window returns the open one.

    Returns the entry and whether it was created now.
    """
    existing = await session.scalar(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.restaurant_id == restaurant_id,
            WaitlistEntry.guest_id == guest_id,
            WaitlistEntry.kind == kind.value,
            WaitlistEntry.desired_date == day,
            (
                WaitlistEntry.desired_time_from.is_(None)
                if time_from is None
                else WaitlistEntry.desired_time_from == time_from
            ),
            (
                WaitlistEntry.desired_time_to.is_(None)
                if time_to is None
                else WaitlistEntry.desired_time_to == time_to
            ),
            WaitlistEntry.status.in_(OPEN_STATUSES),
        )
        .order_by(WaitlistEntry.created_at)
        .limit(1)
    )
    if existing is not None:
        return existing, False
    entry_id = uuid.uuid4()
    minutes = offer_minutes or (
        WALK_IN_OFFER_MINUTES if kind is WaitlistKind.WALK_IN else FUTURE_OFFER_MINUTES
    )
    entry = WaitlistEntry(
        id=entry_id,
        restaurant_id=restaurant_id,
        guest_id=guest_id,
        kind=kind.value,
        party_size=party_size,
        desired_date=day,
        desired_time_from=time_from,
        desired_time_to=time_to,
        seating_area=seating_area,
        language=language,
        status=WaitlistStatus.WAITING,
        notes=notes,
        quoted_wait_minutes=quoted_wait_minutes,
        quoted_at=now if quoted_wait_minutes is not None else None,
        expires_at=expires_at,
        offer_minutes=minutes,
        workflow_id=entry_workflow_id(entry_id),
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    await session.flush()
    await stats.note_activity(session, guest_id=guest_id, restaurant_id=restaurant_id, at=now)
    return entry, True


async def get_entry(
    session: AsyncSession, *, entry_id: uuid.UUID, restaurant_id: uuid.UUID | None = None
) -> WaitlistEntry:
    """The entry (of this restaurant, when given); NotFoundError otherwise."""
    entry = await session.get(WaitlistEntry, entry_id)
    if entry is None or (restaurant_id is not None and entry.restaurant_id != restaurant_id):
        raise NotFoundError(f"waitlist entry {entry_id} not found")
    return entry


async def shows_an_offer(session: AsyncSession, *, entry_id: uuid.UUID) -> bool:
    """True when the entry's row says it holds an offer, read afresh from the database.

    Ends the session's transaction first (a SQLite read would otherwise see the
    snapshot it began with): call it with nothing left to commit.
    """
    await session.rollback()
    status = await session.scalar(select(WaitlistEntry.status).where(WaitlistEntry.id == entry_id))
    return status is WaitlistStatus.OFFERED


async def list_entries(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    day: date | None = None,
    statuses: Sequence[WaitlistStatus] | None = None,
    kind: WaitlistKind | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WaitlistEntry], int]:
    """One page of a restaurant's entries, first come first; and how many match in all."""
    conditions = [WaitlistEntry.restaurant_id == restaurant_id]
    if day is not None:
        conditions.append(WaitlistEntry.desired_date == day)
    if statuses:
        conditions.append(WaitlistEntry.status.in_(list(statuses)))
    if kind is not None:
        conditions.append(WaitlistEntry.kind == kind.value)
    total = await session.scalar(select(func.count()).select_from(WaitlistEntry).where(*conditions))
    rows = await session.scalars(
        select(WaitlistEntry)
        .where(*conditions)
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def entry_out(session: AsyncSession, entry: WaitlistEntry) -> WaitlistEntryOut:
    """The entry as guests and staff read it (with its open offer's tables)."""
    offer = None
    if entry.status is WaitlistStatus.OFFERED and entry.offer_reservation_id is not None:
        held = await session.get(Reservation, entry.offer_reservation_id)
        hold = await allocation_hold(session, entry.offer_reservation_id)
        if held is not None and entry.offer_expires_at is not None:
            offer = OfferOut(
                reservation_id=held.id,
                table_numbers=hold,
                starts_at=held.starts_at,
                expires_at=entry.offer_expires_at,
            )
    return WaitlistEntryOut(
        id=entry.id,
        restaurant_id=entry.restaurant_id,
        kind=WaitlistKind(entry.kind),
        status=entry.status,
        party_size=entry.party_size,
        date=entry.desired_date,
        time_from=entry.desired_time_from,
        time_to=entry.desired_time_to,
        seating_area=entry.seating_area,
        quoted_wait_minutes=entry.quoted_wait_minutes,
        quoted_at=entry.quoted_at,
        offer=offer,
        reservation_id=entry.reservation_id,
        seated_at=entry.seated_at,
        created_at=entry.created_at,
    )


async def allocation_hold(session: AsyncSession, reservation_id: uuid.UUID) -> list[str]:
    """The table numbers a reservation holds now."""
    ids = await session.scalars(
        select(TableAllocation.table_id).where(
            TableAllocation.reservation_id == reservation_id,
            TableAllocation.status != AllocationStatus.RELEASED,
        )
    )
    return await allocation.table_numbers(session, table_ids=list(ids))


async def waiting_count(session: AsyncSession, *, restaurant_id: uuid.UUID, day: date) -> int:
    """How many entries of a restaurant-day wait for a table."""
    count = await session.scalar(
        select(func.count())
        .select_from(WaitlistEntry)
        .where(
            WaitlistEntry.restaurant_id == restaurant_id,
            WaitlistEntry.desired_date == day,
            WaitlistEntry.status == WaitlistStatus.WAITING,
        )
    )
    return int(count or 0)
