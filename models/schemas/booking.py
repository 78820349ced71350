"""Contracts for holding tables: what a booking asks for and what the hold answers.

Shared by the API, the reservation workflow and its activities (pydantic only,
no SQLAlchemy, so workflow code may import it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, Field

from models.enums import ReservationSource


class AlternativeSlot(BaseModel):
    """An available time offered instead of the one asked for; book it with `date` + `time`."""

    date: dt.date = Field(description="local calendar date of the start")
    time: dt.time = Field(description="local wall-clock time of the start")
    starts_at: dt.datetime
    table_numbers: list[str] = Field(default_factory=list)


class BookingRequest(BaseModel):
    """Everything needed to hold tables for a new reservation."""

    reservation_id: uuid.UUID
    restaurant_id: uuid.UUID
    guest_id: uuid.UUID
    party_size: Annotated[int, Field(ge=1, le=100)]
    # the local calendar date and wall clock of the start, as the guest asked; services.booking
    # hands allocation.hold_tables a copy dated with the service day the start belongs to
    date: dt.date
    time: dt.time
    seating_area: str | None = None
    features: list[str] = Field(default_factory=list)
    source: ReservationSource = ReservationSource.ONLINE
    # the partner key a partner channel booked with (None for Google and our own channels)
    partner_id: uuid.UUID | None = None
    special_requests: str | None = None
    occasion: str | None = None
    dietary_requirements: str | None = None
    language: str = "en"
    # staff may book tables that are not online-bookable and pin tables themselves
    staff: bool = False
    table_ids: list[uuid.UUID] | None = None
    hold_minutes: int = 15


class HoldOutcome(BaseModel):
    """The answer to a hold: tables held until `hold_expires_at`, or why not and what instead."""

    held: bool
    reservation_id: uuid.UUID
    reference: str | None = None
    table_ids: list[uuid.UUID] = Field(default_factory=list)
    table_numbers: list[str] = Field(default_factory=list)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    hold_expires_at: dt.datetime | None = None
    reason: str | None = None
    # set when the request itself can never be served (a 422 naming this field)
    invalid_field: str | None = None
    alternatives: list[AlternativeSlot] = Field(default_factory=list)
