"""Merging duplicate guest profiles, and the candidate pairs staff choose from."""

from __future__ import annotations

import uuid

from models.schemas.common import OutModel, StrictModel


class GuestMergeIn(StrictModel):
    """Fold `duplicate_id` into the guest of the path, acting for `restaurant_id`."""

    duplicate_id: uuid.UUID
    restaurant_id: uuid.UUID


class GuestMergeOut(OutModel):
    """What moved to the survivor: row ids per table, and rows folded into the survivor's."""

    survivor_id: uuid.UUID
    duplicate_id: uuid.UUID
    moved: dict[str, list[str]]
    folded: dict[str, int]


class GuestBriefOut(OutModel):
    """Enough of a profile to tell two apart."""

    id: uuid.UUID
    first_name: str
    last_name: str | None
    email: str
    phone: str | None


class DuplicatePairOut(OutModel):
    """Two profiles that may be one person (merge is a staff decision)."""

    first: GuestBriefOut
    second: GuestBriefOut
    reason: str
