"""HTTP contracts for reservations: creating, reading, changing, and staff service actions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import EmailStr, Field, ValidationInfo, field_validator

from models.enums import DepositStatus, PaymentMode, ReservationSource
from models.schemas.alerts import GuestAlertOut
from models.schemas.booking import AlternativeSlot
from models.schemas.common import LocalTime, OutModel, PhoneNumber, ServiceDate, StrictModel
from models.schemas.lifecycle import CheckoutSessionOut
from rules.state_machine import ReservationStatus

Language = Literal["en", "nl", "de", "fr", "es", "it"]
Text1000 = Annotated[str, Field(max_length=1000)]


class GuestIn(StrictModel):
    """Who the booking is for; the guest is found again by normalised email."""

    email: EmailStr
    first_name: Annotated[str, Field(min_length=1, max_length=120)]
    last_name: Annotated[str, Field(max_length=120)] | None = None
    phone: PhoneNumber | None = None
    preferred_language: Language = "en"
    email_notifications: bool = True
    sms_notifications: bool = False
    # the booking form's marketing box: a grant for this restaurant, in these words
    marketing_consent: Annotated[bool, Field(strict=True)] = False
    consent_wording_version: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        default=None, validate_default=True
    )

    @field_validator("consent_wording_version")
    @classmethod
    def _consent_names_its_wording(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("marketing_consent"):
            raise ValueError("required when marketing_consent is true")
        return value


START_DATE = (
    "local calendar date of the start, as availability lists the slot (a slot after "
    "midnight carries the next date; it belongs to the previous day's service); "
    "not before today (422 `in_the_past`)"
)
START_TIME = (
    "local wall-clock time of the start, HH:MM, on the slot grid (otherwise 422 `not_on_slot_grid`)"
)


class ReservationCreate(StrictModel):
    """A guest's booking request: book a listed slot with its `date` and `time` as listed."""

    restaurant_id: uuid.UUID
    date: Annotated[ServiceDate, Field(description=START_DATE)]
    time: Annotated[LocalTime, Field(description=START_TIME)]
    party_size: Annotated[int, Field(strict=True, ge=1, le=100)]
    guest: GuestIn
    seating_preference: Annotated[str, Field(max_length=120)] | None = None
    special_requests: Text1000 | None = None
    occasion: Annotated[str, Field(max_length=60)] | None = None
    dietary_requirements: Text1000 | None = None


def _distinct_tables(value: list[uuid.UUID]) -> list[uuid.UUID]:
    if len(set(value)) != len(value):
        raise ValueError("a table may be listed only once")
    return value


class WalkInCreate(StrictModel):
    """A party that walked in; they are seated at once."""

    party_size: Annotated[int, Field(strict=True, ge=1, le=100)]
    table_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10)] | None = None

    @field_validator("table_ids")
    @classmethod
    def _distinct(cls, value: list[uuid.UUID] | None) -> list[uuid.UUID] | None:
        return None if value is None else _distinct_tables(value)

    guest: GuestIn | None = None
    notes: Text1000 | None = None


class ReservationModify(StrictModel):
    """Fields to change; absent fields stay as they are."""

    date: Annotated[ServiceDate | None, Field(description=START_DATE)] = None
    time: Annotated[LocalTime | None, Field(description=START_TIME)] = None
    party_size: Annotated[int, Field(strict=True, ge=1, le=100)] | None = None
    seating_preference: Annotated[str, Field(max_length=120)] | None = None


class CancelIn(StrictModel):
    reason: Text1000 | None = None


class CheckInIn(StrictModel):
    actual_party_size: Annotated[int, Field(strict=True, ge=1, le=100)] | None = None


class AssignTablesIn(StrictModel):
    table_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10)]
    # false: the optimizer may still move the party
    lock: bool = True

    @field_validator("table_ids")
    @classmethod
    def _distinct(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        return _distinct_tables(value)


class DecisionIn(StrictModel):
    reason: Text1000 | None = None


class LookupIn(StrictModel):
    """A guest without the link finds their booking by reference and email."""

    reference: Annotated[str, Field(min_length=5, max_length=20)]
    email: EmailStr


class DepositOut(OutModel):
    """The booking's money: a deposit charged at booking, or a card guarantee."""

    mode: PaymentMode
    status: DepositStatus
    # the deposit charged, or the most a guarantee's no-show fee can be
    amount_minor: int
    currency: str


class ReservationOut(OutModel):
    id: uuid.UUID
    reference: str
    restaurant_id: uuid.UUID
    status: ReservationStatus
    source: ReservationSource
    date: dt.date = Field(description="local calendar date of the start")
    time: dt.time = Field(description="local wall-clock time of the start")
    party_size: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    duration_minutes: int
    table_numbers: list[str]
    seating_preference: str | None
    special_requests: str | None
    occasion: str | None
    guest_first_name: str
    guest_last_name: str | None
    hold_expires_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    guest_confirmed_at: dt.datetime | None
    seated_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancellation_reason: str | None
    cancelled_within_deadline: bool | None
    cancellation_deadline_at: dt.datetime | None
    actual_party_size: int | None
    deposit: DepositOut
    # the guest must pay (deposit) or store a card (guarantee) before the hold ends
    payment_required: bool
    created_at: dt.datetime


class StaffReservationOut(ReservationOut):
    """What staff see in addition: contact details and notes."""

    guest_id: uuid.UUID
    guest_email: str
    guest_phone: str | None
    dietary_requirements: str | None
    internal_notes: str | None
    # the guest as this restaurant (and its sharing group) knows them
    guest_vip: bool = False
    guest_alerts: list[GuestAlertOut] = []


class HeldReservation(ReservationOut):
    """The answer to a successful create: the booking and the guest's manage link token."""

    manage_token: str
    # what a Drop-in front end needs (or, locally, the checkout page's address)
    payment: CheckoutSessionOut | None = None


class NotAvailable(OutModel):
    """What a 409 "Not available" problem adds: why, and the nearest times that are free."""

    reason: str | None = None
    alternatives: list[AlternativeSlot] = Field(default_factory=list)
