"""What the waitlist workflows may ask of activities: names, arguments and results, no bodies.

Called by reference, like `workflows.activity_contracts`; the implementations live in
`activities/waitlist.py` and the test fakes in `tests/workflows/waitlist_fakes.py`,
and a test checks that their signatures match these. No SQLAlchemy here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from temporalio import activity

from models.schemas.waitlist import (
    AcceptedOffer,
    EntryOpened,
    EntryStatusChange,
    MatchRequest,
    OfferDecision,
    OfferMade,
    ReleaseOffer,
    SeatEntry,
    WaitlistInput,
    WaitlistMessageIntent,
)


def _contract() -> None:
    raise NotImplementedError("an activity contract: the worker registers the implementation")


@activity.defn(name="open_waitlist_entry")
async def open_waitlist_entry(inp: WaitlistInput) -> EntryOpened:
    """Bind the stored entry to its workflow; its status and quote."""
    _contract()
    raise AssertionError


@activity.defn(name="match_waitlist")
async def match_waitlist(request: MatchRequest) -> list[OfferMade]:
    """Hold tables for waiting entries that fit the day's current availability."""
    _contract()
    raise AssertionError


@activity.defn(name="release_waitlist_offer")
async def release_waitlist_offer(release: ReleaseOffer) -> None:
    """Release an offer's held tables (the capacity goes to the next entry)."""
    _contract()


@activity.defn(name="record_waitlist_status")
async def record_waitlist_status(change: EntryStatusChange) -> None:
    """Write the entry's status."""
    _contract()


@activity.defn(name="accept_waitlist_offer")
async def accept_waitlist_offer(decision: OfferDecision) -> AcceptedOffer:
    """Turn the offer's hold into a booking and start its ReservationWorkflow."""
    _contract()
    raise AssertionError


@activity.defn(name="seat_waitlist_entry")
async def seat_waitlist_entry(seat: SeatEntry) -> AcceptedOffer:
    """Seat a walk-in party: a seated walk-in reservation with its own workflow."""
    _contract()
    raise AssertionError


@activity.defn(name="queue_waitlist_message")
async def queue_waitlist_message(intent: WaitlistMessageIntent) -> list[uuid.UUID]:
    """Render a waitlist message into one outbox row per channel; the row ids."""
    _contract()
    raise AssertionError


CONTRACTS: list[Callable[..., Any]] = [
    open_waitlist_entry,
    match_waitlist,
    release_waitlist_offer,
    record_waitlist_status,
    accept_waitlist_offer,
    seat_waitlist_entry,
    queue_waitlist_message,
]
