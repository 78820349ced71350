"""Contracts of the waitlist: the API's bodies and answers, the workflows' inputs and state.

Pydantic only (no SQLAlchemy), so the workflow sandbox can import this module.
Workflow inputs and states carry ids and non-personal facts only: names, phones
and notes stay in the database.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from models.enums import WaitlistStatus
from models.schemas.common import LocalTime, ServiceDate, StrictModel
from models.schemas.reservation import GuestIn

PartySize = Annotated[int, Field(strict=True, ge=1, le=100)]


class WaitlistKind(StrEnum):
    """A future waitlist ("tell me if Saturday frees up") or today's walk-in queue."""

    FUTURE = "future"
    WALK_IN = "walk_in"


# ---- the API's bodies --------------------------------------------------------------


class WaitlistJoin(StrictModel):
    """A guest (or staff for them) asks to be told when a fitting table frees up."""

    restaurant_id: uuid.UUID
    date: Annotated[ServiceDate, Field(description="the service day wanted")]
    time_from: Annotated[LocalTime, Field(description="earliest local start time wanted")]
    time_to: Annotated[LocalTime, Field(description="latest local start time wanted")]
    party_size: PartySize
    seating_area: Annotated[str, Field(max_length=120)] | None = None
    guest: GuestIn
    notes: Annotated[str, Field(max_length=1000)] | None = None


class WalkInQueueAdd(StrictModel):
    """Staff add a party at the door (or on the phone) to today's queue."""

    party_size: PartySize
    first_name: Annotated[str, Field(min_length=1, max_length=120)]
    phone: Annotated[str, Field(max_length=40)] | None = None
    language: Literal["en", "nl", "de", "fr", "es", "it"] = "en"
    seating_area: Annotated[str, Field(max_length=120)] | None = None
    notes: Annotated[str, Field(max_length=1000)] | None = None


class SeatWalkIn(StrictModel):
    """Staff seat a queued party (optionally on tables of their choosing)."""

    table_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10)] | None = None


class OfferOut(BaseModel):
    """Tables held for an entry while it decides."""

    reservation_id: uuid.UUID
    table_numbers: list[str]
    starts_at: dt.datetime
    expires_at: dt.datetime


class WaitlistEntryOut(BaseModel):
    """A waitlist entry as guests and staff read it."""

    id: uuid.UUID
    restaurant_id: uuid.UUID
    kind: WaitlistKind
    status: WaitlistStatus
    party_size: int
    date: dt.date
    time_from: dt.time | None
    time_to: dt.time | None
    seating_area: str | None = None
    quoted_wait_minutes: int | None = None
    quoted_at: dt.datetime | None = None
    offer: OfferOut | None = None
    reservation_id: uuid.UUID | None = None
    seated_at: dt.datetime | None = None
    created_at: dt.datetime


class WaitlistJoined(WaitlistEntryOut):
    """The answer to joining: the entry and the guest's manage token."""

    manage_token: str


class WaitQuote(BaseModel):
    """How long a party of this size would wait now, from the live timeline."""

    party_size: int
    wait_minutes: int | None = Field(
        description="minutes until a fitting table frees up; null: none today"
    )
    table_numbers: list[str] = Field(default_factory=list)
    at: dt.datetime | None = None
    parties_ahead: int = Field(
        default=0, description="parties waiting at the door today, seated first in the quote"
    )


# ---- workflow contracts ------------------------------------------------------------


class WaitlistInput(BaseModel):
    """What starts a WaitlistWorkflow (workflow id `waitlist-<entry id>`)."""

    entry_id: uuid.UUID
    restaurant_id: uuid.UUID
    kind: WaitlistKind
    date: dt.date
    party_size: int
    # the entry ends (the guest is told) when its window has passed
    expires_at: dt.datetime
    # how long an offer holds its tables: 10 minutes by default, 2 for "table ready"
    offer_minutes: int = 10


class OfferFacts(BaseModel):
    """A hold the dispatcher took for an entry (signalled to the entry's workflow)."""

    offer_id: str
    reservation_id: uuid.UUID
    table_numbers: list[str]
    starts_at: dt.datetime
    expires_at: dt.datetime


class WaitlistState(BaseModel):
    """The live state of an entry (query, update answers and final result)."""

    entry_id: uuid.UUID
    restaurant_id: uuid.UUID
    status: WaitlistStatus = WaitlistStatus.WAITING
    offer: OfferFacts | None = None
    reservation_id: uuid.UUID | None = None
    quoted_wait_minutes: int | None = None


class OfferAnswer(BaseModel):
    """The guest's (or staff's) answer to an offer."""

    via: Literal["link", "sms", "staff"] = "link"


class LeaveRequest(BaseModel):
    """The guest leaves the list, or staff remove the entry."""

    by: Literal["guest", "restaurant"]


class NotifyRequest(BaseModel):
    """Staff ask for an offer now (or a "we will call you" message when nothing fits)."""

    staff_id: uuid.UUID


class SeatRequest(BaseModel):
    """Staff seat a walk-in party; it becomes a seated walk-in reservation."""

    staff_id: uuid.UUID
    table_ids: list[uuid.UUID] | None = None


class SkipRequest(BaseModel):
    """Staff skip a queued party (they left, or did not answer)."""

    staff_id: uuid.UUID


class CapacityChanged(BaseModel):
    """Tables may have freed up on a restaurant-day (signal to its dispatcher)."""

    restaurant_id: uuid.UUID
    day: dt.date
    # why, for the logs: cancelled, declined, expired, moved, no_show, completed, ...
    reason: Annotated[str, Field(max_length=60)]
    event_id: str


class DispatcherInput(BaseModel):
    """What starts the WaitlistDispatcher of one restaurant-day."""

    restaurant_id: uuid.UUID
    day: dt.date
    # carried over by continue-as-new: a match was due, and how many offers were told
    pending: bool = False
    offers_made: int = 0


def entry_workflow_id(entry_id: uuid.UUID) -> str:
    """The workflow id of a waitlist entry."""
    return f"waitlist-{entry_id}"


def dispatcher_workflow_id(restaurant_id: uuid.UUID, day: dt.date) -> str:
    """The workflow id of a restaurant-day's dispatcher (reached with signal-with-start)."""
    return f"waitlist-dispatch-{restaurant_id}-{day.isoformat()}"


# ---- activity contracts of the waitlist (workflows.waitlist_contracts) --------------

WaitlistTemplate = Literal[
    "waitlist_joined",
    "waitlist_offer",
    "waitlist_table_ready",
    "waitlist_call_you",
    "waitlist_expired",
]


class EntryOpened(BaseModel):
    """The entry as its workflow first finds it in the database."""

    status: WaitlistStatus
    quoted_wait_minutes: int | None = None


class MatchRequest(BaseModel):
    """Offer freed capacity of a restaurant-day to waiting entries (first come, first served)."""

    restaurant_id: uuid.UUID
    day: dt.date
    # only this entry (staff asked to notify it now); None: every waiting entry of the day
    entry_id: uuid.UUID | None = None
    # at most this many offers per call (the dispatcher calls again while it gets a full list)
    limit: int = 5


class OfferMade(BaseModel):
    """A hold taken for an entry by matching: the entry's workflow is told with `facts`."""

    entry_id: uuid.UUID
    facts: OfferFacts


class ReleaseOffer(BaseModel):
    """Release an offer's held tables (declined, timed out, withdrawn); idempotent."""

    entry_id: uuid.UUID
    reservation_id: uuid.UUID
    reason: Annotated[str, Field(max_length=60)]


class EntryStatusChange(BaseModel):
    """Record the entry's new status (terminal statuses also record when it ended)."""

    entry_id: uuid.UUID
    status: WaitlistStatus
    at: dt.datetime


class OfferDecision(BaseModel):
    """The guest accepted the offer: its held reservation becomes a real booking."""

    entry_id: uuid.UUID
    reservation_id: uuid.UUID


class AcceptedOffer(BaseModel):
    """The booking an accepted offer became (its ReservationWorkflow has started)."""

    reservation_id: uuid.UUID
    reference: str


class SeatEntry(BaseModel):
    """Seat a walk-in party now: the offer's tables, staff-chosen tables, or the engine's."""

    entry_id: uuid.UUID
    staff_id: uuid.UUID
    table_ids: list[uuid.UUID] | None = None
    offer_reservation_id: uuid.UUID | None = None


class WaitlistMessageIntent(BaseModel):
    """A waitlist message to put in the outbox for the entry's guest (activity input)."""

    entry_id: uuid.UUID
    template: WaitlistTemplate
    # distinguishes repeated messages of one template (the second offer, ...)
    sequence: int = 0
