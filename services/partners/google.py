"""Reserve with Google: our restaurants, slots and bookings in Google's terms.

merchant_id is our restaurant id; a slot is a start instant (start_sec), a duration
(our turn time for the party) and a party size (resources.party_size); service_id is
one configured id for every merchant. Availability comes from the same engine and
cache as our own API.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationSource
from models.orm import GoogleBooking, Reservation, Restaurant
from models.schemas.google import (
    Booking,
    BookingStatus,
    FailureCause,
    ResourceIds,
    Slot,
    SlotTime,
    SlotTimeAvailability,
    UserInformation,
)
from reservations.cache import Cache
from rules.availability import SlotAvailability
from rules.state_machine import ReservationStatus as S
from services import reservation_queries as queries
from services.availability import cached_days
from services.booking import turn_minutes
from services.reservation_queries import ReservationView

# the reason given to a cancel Google asked for: Google is not told of its own change
CANCELLED_ON_GOOGLE = "cancelled on Google"
# a start before this hour is looked up in the previous day's services too
AFTER_MIDNIGHT_UNTIL = 6
# a stable namespace: the same idempotency token always names the same reservation
GOOGLE_NAMESPACE = uuid.UUID("3b0f6a52-8d1c-4c8e-9a51-6f0e2d7c4b19")

_STATUS: dict[S, BookingStatus] = {
    S.HELD: "PENDING_CLIENT_CONFIRMATION",
    S.PENDING_CONFIRMATION: "PENDING_MERCHANT_CONFIRMATION",
    S.CONFIRMED: "CONFIRMED",
    S.SEATED: "CONFIRMED",
    S.COMPLETED: "CONFIRMED",
    S.NO_SHOW: "NO_SHOW",
    S.CANCELLED_BY_GUEST: "CANCELED",
    S.CANCELLED_BY_RESTAURANT: "CANCELED",
    S.EXPIRED: "FAILED",
    S.DECLINED: "DECLINED_BY_MERCHANT",
}

# our refusal reasons (rules.availability.UnavailableReason and the API's) in Google's words
_CAUSES: dict[str, FailureCause] = {
    "pacing_limit_reached": "SLOT_UNAVAILABLE",
    "no_table_fits": "SLOT_UNAVAILABLE",
    "outside_opening_hours": "SLOT_UNAVAILABLE",
    "special_day_closed": "SLOT_UNAVAILABLE",
    "too_short_notice": "SLOT_UNAVAILABLE",
    "beyond_booking_window": "SLOT_UNAVAILABLE",
    "party_too_large": "SLOT_UNAVAILABLE",
    "party_too_small": "SLOT_UNAVAILABLE",
    "in_the_past": "SLOT_UNAVAILABLE",
    "not_on_slot_grid": "SLOT_UNAVAILABLE",
    "not_accepting_reservations": "SLOT_UNAVAILABLE",
}


def reservation_id_for_token(token: str) -> uuid.UUID:
    """The reservation a CreateBooking idempotency token names, always the same."""
    return uuid.uuid5(GOOGLE_NAMESPACE, f"google:{token}")


def booking_status(status: S) -> BookingStatus:
    """Our status in Google's BookingStatus."""
    return _STATUS.get(status, "BOOKING_STATUS_UNSPECIFIED")


def failure_cause(reason: str | None) -> FailureCause:
    """Our refusal reason as Google's BookingFailure cause (unknown ones: slot unavailable)."""
    return _CAUSES.get(reason or "", "SLOT_UNAVAILABLE")


def merchant_uuid(merchant_id: str) -> uuid.UUID | None:
    """Our restaurant id from Google's merchant_id, or None when it is not one of ours."""
    try:
        return uuid.UUID(merchant_id)
    except ValueError:
        return None


async def merchant(session: AsyncSession, merchant_id: str) -> Restaurant | None:
    """The active restaurant that takes bookings behind `merchant_id`, or None."""
    rid = merchant_uuid(merchant_id)
    restaurant = await session.get(Restaurant, rid) if rid else None
    if restaurant is None or not restaurant.is_active or not restaurant.accepts_reservations:
        return None
    return restaurant


def slot_length_refusal(
    restaurant: Restaurant, *, duration_sec: int | None, party: int
) -> str | None:
    """Why a slot's duration is not the one we book for this party (None: it is, or unset).

    BatchAvailabilityLookup answers such a slot unavailable; booking it must agree."""
    if not duration_sec:
        return None
    ours = turn_minutes(restaurant, party) * 60
    if duration_sec == ours:
        return None
    return f"a party of {party} books {ours} s here, not {duration_sec} s"


def local_start(restaurant: Restaurant, start_sec: int) -> datetime:
    """The slot's start as a naive local wall-clock time of the restaurant."""
    instant = datetime.fromtimestamp(start_sec, UTC)
    return instant.astimezone(ZoneInfo(restaurant.timezone)).replace(tzinfo=None)


def slot_of(view: ReservationView, *, service_id: str) -> Slot:
    """A reservation's slot in Google's terms."""
    r = view.reservation
    return Slot(
        merchant_id=str(r.restaurant_id),
        service_id=service_id,
        start_sec=int(r.starts_at.timestamp()),
        duration_sec=int((r.ends_at - r.starts_at).total_seconds()),
        resources=ResourceIds(party_size=r.party_size),
        confirmation_mode="CONFIRMATION_MODE_SYNCHRONOUS",
    )


def booking_of(view: ReservationView, *, service_id: str, user_id: str | None) -> Booking:
    """A reservation as Google's Booking (the guest's details as Google sent them)."""
    guest = view.guest
    return Booking(
        booking_id=str(view.reservation.id),
        slot=slot_of(view, service_id=service_id),
        user_information=UserInformation(
            user_id=user_id,
            given_name=guest.first_name,
            family_name=guest.last_name,
            telephone=guest.phone,
            email=guest.email,
        ),
        status=booking_status(view.reservation.status),
    )


async def remember_user(
    session: AsyncSession, *, reservation_id: uuid.UUID, user_id: str | None
) -> None:
    """Note which Google user made the booking (once; a replay, even a concurrent one,
    changes nothing)."""
    if await session.get(GoogleBooking, reservation_id) is not None:
        return
    try:
        async with session.begin_nested():
            session.add(GoogleBooking(reservation_id=reservation_id, user_id=user_id))
    except IntegrityError:
        pass  # a concurrent replay of the same token noted it first


async def google_view(
    session: AsyncSession, *, booking_id: str
) -> tuple[ReservationView, str | None] | None:
    """A booking Google made, with its Google user id; None for any other id."""
    try:
        rid = uuid.UUID(booking_id)
    except ValueError:
        return None
    reservation = await session.get(Reservation, rid)
    if reservation is None or reservation.source is not ReservationSource.GOOGLE:
        return None
    mark = await session.get(GoogleBooking, rid)
    return await queries.get_view(session, reservation_id=rid), mark.user_id if mark else None


async def bookings_of_user(session: AsyncSession, *, user_id: str) -> list[ReservationView]:
    """Every booking a Google user made with us, oldest start first."""
    ids = list(
        await session.scalars(
            select(GoogleBooking.reservation_id)
            .join(Reservation, Reservation.id == GoogleBooking.reservation_id)
            .where(GoogleBooking.user_id == user_id)
            .order_by(Reservation.starts_at)
            .limit(500)
        )
    )
    return [await queries.get_view(session, reservation_id=rid) for rid in ids]


async def lookup(
    session: AsyncSession,
    cache: Cache,
    *,
    merchant_id: str,
    slot_times: list[SlotTime],
    service_id: str,
    max_party_size: int,
    now: datetime,
) -> list[SlotTimeAvailability]:
    """Exactly one answer per requested slot, in order; a slot not ours is unavailable.

    Slots are grouped by party size; each group reads its service days once (through
    the availability cache), so a batch costs one engine run per party size and day.
    """
    answers = [False] * len(slot_times)
    restaurant = await merchant(session, merchant_id)
    if restaurant is not None:
        wanted: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
        for index, slot in enumerate(slot_times):
            party = slot.resource_ids.party_size if slot.resource_ids else None
            if party is None or party > max_party_size:
                continue
            if slot.service_id and slot.service_id != service_id:
                continue
            wanted[party].append((index, local_start(restaurant, slot.start_sec)))
        for party, items in wanted.items():
            # a slot in the small hours may belong to the previous day's service
            days: set[date] = set()
            for _, start in items:
                days.add(start.date())
                if start.hour < AFTER_MIDNIGHT_UNTIL:
                    days.add(start.date() - timedelta(days=1))
            day_answers = await cached_days(
                session,
                cache,
                restaurant_id=restaurant.id,
                days=sorted(days),
                party_size=party,
                now=now,
            )
            by_start: dict[datetime, SlotAvailability] = {
                s.local_time: s for answer in day_answers for s in answer.slots
            }
            for index, start in items:
                found = by_start.get(start)
                duration = slot_times[index].duration_sec
                answers[index] = (
                    found is not None
                    and found.available
                    and (
                        not duration
                        or duration == int((found.end_utc - found.start_utc).total_seconds())
                    )
                )
    return [
        SlotTimeAvailability(slot_time=slot, available=ok)
        for slot, ok in zip(slot_times, answers, strict=True)
    ]
