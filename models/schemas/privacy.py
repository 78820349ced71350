"""GDPR contracts: the public requests, and the inputs and results of the privacy workflows.

Workflow inputs and results carry ids, counts and flags only: histories cannot be
erased, so no personal data may ever travel through them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, EmailStr, Field

from models.schemas.common import StrictModel


class PrivacyRequestIn(StrictModel):
    """A guest asks for a link to their data (or to erase it), by their email address."""

    email: EmailStr


class PrivacyRequestAccepted(BaseModel):
    """The same answer whether or not the address is known."""

    status: Literal["accepted"] = "accepted"
    detail: str


class ErasureStarted(BaseModel):
    """The erasure workflow that runs (or ran) for the guest."""

    guest_id: uuid.UUID
    workflow_id: str


class ErasureInput(BaseModel):
    """Whom to erase, and who asked (a staff member, or None for the guest themselves)."""

    guest_id: uuid.UUID
    staff_id: uuid.UUID | None = None


class ErasureResult(BaseModel):
    """What the erasure did: bookings cancelled, waitlist entries left, and whether it erased."""

    guest_id: uuid.UUID
    cancelled_reservations: list[uuid.UUID] = Field(default_factory=list)
    left_waitlist_entries: list[uuid.UUID] = Field(default_factory=list)
    erased: bool = False
    # profiles merged into the guest earlier: the same person, erased with them
    erased_merged_guests: list[uuid.UUID] = Field(default_factory=list)


class AnonymiseRequest(BaseModel):
    """One guest to anonymise, the audit action and who asked."""

    guest_id: uuid.UUID
    action: Literal["erased", "retention"] = "erased"
    staff_id: uuid.UUID | None = None


class RetentionInput(BaseModel):
    """One retention run; dry_run lists what it would do and changes nothing."""

    dry_run: bool = False
    guest_months: Annotated[int, Field(ge=1, le=240)] = 36
    message_body_months: Annotated[int, Field(ge=1, le=240)] = 12
    demand_months: Annotated[int, Field(ge=1, le=240)] = 25
    batch_size: Annotated[int, Field(ge=1, le=5000)] = 200


class UnsentLinks(BaseModel):
    """Privacy links queued before ``queued_before`` and still unsent: their request could
    not start the send (Temporal was unreachable then)."""

    queued_before: AwareDatetime
    task_queue: Annotated[str, Field(min_length=1, max_length=200)]
    limit: Annotated[int, Field(ge=1, le=5000)] = 500


class InactiveQuery(BaseModel):
    """One page of inactive guests (keyset pagination by id)."""

    cutoff: datetime
    now: datetime
    after: uuid.UUID | None = None
    limit: int


class RetireBatch(BaseModel):
    """Guests a retention run found inactive; each is checked again before it is anonymised."""

    guest_ids: list[uuid.UUID]
    cutoff: datetime
    now: datetime


class MessageCutoff(BaseModel):
    """Message bodies older than `cutoff`, at most `limit` of each kind per call."""

    cutoff: datetime
    limit: int


class DemandCutoff(BaseModel):
    """Turned-away requests for dates before `before`, at most `limit` per call."""

    before: date
    limit: int


# at most this many guest ids are listed in a result (the counts are complete)
LISTED_IDS = 1000


class RetentionResult(BaseModel):
    """What a run did (or would do): counts, and the first guest ids."""

    dry_run: bool
    guest_cutoff: datetime
    message_cutoff: datetime
    guests: int = 0
    guest_ids: list[uuid.UUID] = Field(default_factory=list)
    message_bodies: int = 0
    # requests turned away as full, for dates before this one (no guest data in them);
    # None from runs older than the demand trim
    demand_cutoff: date | None = None
    turned_away: int = 0
