"""Activity contracts of the privacy workflows (guest erasure, retention): names and shapes.

The implementations are `activities.privacy.PrivacyActivities`; a test checks the
shapes match. No SQLAlchemy here, so the workflow sandbox can load it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from temporalio import activity

from models.schemas.privacy import (
    AnonymiseRequest,
    DemandCutoff,
    InactiveQuery,
    MessageCutoff,
    RetireBatch,
    UnsentLinks,
)


def _contract() -> None:
    raise NotImplementedError("an activity contract: the worker registers the implementation")


@activity.defn(name="cancel_guest_bookings")
async def cancel_guest_bookings(guest_id: uuid.UUID) -> list[uuid.UUID]:
    """Cancel the guest's future bookings through their workflows (as the guest)."""
    _contract()
    raise AssertionError


@activity.defn(name="leave_guest_waitlists")
async def leave_guest_waitlists(guest_id: uuid.UUID) -> list[uuid.UUID]:
    """Take the guest off every waitlist they are still on."""
    _contract()
    raise AssertionError


@activity.defn(name="anonymise_guest")
async def anonymise_guest(request: AnonymiseRequest) -> bool:
    """Anonymise the guest everywhere; False when they were erased before."""
    _contract()
    raise AssertionError


@activity.defn(name="merged_guests")
async def merged_guests(guest_id: uuid.UUID) -> list[uuid.UUID]:
    """The profiles merged into the guest, directly or through another merge."""
    _contract()
    raise AssertionError


@activity.defn(name="find_inactive_guests")
async def find_inactive_guests(query: InactiveQuery) -> list[uuid.UUID]:
    """One page of guests inactive since the cutoff, without bookings to come."""
    _contract()
    raise AssertionError


@activity.defn(name="retire_guests")
async def retire_guests(batch: RetireBatch) -> list[uuid.UUID]:
    """Anonymise the batch's guests that are still inactive; the ids anonymised."""
    _contract()
    raise AssertionError


@activity.defn(name="count_old_messages")
async def count_old_messages(cutoff: datetime) -> int:
    """Message bodies older than the cutoff still held."""
    _contract()
    raise AssertionError


@activity.defn(name="clear_old_messages")
async def clear_old_messages(query: MessageCutoff) -> int:
    """Empty one batch of message bodies older than the cutoff; how many."""
    _contract()
    raise AssertionError


@activity.defn(name="count_old_turned_away")
async def count_old_turned_away(before: date) -> int:
    """Turned-away requests a real run would delete."""
    _contract()
    raise AssertionError


@activity.defn(name="forget_old_turned_away")
async def forget_old_turned_away(query: DemandCutoff) -> int:
    """Delete one batch of turned-away requests for dates before the cutoff; how many."""
    _contract()
    raise AssertionError


@activity.defn(name="start_unsent_privacy_messages")
async def start_unsent_privacy_messages(query: UnsentLinks) -> int:
    """Start the send of every privacy link still queued from before the cutoff."""
    _contract()
    raise AssertionError


CONTRACTS: list[Callable[..., Any]] = [
    cancel_guest_bookings,
    leave_guest_waitlists,
    anonymise_guest,
    merged_guests,
    find_inactive_guests,
    retire_guests,
    count_old_messages,
    clear_old_messages,
    count_old_turned_away,
    forget_old_turned_away,
    start_unsent_privacy_messages,
]
