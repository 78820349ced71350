"""Contracts between the API, the reservation workflow and its activities.

Pydantic only (no SQLAlchemy), so the workflow sandbox can import this module.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from models.enums import ConfirmationMode, DepositStatus
from models.schemas.booking import BookingRequest, HoldOutcome
from rules.state_machine import ReservationAction, ReservationStatus


class LifecyclePolicy(BaseModel):
    """Timings the workflow follows, frozen when the booking starts."""

    confirmation_mode: ConfirmationMode = ConfirmationMode.INSTANT
    reminder_hours_before: int = 24
    manual_confirmation_hours: int = 24
    no_show_grace_minutes: int | None = None
    review_request_delay_hours: int = 3


class ReservationInput(BaseModel):
    """What starts a ReservationWorkflow."""

    booking: BookingRequest
    policy: LifecyclePolicy = Field(default_factory=LifecyclePolicy)
    # walk-ins start seated
    walk_in: bool = False


class BookingFacts(BaseModel):
    """What the database says about a held booking: the hold plus its derived moments."""

    hold: HoldOutcome
    reminder_at: dt.datetime | None = None
    cancellation_deadline_at: dt.datetime | None = None
    deposit_minor: int = 0
    currency: str = "EUR"
    timezone: str = "UTC"
    date: dt.date | None = None
    time: dt.time | None = None
    party_size: int = 0
    # the status the hold transaction left (confirmed or pending when nothing is awaited)
    status: ReservationStatus | None = None
    held_at: dt.datetime | None = None


class ReservationState(BaseModel):
    """The live state a query returns, and the workflow's final result."""

    reservation_id: uuid.UUID
    restaurant_id: uuid.UUID
    status: ReservationStatus | None = None
    reference: str | None = None
    hold: HoldOutcome | None = None
    date: dt.date | None = None
    time: dt.time | None = None
    party_size: int = 0
    starts_at: dt.datetime | None = None
    table_numbers: list[str] = Field(default_factory=list)
    deposit_status: DepositStatus = DepositStatus.NOT_REQUIRED
    deposit_minor: int = 0
    currency: str = "EUR"
    reminder_at: dt.datetime | None = None
    reminder_sent: bool = False
    guest_confirmed_at: dt.datetime | None = None
    refused: bool = False


class Transition(BaseModel):
    """One state change to record in the database (activity input)."""

    reservation_id: uuid.UUID
    action: ReservationAction
    status: ReservationStatus
    at: dt.datetime
    reason: str | None = None
    within_deadline: bool | None = None
    actual_party_size: int | None = None
    release_tables: bool = False


class ModifyRequest(BaseModel):
    """A change of date, time, party size or seating preference (absent = unchanged)."""

    date: dt.date | None = None
    time: dt.time | None = None
    party_size: Annotated[int, Field(ge=1, le=100)] | None = None
    seating_area: str | None = None
    staff: bool = False


class CancelRequest(BaseModel):
    by: Literal["guest", "restaurant"]
    reason: Annotated[str, Field(max_length=1000)] | None = None


class CheckInRequest(BaseModel):
    actual_party_size: Annotated[int, Field(ge=1, le=100)] | None = None


class AssignTablesRequest(BaseModel):
    table_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10)]


class DecisionRequest(BaseModel):
    reason: Annotated[str, Field(max_length=1000)] | None = None


class DepositPaid(BaseModel):
    """A payment provider says the deposit is paid (signal; de-duplicated by event_id)."""

    event_id: str
    psp_reference: str | None = None
    amount_minor: int = 0


class DepositFailed(BaseModel):
    event_id: str
    reason: str | None = None


MessageTemplate = Literal[
    "held",
    "confirmation",
    "pending",
    "declined",
    "modification",
    "cancellation_by_guest",
    "cancellation_by_restaurant",
    "hold_expired",
    "reminder",
    "review_request",
    "no_show",
]


class MessageIntent(BaseModel):
    """A message to put in the outbox for the guest (activity input)."""

    reservation_id: uuid.UUID
    template: MessageTemplate
    # distinguishes repeated messages of one template (e.g. the second modification)
    sequence: int = 0
