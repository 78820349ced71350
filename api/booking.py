"""Make a booking for a guest: the one path every channel takes (public API, marketplaces).

The caller says who books (`source`) and how a replay is recognised (the
idempotency key, or a reservation id the channel derives from its own booking
id); this checks the restaurant and the time, keeps the guest and their words,
and starts the reservation's workflow with update-with-start.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.lifecycle import BookingReplayed, policy_for, reservation_id_for, start_reservation
from api.problems import InvalidInput
from api.temporal import TemporalConnection
from models.enums import ConfirmationMode, ReservationSource
from models.schemas.booking import BookingRequest, HoldOutcome
from models.schemas.lifecycle import CheckoutSessionOut, ReservationInput, ReservationState
from models.schemas.reservation import ReservationCreate
from reservations.settings import Settings
from rules.state_machine import TERMINAL_STATUSES
from services.availability import check_requested_time
from services.booking import keep_booking_notes
from services.guests import upsert_guest
from services.restaurants import get_restaurant


@dataclass(frozen=True, slots=True)
class BookingAnswer:
    """What became of a booking: held (with a checkout session when one is due) or refused."""

    reservation_id: uuid.UUID
    held: bool
    # a replay of a booking whose workflow has closed: the answer is in the database
    replayed: bool = False
    refusal: HoldOutcome | None = None
    payment: CheckoutSessionOut | None = None


async def book_for_guest(
    session: AsyncSession,
    temporal: TemporalConnection,
    settings: Settings,
    *,
    data: ReservationCreate,
    source: ReservationSource,
    idempotency_key: str | None,
    reservation_id: uuid.UUID | None = None,
) -> BookingAnswer:
    """Hold a table for `data` through a new reservation workflow, or say why not.

    Without `reservation_id` the id is derived from the idempotency key, the
    restaurant and the guest's e-mail (random without a key). Invalid requests
    raise `InvalidInput` (422); an unavailable time is a refused answer.
    """
    restaurant = await get_restaurant(session, restaurant_id=data.restaurant_id)
    if not restaurant.is_active or not restaurant.accepts_reservations:
        raise InvalidInput("this restaurant does not take reservations", field="restaurant_id")
    await check_requested_time(
        session,
        restaurant_id=restaurant.id,
        day=data.date,
        local_time=data.time,
        now=datetime.now(UTC),
    )
    if data.seating_preference is not None:
        data = data.model_copy(update={"seating_preference": data.seating_preference or None})
    guest = await upsert_guest(session, data=data.guest)
    if reservation_id is None:
        # a key names one booking of one guest at one restaurant: replaying someone else's
        # key with another email starts a booking of its own instead of revealing theirs
        reservation_id = reservation_id_for(idempotency_key, scope=f"{restaurant.id}:{guest.email}")
    booking = BookingRequest(
        reservation_id=reservation_id,
        restaurant_id=restaurant.id,
        guest_id=guest.id,
        party_size=data.party_size,
        date=data.date,
        time=data.time,
        seating_area=data.seating_preference,
        source=source,
        special_requests=data.special_requests,
        occasion=data.occasion,
        dietary_requirements=data.dietary_requirements,
        language=data.guest.preferred_language,
        hold_minutes=settings.hold_minutes,
    )
    # the guest's words wait in the database; the workflow's input carries ids only
    booking = await keep_booking_notes(session, booking=booking)
    await session.commit()
    inp = ReservationInput(
        booking=booking,
        policy=policy_for(settings, manual=restaurant.confirmation_mode is ConfirmationMode.MANUAL),
    )
    try:
        state = await start_reservation(
            temporal,
            inp=inp,
            task_queue=settings.temporal_task_queue,
            idempotency_key=idempotency_key,
            memo={"guest_id": str(guest.id)},
        )
    except BookingReplayed:
        return BookingAnswer(reservation_id=reservation_id, held=True, replayed=True)
    if state.hold is not None and state.hold.invalid_field is not None:
        raise InvalidInput(state.hold.reason or "invalid booking", field=state.hold.invalid_field)
    if _refused(state):
        return BookingAnswer(reservation_id=reservation_id, held=False, refusal=state.hold)
    return BookingAnswer(reservation_id=reservation_id, held=True, payment=state.payment_session)


def _refused(state: ReservationState) -> bool:
    return (
        state.refused
        or state.hold is None
        or not state.hold.held
        or (state.status is not None and state.status in TERMINAL_STATUSES)
    )
