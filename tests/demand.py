"""Writing a past booking request as the booking paths leave it: a reservation, a row of
`turned_away_requests`, or both under one id (refused, then booked with the same key)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationSource, ReservationStatus
from models.orm import Reservation, TurnedAwayRequest


def add_request(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    day: date,
    at: time,
    starts_at: datetime,
    party: int,
    asked_at: datetime,
    source: ReservationSource = ReservationSource.ONLINE,
    turned_away: bool = False,
    booked: bool = True,
    status: ReservationStatus = ReservationStatus.CONFIRMED,
) -> None:
    """Add one request's rows to ``session`` (a 90-minute booking when ``booked``)."""
    request_id = uuid.uuid4()
    if turned_away:
        session.add(
            TurnedAwayRequest(
                id=request_id,
                restaurant_id=restaurant_id,
                reservation_date=day,
                reservation_time=at,
                starts_at=starts_at,
                party_size=party,
                seating_area=None,
                source=source,
                reason="no_table_fits",
                asked_at=asked_at,
            )
        )
    if booked:
        session.add(
            Reservation(
                id=request_id,
                reference=f"RES-{uuid.uuid4().hex[:16]}",
                restaurant_id=restaurant_id,
                guest_id=guest_id,
                party_size=party,
                reservation_date=day,
                reservation_time=at,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=90),
                duration_minutes=90,
                status=status,
                source=source,
                created_at=asked_at,
                currency="EUR",
            )
        )
