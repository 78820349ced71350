"""The staff-facing Guest CRM contracts: a guest's profile as one restaurant sees it,
notes, flags (VIP, block, tags, preferences), search hits and history items."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field, StrictBool, model_validator

from models.enums import GuestNoteType, ReservationSource, ReservationStatus
from models.schemas.common import OutModel, PhoneNumber, StrictModel

NOTE_MAX_CHARS = 2000
MAX_TAGS = 30
TAG_MAX_CHARS = 40
MAX_PREFERENCES = 30
PREFERENCE_MAX_CHARS = 80

Language = Literal["en", "nl", "de", "fr", "es", "it"]


def _normalised_labels(values: list[str]) -> list[str]:
    """Trimmed, lower-cased, without blanks or repeats, in the order first given."""
    seen: dict[str, None] = {}
    for value in values:
        label = " ".join(value.split()).lower()
        if label:
            seen.setdefault(label, None)
    return list(seen)


Tag = Annotated[str, Field(max_length=TAG_MAX_CHARS)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_normalised_labels)]
Preference = Annotated[str, Field(max_length=PREFERENCE_MAX_CHARS)]
Preferences = Annotated[
    list[Preference], Field(max_length=MAX_PREFERENCES), AfterValidator(_normalised_labels)
]
NoteBody = Annotated[str, Field(min_length=1, max_length=NOTE_MAX_CHARS)]


# ---- requests ------------------------------------------------------------------------


class NoteIn(StrictModel):
    """A note about the guest, kept by the restaurant the staff member acts for."""

    body: NoteBody
    note_type: GuestNoteType = GuestNoteType.GENERAL
    is_alert: StrictBool = Field(
        default=False, description="shown to the host on every booking of this guest"
    )


class NotePatch(StrictModel):
    """A change to one of the restaurant's own notes (only the fields given)."""

    body: NoteBody | None = None
    note_type: GuestNoteType | None = None
    is_alert: StrictBool | None = None

    @model_validator(mode="after")
    def _something(self) -> NotePatch:
        if self.body is None and self.note_type is None and self.is_alert is None:
            raise ValueError("give at least one of body, note_type, is_alert")
        return self


class VipIn(StrictModel):
    is_vip: StrictBool


class BlockIn(StrictModel):
    """Why the guest may no longer book online here (shown to staff only)."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class TagsIn(StrictModel):
    """The restaurant's tags for the guest (replaces them; trimmed, lower case, unique)."""

    tags: Tags


class PreferencesIn(StrictModel):
    """What the restaurant knows the guest prefers and cannot eat (replaces all three)."""

    preferred_areas: Preferences = []
    dietary_restrictions: Preferences = []
    allergies: Preferences = []


class ContactPatch(StrictModel):
    """A correction of the guest's identity (only the fields given; managers)."""

    first_name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    last_name: Annotated[str, Field(max_length=120)] | None = None
    email: EmailStr | None = None
    phone: PhoneNumber | None = None
    preferred_language: Language | None = None


# ---- answers -------------------------------------------------------------------------


class GuestStats(OutModel):
    """Visit statistics one restaurant keeps (maintained by the reservation lifecycle)."""

    bookings: int
    visits: int
    covers: int
    no_shows: int
    cancellations: int
    late_cancellations: int
    first_visit_at: dt.datetime | None
    last_visit_at: dt.datetime | None
    average_party_size: float | None = Field(description="covers / visits")
    spend_minor: int


class RelationshipOut(OutModel):
    """What one restaurant of the sharing circle knows about the guest."""

    restaurant_id: uuid.UUID
    restaurant_name: str
    is_vip: bool
    blocked: bool
    blocked_at: dt.datetime | None
    blocked_reason: str | None = Field(description="staff only; never shown to the guest")
    tags: list[str]
    preferred_areas: list[str]
    dietary_restrictions: list[str]
    allergies: list[str]
    stats: GuestStats


class NoteOut(OutModel):
    id: uuid.UUID
    guest_id: uuid.UUID
    restaurant_id: uuid.UUID | None
    restaurant_name: str | None
    author_id: uuid.UUID | None
    body: str
    note_type: GuestNoteType
    is_alert: bool
    created_at: dt.datetime
    updated_at: dt.datetime | None
    editable: bool = Field(description="a note of the restaurant acted for (others are read-only)")


class GuestProfileOut(OutModel):
    """The guest as the staff of `restaurant_id` see them."""

    id: uuid.UUID
    first_name: str
    last_name: str | None
    email: str
    phone: str | None
    preferred_language: str
    erased: bool = Field(description="personal data anonymised (GDPR erasure or retention)")
    restaurant_id: uuid.UUID
    relationship: RelationshipOut | None = Field(
        description="this restaurant's knowledge (none yet when only a sharing sibling knows them)"
    )
    shared: list[RelationshipOut] = Field(
        description="the other restaurants of a profile-sharing group that know the guest"
    )
    notes: list[NoteOut] = Field(description="alert notes first, then newest first")


class GuestHitOut(OutModel):
    """A search result: who the guest is and what the restaurant acted for knows."""

    id: uuid.UUID
    first_name: str
    last_name: str | None
    email: str
    phone: str | None
    is_vip: bool
    blocked: bool
    visits: int
    last_visit_at: dt.datetime | None


class HistoryItemOut(OutModel):
    """One reservation of the guest at a restaurant of the sharing circle."""

    id: uuid.UUID
    reference: str
    restaurant_id: uuid.UUID
    restaurant_name: str
    date: dt.date = Field(description="local calendar date of the start")
    time: dt.time = Field(description="local wall-clock time of the start")
    starts_at: dt.datetime
    party_size: int
    status: ReservationStatus
    source: ReservationSource
    occasion: str | None
    spend_minor: int | None
