"""Which reservations a figure counts, as SQL conditions shared by every family."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, func

from models.enums import ReservationStatus as S
from models.orm import Reservation
from services.analytics.window import Window

# a booking that stood at some point (holds that lapsed and declined requests never did)
BOOKED = (
    S.PENDING_CONFIRMATION,
    S.CONFIRMED,
    S.SEATED,
    S.COMPLETED,
    S.NO_SHOW,
    S.CANCELLED_BY_GUEST,
    S.CANCELLED_BY_RESTAURANT,
)
ATTENDED = (S.SEATED, S.COMPLETED)
CANCELLED = (S.CANCELLED_BY_GUEST, S.CANCELLED_BY_RESTAURANT)


def booked_in(restaurant_id: uuid.UUID, window: Window) -> ColumnElement[bool]:
    """The restaurant's bookings whose local date lies in the window."""
    return and_(
        Reservation.restaurant_id == restaurant_id,
        Reservation.reservation_date >= window.date_from,
        Reservation.reservation_date <= window.date_to,
        Reservation.status.in_(BOOKED),
    )


def attended() -> ColumnElement[bool]:
    """SQL: the party came (seated, or seated and completed)."""
    return Reservation.status.in_(ATTENDED)


def covers() -> ColumnElement[int]:
    """The party counted at check-in, else the party booked."""
    return func.coalesce(Reservation.actual_party_size, Reservation.party_size)


def late_cancelled() -> ColumnElement[bool]:
    """SQL: cancelled by the guest after the cancellation deadline."""
    return and_(
        Reservation.status == S.CANCELLED_BY_GUEST,
        Reservation.cancelled_within_deadline.is_(False),
    )
