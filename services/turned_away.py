"""Recording booking requests turned away as full, and reading them back as demand.

Only refusals for want of room count (no table fits, the pacing limit): a closed day,
a time off the grid or a blocked guest is not demand the restaurant could have
served. Offers the waitlist tries on its guests' behalf are not requests either.
Each request counts once, by its id (a retried request with the same idempotency key
derives the same id); the caller's transaction commits the row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, exists
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationSource
from models.orm import Reservation, TurnedAwayRequest
from reservations.db import upsert_insert
from rules.availability import UnavailableReason

FULL_REASONS = frozenset(
    {UnavailableReason.NO_TABLE_FITS.value, UnavailableReason.PACING_LIMIT_REACHED.value}
)


@dataclass(frozen=True, slots=True)
class TurnedAway:
    """One request refused as full: what was asked, and when."""

    request_id: uuid.UUID
    restaurant_id: uuid.UUID
    day: date
    local_time: time
    starts_at: datetime
    party_size: int
    seating_area: str | None
    source: ReservationSource
    reason: str
    asked_at: datetime


def counts_as_demand(reason: str | None, source: ReservationSource) -> bool:
    """Whether a refusal with ``reason`` of a request from ``source`` is turned-away demand."""
    return reason in FULL_REASONS and source is not ReservationSource.WAITLIST


def not_booked_since() -> ColumnElement[bool]:
    """SQL: the turned-away request was not booked later under the same id (a retried
    key that found a table); such a request counts as its booking."""
    return ~exists().where(Reservation.id == TurnedAwayRequest.id)


async def record_turned_away(session: AsyncSession, requests: Sequence[TurnedAway]) -> None:
    """Add the refused requests (a request already recorded is kept).

    One statement compiled once, whatever the number of rows (executemany; the
    drivers batch the rows), so a crowd's refusals cost little.
    """
    if not requests:
        return
    insert = upsert_insert(session)
    await session.execute(
        insert(TurnedAwayRequest).on_conflict_do_nothing(index_elements=[TurnedAwayRequest.id]),
        [
            {
                "id": r.request_id,
                "restaurant_id": r.restaurant_id,
                "reservation_date": r.day,
                "reservation_time": r.local_time.replace(tzinfo=None, fold=0),
                "starts_at": r.starts_at,
                "party_size": r.party_size,
                "seating_area": r.seating_area,
                "source": r.source,
                "reason": r.reason,
                "asked_at": r.asked_at,
            }
            for r in requests
        ],
    )
