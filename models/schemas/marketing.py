"""Marketing segments and the MailerLite sync: HTTP answers and workflow contracts.

Workflow inputs and results carry ids and counts only: a guest's email or name must
never enter a Temporal history (activities read them from the database).
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import BaseModel

from models.schemas.common import StrictModel


class Segment(StrEnum):
    """Guests a restaurant can market to; always only those with live consent."""

    RECENT = "recent"  # visited in the last 90 days
    VIP = "vip"
    REGULARS = "regulars"  # 3 or more visits
    LAPSED = "lapsed"  # visited before, not in the last 180 days
    ALL_CONSENTING = "all_consenting"


class SegmentCount(BaseModel):
    segment: Segment
    members: int


class SegmentCounts(BaseModel):
    restaurant_id: uuid.UUID
    segments: list[SegmentCount]


class SegmentMember(BaseModel):
    guest_id: uuid.UUID
    name: str


class SyncRequest(StrictModel):
    """Which segment to copy to MailerLite."""

    segment: Segment


class SyncStatus(BaseModel):
    """A sync workflow as the API reports it."""

    workflow_id: str
    segment: Segment
    status: str  # running, completed, failed, ...
    result: SyncResult | None = None


class SyncInput(BaseModel):
    """What MarketingSyncWorkflow is started with: no personal data.

    `segment` None propagates withdrawals only (after a guest unsubscribed).
    """

    restaurant_id: uuid.UUID
    segment: Segment | None = None


class SyncPage(BaseModel):
    """One page of the plan, in guest-id order: ids to add to the group, ids to take out
    (of it, or of the scope); `next_after` is where the next page starts (None: done).

    Pages keep every activity payload small, however large the segment.
    """

    add: list[uuid.UUID]
    remove: list[uuid.UUID]
    next_after: uuid.UUID | None = None


class SubscriberBatch(BaseModel):
    """One batch of guests for the provider, by id only."""

    restaurant_id: uuid.UUID
    group_id: str | None
    guest_ids: list[uuid.UUID]


class BatchOutcome(BaseModel):
    """What one batch did: calls made, guests skipped (already in step), refused by the provider."""

    changed: int = 0
    unchanged: int = 0
    refused: int = 0


class SyncResult(BaseModel):
    """A finished sync, in counts."""

    group_id: str | None
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    refused: int = 0


SyncStatus.model_rebuild()


class MailerLiteReceipt(BaseModel):
    """What a MailerLite webhook call changed."""

    unsubscribed: int  # addresses the call reported as unsubscribed
    withdrawn_guests: int  # guests who had live consent, now withdrawn
