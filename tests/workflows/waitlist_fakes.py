"""Stand-in activities for the waitlist workflows (registered under the real activity names).

A tiny in-memory restaurant-day: `capacity` free tables, entries in the order they
opened, offers as holds taken from the pool and given back when released. A
release tells the day's dispatcher, as the real activity does, so a chain of
offers runs end to end. Times are the test server's skipped clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.enums import WaitlistStatus
from models.schemas.waitlist import (
    AcceptedOffer,
    CapacityChanged,
    DispatcherInput,
    EntryOpened,
    EntryStatusChange,
    MatchRequest,
    OfferDecision,
    OfferFacts,
    OfferMade,
    ReleaseOffer,
    SeatEntry,
    WaitlistInput,
    WaitlistMessageIntent,
    dispatcher_workflow_id,
)


@dataclass
class FakeWaitlist:
    """What the fake waitlist activities answer and what they saw."""

    capacity: int = 0
    offer_minutes: int = 10
    # the database says the hold expired when the accept reaches it
    refuse_accept: bool = False
    entries: list[uuid.UUID] = field(default_factory=list)
    statuses: dict[uuid.UUID, WaitlistStatus] = field(default_factory=dict)
    offers: dict[uuid.UUID, OfferFacts] = field(default_factory=dict)
    releases: list[tuple[uuid.UUID, str, datetime]] = field(default_factory=list)
    accepts: list[tuple[uuid.UUID, datetime]] = field(default_factory=list)
    changes: list[EntryStatusChange] = field(default_factory=list)
    messages: list[tuple[uuid.UUID, str, datetime]] = field(default_factory=list)
    matches: int = 0
    sends: list[uuid.UUID] = field(default_factory=list)

    def templates(self, entry_id: uuid.UUID) -> list[str]:
        return [t for e, t, _ in self.messages if e == entry_id]

    def activities(self) -> list[Callable[..., Any]]:
        fake = self

        @activity.defn(name="open_waitlist_entry")
        async def open_waitlist_entry(inp: WaitlistInput) -> EntryOpened:
            if inp.entry_id not in fake.entries:
                fake.entries.append(inp.entry_id)
                fake.statuses[inp.entry_id] = WaitlistStatus.WAITING
            return EntryOpened(status=fake.statuses[inp.entry_id], quoted_wait_minutes=None)

        @activity.defn(name="match_waitlist")
        async def match_waitlist(request: MatchRequest) -> list[OfferMade]:
            fake.matches += 1
            now = activity.info().scheduled_time
            made: list[OfferMade] = []
            for entry_id in fake.entries:
                if request.entry_id is not None and entry_id != request.entry_id:
                    continue
                if fake.statuses[entry_id] is not WaitlistStatus.WAITING or fake.capacity < 1:
                    continue
                fake.capacity -= 1
                reservation_id = uuid.uuid4()
                facts = OfferFacts(
                    offer_id=str(reservation_id),
                    reservation_id=reservation_id,
                    table_numbers=["7"],
                    starts_at=now + timedelta(hours=2),
                    expires_at=now + timedelta(minutes=fake.offer_minutes),
                )
                fake.statuses[entry_id] = WaitlistStatus.OFFERED
                fake.offers[entry_id] = facts
                made.append(OfferMade(entry_id=entry_id, facts=facts))
                if len(made) >= request.limit:
                    break
            return made

        @activity.defn(name="release_waitlist_offer")
        async def release_waitlist_offer(release: ReleaseOffer) -> None:
            if any(r[0] == release.reservation_id for r in fake.releases):
                return  # released already (a retry)
            fake.releases.append(
                (release.reservation_id, release.reason, activity.info().scheduled_time)
            )
            fake.capacity += 1
            # like the real activity: the day's dispatcher offers the table to the next entry
            from workflows.waitlist import WaitlistDispatcher

            restaurant_id, day = uuid.UUID(int=1), datetime(2031, 3, 5).date()
            await activity.client().start_workflow(
                WaitlistDispatcher.run,
                DispatcherInput(restaurant_id=restaurant_id, day=day),
                id=dispatcher_workflow_id(restaurant_id, day),
                task_queue=activity.info().task_queue,
                start_signal="capacity_changed",
                start_signal_args=[
                    CapacityChanged(
                        restaurant_id=restaurant_id,
                        day=day,
                        reason=release.reason,
                        event_id=f"released:{release.reservation_id}",
                    )
                ],
            )

        @activity.defn(name="record_waitlist_status")
        async def record_waitlist_status(change: EntryStatusChange) -> None:
            fake.changes.append(change)
            fake.statuses[change.entry_id] = change.status

        @activity.defn(name="accept_waitlist_offer")
        async def accept_waitlist_offer(decision: OfferDecision) -> AcceptedOffer:
            if fake.refuse_accept:
                raise ApplicationError(
                    "this offer has expired",
                    {"field": "offer", "reason": "offer_expired"},
                    type="Conflict",
                    non_retryable=True,
                )
            fake.accepts.append((decision.entry_id, activity.info().scheduled_time))
            fake.statuses[decision.entry_id] = WaitlistStatus.ACCEPTED
            return AcceptedOffer(
                reservation_id=decision.reservation_id, reference="RES-2031-000009"
            )

        @activity.defn(name="seat_waitlist_entry")
        async def seat_waitlist_entry(seat: SeatEntry) -> AcceptedOffer:
            fake.statuses[seat.entry_id] = WaitlistStatus.SEATED
            return AcceptedOffer(
                reservation_id=seat.offer_reservation_id or uuid.uuid5(seat.entry_id, "seated"),
                reference="RES-2031-000010",
            )

        @activity.defn(name="queue_waitlist_message")
        async def queue_waitlist_message(intent: WaitlistMessageIntent) -> list[uuid.UUID]:
            fake.messages.append((intent.entry_id, intent.template, activity.info().scheduled_time))
            return [uuid.uuid5(intent.entry_id, f"{intent.template}:{intent.sequence}")]

        @activity.defn(name="send_notification")
        async def send_notification(notification_id: uuid.UUID) -> None:
            fake.sends.append(notification_id)

        return [
            open_waitlist_entry,
            match_waitlist,
            release_waitlist_offer,
            record_waitlist_status,
            accept_waitlist_offer,
            seat_waitlist_entry,
            queue_waitlist_message,
            send_notification,
        ]
