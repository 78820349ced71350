"""Activities of the reservation workflow: database writes through services, cache upkeep.

All are idempotent: Temporal retries them after timeouts and worker crashes.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.capacity import capacity_freed
from activities.partners import tell_google
from activities.refusals import refusing
from models.orm import Reservation
from models.schemas.booking import BookingRequest, HoldOutcome
from models.schemas.lifecycle import (
    AssignTablesRequest,
    BookingFacts,
    ExchangeTablesRequest,
    MessageIntent,
    MessageTemplate,
    ModifyRequest,
    ReservationInput,
    Transition,
)
from reservations import metrics
from reservations.cache import Cache
from reservations.db import transaction
from rules.availability import UnavailableReason
from rules.state_machine import ReservationStatus
from services import booking, live_events, messages, turned_away
from services.availability import invalidate_day, service_day_of
from services.errors import NotFoundError
from services.optimizer import booking_room, moving
from services.references import ReferenceBlocks
from services.webhooks import events as webhook_events

# the message a booking's first status calls for, when the hold decides it (a deposit
# or guarantee request waits for the checkout session the workflow opens after the hold)
FIRST_MESSAGES: dict[ReservationStatus, MessageTemplate] = {
    ReservationStatus.CONFIRMED: "confirmation",
    ReservationStatus.PENDING_CONFIRMATION: "pending",
}

# statuses whose change Google must hear of (seated and completed stay CONFIRMED there)
GOOGLE_VISIBLE = frozenset(
    {
        ReservationStatus.CONFIRMED,
        ReservationStatus.CANCELLED_BY_GUEST,
        ReservationStatus.CANCELLED_BY_RESTAURANT,
        ReservationStatus.NO_SHOW,
        ReservationStatus.DECLINED,
        ReservationStatus.EXPIRED,
    }
)


@dataclass
class ReservationActivities:
    """The reservation workflow's activities, bound to the worker's database and cache."""

    sessions: async_sessionmaker[AsyncSession]
    cache: Cache
    reminder_hours: int = 24
    # make room at booking time (MAKE_ROOM_TIME_BUDGET_MS); 0 refuses as before
    make_room_budget_ms: int = 0
    # where webhook deliveries of the changes recorded here start
    webhooks: webhook_events.Dispatch = field(default_factory=webhook_events.Dispatch)
    # the guest links a first message carries (the hold queues it, see FIRST_MESSAGES);
    # without a secret the workflow queues it as before
    public_base_url: str = ""
    jwt_secret: str = ""
    # booking references, a block at a time (services/references.py)
    references: ReferenceBlocks = field(init=False)

    def __post_init__(self) -> None:
        self.references = ReferenceBlocks(self.sessions)

    async def _invalidate(self, restaurant_id: uuid.UUID, *days: date | None) -> None:
        for day in {d for d in days if d is not None}:
            await invalidate_day(self.cache, restaurant_id, day)

    async def _freed(self, restaurant_id: uuid.UUID, days: list[date], reason: str) -> None:
        """Tables freed up on `days`: their waitlist dispatchers offer them (if anyone waits)."""
        info = activity.info()
        await capacity_freed(
            activity.client(),
            self.sessions,
            restaurant_id=restaurant_id,
            days=days,
            reason=reason,
            # the same on every retry of this activity, distinct for every other change
            event_id=f"{info.workflow_id}:{info.activity_id}",
            task_queue=info.task_queue,
        )

    @activity.defn(name="hold_booking")
    @refusing
    async def hold_booking(self, inp: ReservationInput) -> BookingFacts:
        """Insert the reservation and hold its tables, or answer why not (with alternatives).

        Refused for want of a table, it first tries to make room by moving unlocked
        parties through their workflows (``make_room_budget_ms``; 0 turns it off).
        """
        try:
            facts, emitted = await self._create(inp)
        except Exception as exc:
            refused = booking.refused_outcome(exc)
            if refused is None:
                raise
            made = await self._make_room(inp, refused)
            if made is None:
                async with transaction(self.sessions) as session:
                    await booking.forget_booking_notes(
                        session, reservation_id=refused.reservation_id
                    )
                    await self._turned_away(session, inp.booking, refused)
                metrics.booking_held(
                    held=False,
                    invalid=refused.invalid_field is not None,
                    channel=inp.booking.source,
                )
                return BookingFacts(hold=refused)
            facts, emitted = made
        metrics.booking_held(held=facts.hold.held, invalid=False, channel=inp.booking.source)
        await emitted.start()
        await self._invalidate(inp.booking.restaurant_id, inp.booking.date, facts.date)
        return facts

    @staticmethod
    async def _turned_away(
        session: AsyncSession, request: BookingRequest, refused: HoldOutcome
    ) -> None:
        """Keep a refusal for want of room as demand (forecasts and analytics count it)."""
        if (
            refused.invalid_field is not None
            or refused.starts_at is None
            or not turned_away.counts_as_demand(refused.reason, request.source)
        ):
            return
        assert refused.reason is not None
        await turned_away.record_turned_away(
            session,
            [
                turned_away.TurnedAway(
                    request_id=request.reservation_id,
                    restaurant_id=request.restaurant_id,
                    day=request.date,
                    local_time=request.time,
                    starts_at=refused.starts_at,
                    party_size=request.party_size,
                    seating_area=request.seating_area,
                    source=request.source,
                    reason=refused.reason,
                    asked_at=datetime.now(UTC),
                )
            ],
        )

    async def _create(self, inp: ReservationInput) -> tuple[BookingFacts, Any]:
        # the reference comes from the worker's block, not the hold's transaction: the
        # counter row is never locked while tables are being chosen (a refused hold, or
        # a retry of a booking that exists, leaves a gap)
        reference = await self.references.next(inp.booking.date.year)
        async with transaction(self.sessions) as session:
            facts = await booking.create_held_reservation(
                session,
                inp=inp,
                reference=reference,
                now=datetime.now(UTC),
                reminder_hours=self.reminder_hours,
            )
            emitted = await webhook_events.booking_held(
                session, facts=facts, dispatch=self.webhooks
            )
        await live_events.publish_committed(self.cache, session)
        return await self._queue_first_message(inp, facts), emitted

    async def _queue_first_message(
        self, inp: ReservationInput, facts: BookingFacts
    ) -> BookingFacts:
        """Queue a confirmed or pending booking's first message, right after the hold.

        Saves the workflow a queue_message activity and the workflow task after it. Its
        own transaction, so the day's lock is not held while the message renders; a
        retry finds the booking held and the same rows (queued once per intent). The
        hold is committed by now, so a failure here must not fail the hold: the
        message is then left to the workflow, which queues it as before.
        """
        template = FIRST_MESSAGES.get(facts.status) if facts.status else None
        if template is None or not facts.hold.held or not self.jwt_secret:
            return facts
        try:
            async with transaction(self.sessions) as session:
                queued = await messages.queue_message(
                    session,
                    intent=MessageIntent(
                        reservation_id=inp.booking.reservation_id, template=template
                    ),
                    base_url=self.public_base_url,
                    secret=self.jwt_secret,
                )
        except Exception:
            activity.logger.warning("first message left to the workflow", exc_info=True)
            return facts
        return facts.model_copy(update={"queued": queued})

    async def _make_room(
        self, inp: ReservationInput, refused: HoldOutcome
    ) -> tuple[BookingFacts, Any] | None:
        """Move others so the booking fits, then hold again; undo the moves if it still fails."""
        if self.make_room_budget_ms <= 0 or refused.reason != UnavailableReason.NO_TABLE_FITS:
            return None
        async with transaction(self.sessions) as session:
            steps = await booking_room.moves_for(
                session,
                request=inp.booking,
                now=datetime.now(UTC),
                time_budget_ms=self.make_room_budget_ms,
            )
        if not steps:
            return None
        client = activity.client()
        try:
            done = await moving.move_parties(client, steps)
        except moving.MoveRefused:
            return None
        try:
            return await self._create(inp)
        except Exception as exc:
            await moving.undo(client, done)  # someone else took the room meanwhile
            if booking.refused_outcome(exc) is None:
                raise
            return None

    @activity.defn(name="record_transition")
    @refusing
    async def record_transition(self, transition: Transition) -> bool:
        """Write one state change to the database."""
        async with transaction(self.sessions) as session:
            recorded = await booking.record_transition(session, transition=transition)
            emitted = await webhook_events.transition_recorded(
                session, transition=transition, recorded=recorded, dispatch=self.webhooks
            )
            reservation = await session.get(Reservation, transition.reservation_id)
            assert reservation is not None
            restaurant_id, day = reservation.restaurant_id, reservation.reservation_date
            source = reservation.source
            freed_days = (
                await _days_freed(session, reservation)
                if recorded and transition.release_tables
                else []
            )
        await live_events.publish_committed(self.cache, session)
        if recorded:
            metrics.transition_recorded(status=transition.status.value, channel=source.value)
        await emitted.start()
        await self._invalidate(restaurant_id, day)
        if freed_days:
            await self._freed(restaurant_id, freed_days, transition.status.value)
        if transition.status in GOOGLE_VISIBLE:  # a retry re-announces: the id dedupes it
            await tell_google(
                reservation_id=transition.reservation_id,
                source=source,
                change="status",
                change_key=f"{transition.action.value}-{int(transition.at.timestamp())}",
                reason=transition.reason,
            )
        return recorded

    @activity.defn(name="move_booking")
    @refusing
    async def move_booking(self, reservation_id: uuid.UUID, request: ModifyRequest) -> BookingFacts:
        """Switch the booking's allocations atomically (new held before old released)."""
        async with transaction(self.sessions) as session:
            before = await session.get(Reservation, reservation_id)
            if before is None:
                raise ApplicationError("reservation not found", type="NotFound", non_retryable=True)
            old_day, restaurant_id = before.reservation_date, before.restaurant_id
            old_days = await _days_freed(session, before)
            facts = await booking.move_reservation(
                session,
                reservation_id=reservation_id,
                request=request,
                now=datetime.now(UTC),
                reminder_hours=self.reminder_hours,
            )
            emitted = await webhook_events.booking_moved(
                session, facts=facts, old_day=old_day, dispatch=self.webhooks
            )
            after = await session.get(Reservation, reservation_id)
            source, count = before.source, after.modification_count if after else 0
        await live_events.publish_committed(self.cache, session)
        await emitted.start()
        await self._invalidate(restaurant_id, old_day, facts.date)
        if facts.hold.held:
            await self._freed(restaurant_id, old_days, "moved")
        await tell_google(
            reservation_id=reservation_id, source=source, change="slot", change_key=f"move-{count}"
        )
        return facts

    @activity.defn(name="assign_booking_tables")
    @refusing
    async def assign_booking_tables(
        self, reservation_id: uuid.UUID, request: AssignTablesRequest
    ) -> BookingFacts:
        """Put the party on staff-chosen tables."""
        return await self._seat_again(
            reservation_id,
            lambda session: booking.reassign_tables(
                session,
                reservation_id=reservation_id,
                table_ids=request.table_ids,
                now=datetime.now(UTC),
                reminder_hours=self.reminder_hours,
                lock=request.lock,
            ),
        )

    @activity.defn(name="exchange_booking_tables")
    @refusing
    async def exchange_booking_tables(
        self, reservation_id: uuid.UUID, request: ExchangeTablesRequest
    ) -> BookingFacts:
        """Swap tables between this party and others, in one transaction."""
        return await self._seat_again(
            reservation_id,
            lambda session: booking.exchange_tables(
                session,
                reservation_id=reservation_id,
                parties=request.parties,
                now=datetime.now(UTC),
                reminder_hours=self.reminder_hours,
            ),
        )

    async def _seat_again(
        self,
        reservation_id: uuid.UUID,
        write: Callable[[AsyncSession], Awaitable[BookingFacts]],
    ) -> BookingFacts:
        """Write the party's new tables in one transaction, then tell the live floor and
        drop the day's cached availability."""
        async with transaction(self.sessions) as session:
            facts = await write(session)
            reservation = await session.get(Reservation, reservation_id)
            assert reservation is not None
            restaurant_id, day = reservation.restaurant_id, reservation.reservation_date
        await live_events.publish_committed(self.cache, session)
        await self._invalidate(restaurant_id, day)
        return facts

    def all(self) -> list[Callable[..., Any]]:
        """The activity callables to register on a worker."""
        return [
            self.hold_booking,
            self.record_transition,
            self.move_booking,
            self.assign_booking_tables,
            self.exchange_booking_tables,
        ]


async def _days_freed(session: AsyncSession, reservation: Reservation) -> list[date]:
    """The waitlist days a booking's tables count for: its calendar date and, for a start
    after midnight in the evening's late service, that service's day (whose waitlist
    entries asked for it)."""
    try:
        service_day = await service_day_of(
            session,
            restaurant_id=reservation.restaurant_id,
            day=reservation.reservation_date,
            local_time=reservation.reservation_time,
        )
    except NotFoundError:  # the restaurant's hours are gone: its calendar day alone
        return [reservation.reservation_date]
    return sorted({reservation.reservation_date, service_day})
