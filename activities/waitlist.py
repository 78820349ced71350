"""Activities of the waitlist workflows: entries, matching, offers, seating, messages.

All idempotent (Temporal retries them): matching lists the open offers again,
releasing a released offer and recording a recorded status change nothing, an
accepted offer is accepted once and its ReservationWorkflow started once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.capacity import capacity_freed
from activities.refusals import refusing
from models.enums import ReservationSource, ReservationStatus, WaitlistStatus, WebhookEventType
from models.orm import Reservation, Restaurant, WaitlistEntry
from models.schemas.booking import BookingRequest
from models.schemas.lifecycle import LifecyclePolicy, ReservationInput, ReservationState
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
from reservations.cache import Cache
from reservations.db import transaction
from services import live_events
from services.availability import invalidate_day
from services.booking import booking_request_for_walk_in
from services.errors import NotFoundError
from services.waitlist import matching, offers
from services.waitlist.entries import get_entry
from services.waitlist.messages import queue_waitlist_message
from services.webhooks import events as webhook_events
from workflows.reservation import ReservationWorkflow


@dataclass
class WaitlistActivities:
    """The waitlist workflows' activities, bound to the worker's database and cache."""

    sessions: async_sessionmaker[AsyncSession]
    cache: Cache
    # the lifecycle timings of a new booking (manual confirmation or not)
    policy_for: Callable[[bool], LifecyclePolicy]
    public_base_url: str
    jwt_secret: str
    hold_minutes: int = 15
    webhooks: webhook_events.Dispatch = field(default_factory=webhook_events.Dispatch)

    async def _invalidate(self, restaurant_id: uuid.UUID, day: date) -> None:
        await invalidate_day(self.cache, restaurant_id, day)

    async def _freed(self, restaurant_id: uuid.UUID, day: date, reason: str, key: str) -> None:
        await capacity_freed(
            activity.client(),
            self.sessions,
            restaurant_id=restaurant_id,
            days=[day],
            reason=reason,
            event_id=key,
            task_queue=activity.info().task_queue,
        )

    @activity.defn(name="open_waitlist_entry")
    @refusing
    async def open_waitlist_entry(self, inp: WaitlistInput) -> EntryOpened:
        """The stored entry's status and quote; a waiting entry asks for a match at once."""
        async with transaction(self.sessions) as session:
            entry = await get_entry(session, entry_id=inp.entry_id)
            opened = EntryOpened(status=entry.status, quoted_wait_minutes=entry.quoted_wait_minutes)
        if opened.status.value == "waiting":
            # capacity may already be free (or freed while the entry was being recorded)
            await self._freed(inp.restaurant_id, inp.date, "joined", f"joined:{inp.entry_id}")
        return opened

    @activity.defn(name="match_waitlist")
    @refusing
    async def match_waitlist(self, request: MatchRequest) -> list[OfferMade]:
        """Hold tables for waiting entries that fit now (first come, first served)."""
        async with transaction(self.sessions) as session:
            made = await matching.match_waitlist(
                session,
                restaurant_id=request.restaurant_id,
                day=request.day,
                now=datetime.now(UTC),
                entry_id=request.entry_id,
                limit=request.limit,
            )
            emitted = webhook_events.Emitted(self.webhooks)
            for offer in made:
                made_one = await webhook_events.waitlist_offer(
                    session,
                    offer_reservation_id=offer.facts.reservation_id,
                    kind=WebhookEventType.WAITLIST_OFFERED,
                    dispatch=self.webhooks,
                    key=f"waitlist-offered:{offer.facts.reservation_id}",
                )
                emitted.deliveries += made_one.deliveries
        await live_events.publish_committed(self.cache, session)
        await emitted.start()
        if made:
            await self._invalidate(request.restaurant_id, request.day)
        return made

    @activity.defn(name="release_waitlist_offer")
    @refusing
    async def release_waitlist_offer(self, release: ReleaseOffer) -> None:
        """Release the offer's tables; the day's dispatcher offers them to the next entry."""
        async with transaction(self.sessions) as session:
            await offers.release_offer(
                session,
                reservation_id=release.reservation_id,
                reason=release.reason,
                now=datetime.now(UTC),
            )
            offer = await session.get(Reservation, release.reservation_id)
            if offer is None:
                return  # nothing was ever held under this id
            if offer.status is not ReservationStatus.EXPIRED:
                # the offer became the party's table (seated before the offer reached the
                # entry's workflow): nothing was let go, so no "offer expired" event
                return
            emitted = await webhook_events.waitlist_offer(
                session,
                offer_reservation_id=release.reservation_id,
                kind=WebhookEventType.WAITLIST_OFFER_EXPIRED,
                dispatch=self.webhooks,
                key=f"waitlist-released:{release.reservation_id}",
            )
            restaurant_id, day = offer.restaurant_id, offer.reservation_date
            entry = await session.get(WaitlistEntry, release.entry_id)
            if entry is not None:
                day = entry.desired_date  # the service day the dispatcher matches
        await live_events.publish_committed(self.cache, session)
        await emitted.start()
        await self._invalidate(restaurant_id, day)
        # also on a retry that finds the tables already let go by an attempt that died
        # before telling the dispatcher (the key keeps it to one signal)
        key = f"offer-released:{release.reservation_id}"
        await self._freed(restaurant_id, day, f"offer_{release.reason}", key)

    @activity.defn(name="record_waitlist_status")
    @refusing
    async def record_waitlist_status(self, change: EntryStatusChange) -> None:
        """Write the entry's status as its workflow decided."""
        async with transaction(self.sessions) as session:
            await offers.record_status(
                session, entry_id=change.entry_id, status=change.status, at=change.at
            )
        await live_events.publish_committed(self.cache, session)

    @activity.defn(name="accept_waitlist_offer")
    @refusing
    async def accept_waitlist_offer(self, decision: OfferDecision) -> AcceptedOffer:
        """Turn the offer's hold into a booking and start its ReservationWorkflow."""
        async with transaction(self.sessions) as session:
            reservation = await offers.accept_offer(
                session,
                entry_id=decision.entry_id,
                reservation_id=decision.reservation_id,
                now=datetime.now(UTC),
                hold_minutes=self.hold_minutes,
            )
            inp = await self._reservation_input(session, reservation)
            accepted = AcceptedOffer(reservation_id=reservation.id, reference=reservation.reference)
            emitted = await webhook_events.waitlist_offer(
                session,
                offer_reservation_id=reservation.id,
                kind=WebhookEventType.WAITLIST_OFFER_ACCEPTED,
                dispatch=self.webhooks,
                key=f"waitlist-accepted:{reservation.id}",
            )
        await live_events.publish_committed(self.cache, session)
        await emitted.start()
        await self._invalidate(inp.booking.restaurant_id, inp.booking.date)
        await self._start_reservation(inp)
        return accepted

    @activity.defn(name="seat_waitlist_entry")
    @refusing
    async def seat_waitlist_entry(self, seat: SeatEntry) -> AcceptedOffer:
        """Seat the party: on its offer's tables, or as a new walk-in booking."""
        now = datetime.now(UTC)
        offer_id = seat.offer_reservation_id or await self._offer_in_flight(seat.entry_id)
        if offer_id is not None:
            async with transaction(self.sessions) as session:
                seated = await offers.seat_offer(
                    session,
                    entry_id=seat.entry_id,
                    reservation_id=offer_id,
                    now=now,
                    table_ids=seat.table_ids,
                )
                inp = await self._reservation_input(session, seated) if seated else None
            await live_events.publish_committed(self.cache, session)
            if seated is not None and inp is not None:
                await self._start_reservation(inp)
                return AcceptedOffer(reservation_id=seated.id, reference=seated.reference)
            # the offer's hold was lost: end it, then seat the party anew
            async with transaction(self.sessions) as session:
                await offers.release_offer(session, reservation_id=offer_id, reason="lost", now=now)
            await live_events.publish_committed(self.cache, session)
        return await self._seat_walk_in(seat, now)

    async def _offer_in_flight(self, entry_id: uuid.UUID) -> uuid.UUID | None:
        """The entry's offer as the database has it, when its workflow has not taken it yet.

        The dispatcher holds the tables and marks the entry offered before it signals
        the entry's workflow; staff seating in between must sit the party on the held
        tables (the only free ones, perhaps), not look for others. After a retried
        attempt seated the party there, the same offer answers again (idempotent).
        """
        async with transaction(self.sessions) as session:
            entry = await get_entry(session, entry_id=entry_id)
            offered = entry.status is WaitlistStatus.OFFERED
            seated_on_it = (
                entry.status is WaitlistStatus.SEATED
                and entry.reservation_id == entry.offer_reservation_id
            )
            return entry.offer_reservation_id if offered or seated_on_it else None

    async def _seat_walk_in(self, seat: SeatEntry, now: datetime) -> AcceptedOffer:
        """A seated walk-in booking through the reservation workflow (staff may pin tables)."""
        async with transaction(self.sessions) as session:
            entry = await get_entry(session, entry_id=seat.entry_id)
            restaurant = await session.get(Restaurant, entry.restaurant_id)
            assert restaurant is not None
            booking = booking_request_for_walk_in(
                # stable across retries of this activity, new for every other seat attempt
                reservation_id=uuid.uuid5(entry.id, f"seated:{activity.info().activity_id}"),
                restaurant_id=restaurant.id,
                guest_id=entry.guest_id,
                party_size=entry.party_size,
                table_ids=seat.table_ids,
                now=now,
                timezone=restaurant.timezone,
                interval_minutes=restaurant.slot_interval_minutes,
            ).model_copy(update={"seating_area": entry.seating_area, "language": entry.language})
        # a walk-in is seated at once: no manual confirmation applies
        inp = ReservationInput(booking=booking, policy=self.policy_for(False))
        state = await self._start_reservation(inp, answer=True)
        if state is not None and state.hold is not None and state.hold.invalid_field is not None:
            # tables that are not this restaurant's, or too small for the party
            raise ApplicationError(
                state.hold.reason or "these tables cannot seat the party",
                {"field": state.hold.invalid_field},
                type="Invalid",
                non_retryable=True,
            )
        if state is None or state.refused or state.hold is None or not state.hold.held:
            reason = state.hold.reason if state and state.hold else None
            raise ApplicationError(
                f"no table for this party now ({reason or 'not available'})",
                {"field": "table_ids", "reason": reason},
                type="NotAvailable",
                non_retryable=True,
            )
        async with transaction(self.sessions) as session:
            entry = await get_entry(session, entry_id=seat.entry_id)
            await offers.mark_seated(
                session, entry=entry, reservation_id=booking.reservation_id, now=now
            )
            reference = state.reference or ""
        await live_events.publish_committed(self.cache, session)
        return AcceptedOffer(reservation_id=booking.reservation_id, reference=reference)

    async def _reservation_input(
        self, session: AsyncSession, reservation: Reservation
    ) -> ReservationInput:
        restaurant = await session.get(Restaurant, reservation.restaurant_id)
        if restaurant is None:
            raise NotFoundError(f"restaurant {reservation.restaurant_id} not found")
        manual = restaurant.confirmation_mode.value == "manual"
        return ReservationInput(
            booking=BookingRequest(
                reservation_id=reservation.id,
                restaurant_id=reservation.restaurant_id,
                guest_id=reservation.guest_id,
                party_size=reservation.party_size,
                date=reservation.reservation_date,
                time=reservation.reservation_time,
                seating_area=reservation.seating_preference,
                source=ReservationSource.WAITLIST,
                language=reservation.language,
            ),
            policy=self.policy_for(manual),
        )

    async def _start_reservation(
        self, inp: ReservationInput, *, answer: bool = False
    ) -> ReservationState | None:
        """Start the booking's ReservationWorkflow (once); with `answer`, wait for its hold."""
        client = activity.client()
        reservation_id = inp.booking.reservation_id
        wf_id = f"reservation-{reservation_id}"
        try:
            try:
                handle = await client.start_workflow(
                    ReservationWorkflow.run,
                    inp,
                    id=wf_id,
                    task_queue=activity.info().task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    memo={"guest_id": str(inp.booking.guest_id)},
                )
            except WorkflowAlreadyStartedError:
                if not answer:
                    return None  # the first attempt started it, and it has ended since
                ended = client.get_workflow_handle_for(ReservationWorkflow.run, wf_id)
                return await ended.result()
            if not answer:
                return None
            return await handle.execute_update(ReservationWorkflow.create)
        except (WorkflowFailureError, WorkflowUpdateFailedError) as failed:
            # the booking's workflow failed for good: retrying this activity would wait on
            # it forever, holding the waitlist entry (and its staff's requests) meanwhile
            raise ApplicationError(
                f"the booking could not be made: {failed.cause or failed}",
                type="BookingFailed",
                non_retryable=True,
            ) from None

    @activity.defn(name="queue_waitlist_message")
    @refusing
    async def queue_waitlist_message(self, intent: WaitlistMessageIntent) -> list[uuid.UUID]:
        """Render the message and put one row per channel in the outbox (once per intent)."""
        async with transaction(self.sessions) as session:
            return await queue_waitlist_message(
                session, intent=intent, base_url=self.public_base_url, secret=self.jwt_secret
            )

    def all(self) -> list[Callable[..., Any]]:
        """The activity callables to register on a worker."""
        return [
            self.open_waitlist_entry,
            self.match_waitlist,
            self.release_waitlist_offer,
            self.record_waitlist_status,
            self.accept_waitlist_offer,
            self.seat_waitlist_entry,
            self.queue_waitlist_message,
        ]
