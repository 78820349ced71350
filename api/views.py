"""Turning stored reservations into their HTTP shapes."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import DepositStatus, PaymentMode
from models.schemas.alerts import GuestAlertOut
from models.schemas.reservation import DepositOut, ReservationOut, StaffReservationOut
from rules.state_machine import TERMINAL_STATUSES
from services.crm.alerts import NO_FLAGS, GuestFlags, flags_by_reservation
from services.reservation_queries import ReservationView


def reservation_out(view: ReservationView) -> ReservationOut:
    """What a guest sees of their booking."""
    r = view.reservation
    return ReservationOut(
        id=r.id,
        reference=r.reference,
        restaurant_id=r.restaurant_id,
        status=r.status,
        source=r.source,
        date=r.reservation_date,
        time=r.reservation_time,
        party_size=r.party_size,
        starts_at=r.starts_at,
        ends_at=r.ends_at,
        duration_minutes=r.duration_minutes,
        table_numbers=view.table_numbers,
        seating_preference=r.seating_preference,
        special_requests=r.special_requests,
        occasion=r.occasion,
        guest_first_name=view.guest.first_name,
        guest_last_name=view.guest.last_name,
        hold_expires_at=r.hold_expires_at,
        confirmed_at=r.confirmed_at,
        guest_confirmed_at=r.guest_confirmed_at,
        seated_at=r.seated_at,
        completed_at=r.completed_at,
        cancelled_at=r.cancelled_at,
        cancellation_reason=r.cancellation_reason,
        cancelled_within_deadline=r.cancelled_within_deadline,
        cancellation_deadline_at=r.cancellation_deadline_at,
        actual_party_size=r.actual_party_size,
        deposit=DepositOut(
            mode=r.payment_mode,
            status=r.deposit_status,
            amount_minor=(
                r.no_show_fee_minor
                if r.payment_mode is PaymentMode.GUARANTEE
                else r.deposit_amount_minor
            ),
            currency=r.currency,
        ),
        # an ended booking asks nothing more (its deposit stays "pending": never paid)
        payment_required=r.deposit_status is DepositStatus.PENDING
        and r.status not in TERMINAL_STATUSES,
        created_at=r.created_at,
    )


def alerts_out(flags: GuestFlags) -> list[GuestAlertOut]:
    """The guest's alerts in their HTTP shape (staff answers only)."""
    return [
        GuestAlertOut(
            kind="note" if a.kind == "note" else "allergy",
            note_type=a.note_type,
            text=a.text,
            restaurant_id=a.restaurant_id,
        )
        for a in flags.alerts
    ]


def staff_reservation_out(
    view: ReservationView, flags: GuestFlags = NO_FLAGS
) -> StaffReservationOut:
    """What staff see: the guest view plus contact details, notes and the guest's alerts."""
    return StaffReservationOut(
        **reservation_out(view).model_dump(),
        guest_id=view.guest.id,
        guest_email=view.guest.email,
        guest_phone=view.guest.phone,
        dietary_requirements=view.reservation.dietary_requirements,
        internal_notes=view.reservation.internal_notes,
        guest_vip=flags.vip,
        guest_alerts=alerts_out(flags),
    )


async def staff_outs(
    session: AsyncSession, views: list[ReservationView]
) -> list[StaffReservationOut]:
    """A page of reservations as staff see them, alerts loaded per restaurant, not per row."""
    by_restaurant: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for view in views:
        by_restaurant[view.reservation.restaurant_id].append(view.reservation.id)
    flags: dict[uuid.UUID, GuestFlags] = {}
    for restaurant_id, reservation_ids in by_restaurant.items():
        flags.update(
            await flags_by_reservation(
                session, restaurant_id=restaurant_id, reservation_ids=reservation_ids
            )
        )
    return [staff_reservation_out(v, flags.get(v.reservation.id, NO_FLAGS)) for v in views]


async def staff_out(session: AsyncSession, view: ReservationView) -> StaffReservationOut:
    """One reservation as staff see it, with its guest's alerts."""
    return (await staff_outs(session, [view]))[0]
