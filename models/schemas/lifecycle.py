"""Contracts between the API, the reservation workflow and its activities.

Pydantic only (no SQLAlchemy), so the workflow sandbox can import this module.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from models.enums import ConfirmationMode, DepositStatus, PaymentMode
from models.schemas.booking import BookingRequest, HoldOutcome
from models.schemas.common import BillMinor
from rules.state_machine import ReservationAction, ReservationStatus


class LifecyclePolicy(BaseModel):
    """Timings the workflow follows, frozen when the booking starts."""

    confirmation_mode: ConfirmationMode = ConfirmationMode.INSTANT
    reminder_hours_before: int = 24
    manual_confirmation_hours: int = 24
    no_show_grace_minutes: int | None = None
    # staff may mark a no-show from this many minutes after the start (negative: before)
    no_show_after_minutes: int = 15
    review_request_delay_hours: int = 3
    # after a forfeit or a fee, how long a manager may still waive it
    waiver_window_days: int = 30
    # after a hold ends unpaid, how long a late payment is still caught (and refunded)
    late_payment_window_hours: int = 24
    # a seated party nobody completed is completed this long after its expected end
    seated_grace_minutes: int = 60
    # a confirmed booking nobody checked in or marked (and with no automatic no-show)
    # is closed as unresolved this long after its start: no fee, no message
    unresolved_after_hours: int = 6
    # how long one attempt of database or provider work may run before Temporal retries
    # it elsewhere (histories from before these fields replay with the same defaults)
    database_attempt_seconds: int = Field(default=30, gt=0)
    provider_attempt_seconds: int = Field(default=60, gt=0)


class ReservationInput(BaseModel):
    """What starts a ReservationWorkflow."""

    booking: BookingRequest
    policy: LifecyclePolicy = Field(default_factory=LifecyclePolicy)
    # a digest of the caller's request under its Idempotency-Key: a later request with
    # the same key must be the same request (None: no key, or started before digests)
    request_digest: Annotated[str, Field(max_length=64)] | None = None


class BookingFacts(BaseModel):
    """What the database says about a held booking: the hold plus its derived moments."""

    hold: HoldOutcome
    reminder_at: dt.datetime | None = None
    cancellation_deadline_at: dt.datetime | None = None
    payment_mode: PaymentMode = PaymentMode.NONE
    deposit_minor: int = 0  # charged at booking (deposit)
    fee_minor: int = 0  # the most a guarantee's fee can be
    currency: str = "EUR"
    timezone: str = "UTC"
    date: dt.date | None = None
    time: dt.time | None = None
    party_size: int = 0
    # the status the hold transaction left (confirmed or pending when nothing is awaited)
    status: ReservationStatus | None = None
    held_at: dt.datetime | None = None
    # the first message's outbox rows, when the hold's transaction queued them (a
    # confirmed or pending booking): the workflow sends them without queueing again
    queued: list[uuid.UUID] | None = None


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
    payment_mode: PaymentMode = PaymentMode.NONE
    deposit_status: DepositStatus = DepositStatus.NOT_REQUIRED
    deposit_minor: int = 0
    fee_minor: int = 0
    currency: str = "EUR"
    payment_session: CheckoutSessionOut | None = None
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
    # the bill's total a POS reported when the party left (complete only; minor units)
    spend_minor: int | None = None


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
    # a staff choice locks the tables (the optimizer never moves the party); its moves do not
    lock: bool = True


class PartyTables(BaseModel):
    """One party of an exchange: the tables it sits on and the ones it moves to."""

    reservation_id: uuid.UUID
    from_table_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10)]
    to_table_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10)]


class ExchangeTablesRequest(BaseModel):
    """Parties that change tables at once (the optimizer's swaps); never locks them."""

    parties: Annotated[list[PartyTables], Field(min_length=2, max_length=200)]


class DecisionRequest(BaseModel):
    reason: Annotated[str, Field(max_length=1000)] | None = None


class CreateRequest(BaseModel):
    """The creating caller's wait for the hold decision (update-with-start)."""

    # the caller's idempotency key, echoed for the logs; the update id de-duplicates
    idempotency_key: Annotated[str, Field(max_length=200)] | None = None
    # this request's digest, refused when the workflow was started by another request
    request_digest: Annotated[str, Field(max_length=64)] | None = None


class CompleteRequest(BaseModel):
    """The party left."""

    # the bill's total, when a POS reports it (minor units)
    spend_minor: BillMinor | None = None


class NoShowRequest(BaseModel):
    """Staff mark the party as not having come."""

    reason: Annotated[str, Field(max_length=1000)] | None = None


class GuestReconfirmRequest(BaseModel):
    """The guest says they are coming (manage page or SMS)."""

    via: Literal["link", "sms"] = "link"


class PaymentEvent(BaseModel):
    """A verified payment provider notification (signal; de-duplicated by event_id).

    `event_id` is pspReference:eventCode:success, so a redelivery is recognised.
    """

    event_id: str
    event_code: str  # AUTHORISATION, REFUND, REFUND_FAILED, CAPTURE, CANCELLATION, ...
    success: bool
    psp_reference: str
    original_reference: str | None = None
    amount_minor: int = 0
    currency: str = "EUR"
    reason: str | None = None
    stored_payment_method_id: str | None = None


class CheckoutSessionOut(BaseModel):
    """What a Drop-in front end (or the local checkout page) needs to take the payment."""

    session_id: str
    session_data: str
    client_key: str
    environment: str
    checkout_url: str | None = None
    amount_minor: int
    currency: str
    expires_at: dt.datetime | None = None


class MoneyMove(BaseModel):
    """One money movement for an activity; `key` makes it happen once (idempotency key)."""

    reservation_id: uuid.UUID
    kind: Literal["refund", "charge_fee"]
    key: str
    amount_minor: int
    currency: str
    payment_psp_reference: str | None = None  # what a refund gives back
    stored_payment_method_id: str | None = None  # where a fee is charged


def refund_key(reservation_id: uuid.UUID, psp_reference: str) -> str:
    """The idempotency key of giving back one payment the restaurant does not keep."""
    return f"{reservation_id}:refund:{psp_reference}"


class MoneyMoveResult(BaseModel):
    psp_reference: str | None
    # known at once (a synchronous charge answer, or the local provider); else a webhook tells
    settled: bool
    succeeded: bool
    reason: str | None = None


class PaymentRecord(BaseModel):
    """A payment event to persist, and the deposit status the workflow decided on."""

    reservation_id: uuid.UUID
    event: PaymentEvent | None = None
    deposit_status: DepositStatus | None = None


class WaiverRequest(BaseModel):
    """A manager waives a forfeited deposit or a charged fee (refunded the same way)."""

    staff_id: uuid.UUID
    reason: Annotated[str, Field(min_length=3, max_length=1000)]


class RefundResolution(BaseModel):
    """A manager settles a refund the provider refused: ask again, or record that it was
    given back by hand (a bank transfer, cash) so the booking can close."""

    staff_id: uuid.UUID
    action: Literal["retry", "settled_by_hand"]
    reason: Annotated[str, Field(min_length=3, max_length=1000)]


class WaiverRecord(BaseModel):
    """A manager's money decision for the audit trail: a waiver, or a refund resolution."""

    reservation_id: uuid.UUID
    staff_id: uuid.UUID
    reason: str
    deposit_status: DepositStatus
    amount_minor: int
    at: dt.datetime
    # None: a waiver ("waive_<status>"); else the audit action, e.g. "refund_retry"
    action: str | None = None


class SmsReply(BaseModel):
    """A guest's SMS answer (signal; de-duplicated by Twilio's MessageSid)."""

    message_sid: str
    kind: Literal["confirm", "cancel", "stop", "start", "other"]


class StaffMessage(BaseModel):
    """A staff answer already in the thread (signal of earlier releases; kept for them)."""

    thread_message_id: uuid.UUID


class StaffAnswer(BaseModel):
    """Staff answer the guest in the reservation's thread (update)."""

    staff_id: uuid.UUID
    body: Annotated[str, Field(min_length=1, max_length=1600)]


class StaffMessageRecord(BaseModel):
    """A staff answer to keep in the thread (activity input; `key` makes it once only)."""

    reservation_id: uuid.UUID
    staff_id: uuid.UUID
    body: str
    key: str
    at: dt.datetime


MessageTemplate = Literal[
    "deposit_request",
    "deposit_receipt",
    "refund_issued",
    "fee_charged",
    "staff_reply",
    "sms_cancel_refused",
    "waitlist_offer",
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
    "guarantee_request",
    "deposit_forfeited",
]


class MessageIntent(BaseModel):
    """A message to put in the outbox for the guest (activity input)."""

    reservation_id: uuid.UUID
    template: MessageTemplate
    # distinguishes repeated messages of one template (e.g. the second modification)
    sequence: int = 0
    amount_minor: int | None = None
    # a staff reply's thread message, whose text the message carries
    thread_message_id: uuid.UUID | None = None
