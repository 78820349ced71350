"""The waitlist's workflows: one per entry, and one dispatcher per restaurant-day.

`WaitlistWorkflow` owns one entry: it waits (until the entry's window has passed),
receives an offer from the dispatcher (a real hold), and lets the guest accept
(the hold becomes a booking with its own ReservationWorkflow) or decline; an
offer not answered within its window, or declined, is released and the entry
ends (expired after a time-out, cancelled after a decline: the same guest is not
offered the same slot again in a loop). Staff can notify, seat or skip a walk-in.

`WaitlistDispatcher` serialises matching per restaurant-day: every change that
frees capacity signals it (signal-with-start, `capacity_changed`); it runs the
`match_waitlist` activity until nothing more fits and signals each entry's
workflow its offer. The database's guards (the day lock, the exclusion
constraint) stay: a hold never overlaps another whoever takes it.

Both are built from `workflows.handlers` (lock, de-duplicated inbox, background
sends, finish only when idle) and `workflows.retries`; activities are called
through `workflows.waitlist_contracts`. Histories carry ids and non-personal facts only.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

from workflows.handlers import IDLE, Inbox, Serialised, Step
from workflows.outbox import WaitlistOutbox

with workflow.unsafe.imports_passed_through():
    from models.enums import WaitlistStatus
    from models.schemas.waitlist import (
        AcceptedOffer,
        CapacityChanged,
        DispatcherInput,
        EntryStatusChange,
        LeaveRequest,
        MatchRequest,
        NotifyRequest,
        OfferAnswer,
        OfferDecision,
        OfferFacts,
        OfferMade,
        ReleaseOffer,
        SeatEntry,
        SeatRequest,
        SkipRequest,
        WaitlistInput,
        WaitlistKind,
        WaitlistState,
        entry_workflow_id,
    )
    from workflows.retries import DATABASE, refusal_of, refusals_fail_the_update
    from workflows.search_attributes import RESERVATION_DATE, RESTAURANT_ID, WAITLIST_STATUS
    from workflows.waitlist_contracts import (
        accept_waitlist_offer,
        match_waitlist,
        open_waitlist_entry,
        record_waitlist_status,
        release_waitlist_offer,
        seat_waitlist_entry,
    )

W = WaitlistStatus
ENDED = frozenset({W.ACCEPTED, W.SEATED, W.EXPIRED, W.CANCELLED})
OPEN = frozenset({W.WAITING, W.OFFERED})
# offers one dispatcher round makes at most (it runs again while rounds come back full)
MATCH_LIMIT = 20
# patch: an offer that expired before it reached a waiting entry puts the entry back in
# the database's queue before its tables are let go (releases before it only let them go,
# leaving the stored entry "offered" for good)
LATE_OFFER_REQUEUES = "late-offer-requeues"


def _illegal(message: str) -> ApplicationError:
    return ApplicationError(message, type="IllegalTransition", non_retryable=True)


@workflow.defn
class WaitlistWorkflow:
    """Owns one waitlist entry. Workflow id: `waitlist-<entry id>`."""

    @workflow.init
    def __init__(self, inp: WaitlistInput) -> None:
        self._input = inp
        self._state = WaitlistState(entry_id=inp.entry_id, restaurant_id=inp.restaurant_id)
        self._parts = Serialised()
        self._outbox = WaitlistOutbox(inp.entry_id, self._parts)
        self._offers: Inbox[OfferFacts] = Inbox()
        self._opened = False
        self._offers_taken = 0
        self._calls = 0

    # ---- run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: WaitlistInput) -> WaitlistState:
        opened = await workflow.execute_activity(
            open_waitlist_entry,
            inp,
            start_to_close_timeout=DATABASE.start_to_close_timeout,
            retry_policy=DATABASE.retry_policy,
        )
        self._state.status = opened.status
        self._state.quoted_wait_minutes = opened.quoted_wait_minutes
        workflow.upsert_search_attributes(
            [
                RESTAURANT_ID.value_set(str(inp.restaurant_id)),
                RESERVATION_DATE.value_set(inp.date.isoformat()),
                WAITLIST_STATUS.value_set(opened.status.value),
            ]
        )
        self._opened = True  # the creating caller has its answer from here on
        if opened.status is W.WAITING:
            async with self._parts.lock:
                await self._outbox.send("waitlist_joined")
        await self._parts.drive(self._next_step, self._finished)
        return self._state

    def _finished(self) -> bool:
        return self._state.status in ENDED and not self._offers and not self._parts.busy()

    def _next_step(self) -> Step:
        if self._offers:
            return Step(None, self._take_offer)
        if self._state.status is W.WAITING:
            return Step(self._input.expires_at, self._entry_expired)
        if self._state.status is W.OFFERED and self._state.offer is not None:
            return Step(self._state.offer.expires_at, self._offer_timed_out)
        return IDLE

    # ---- what the entry does on its own ------------------------------------------

    async def _take_offer(self) -> None:
        facts = self._offers.take()
        if self._state.status is W.WAITING and facts.expires_at > workflow.now():
            await self._offered(facts)
            return
        if self._state.status is W.WAITING and workflow.patched(LATE_OFFER_REQUEUES):
            # the guest never heard of it: still waiting, first in line for what it frees
            await self._record(W.WAITING)
        # or the entry moved on (left, seated, expired) before the offer arrived
        await self._release(facts, "not_wanted")

    async def _offered(self, facts: OfferFacts) -> None:
        self._state.status = W.OFFERED
        self._state.offer = facts
        self._offers_taken += 1
        self._show_status()
        walk_in = self._input.kind is WaitlistKind.WALK_IN
        await self._outbox.send(
            "waitlist_table_ready" if walk_in else "waitlist_offer", sequence=self._offers_taken
        )

    async def _entry_expired(self) -> None:
        await self._end(W.EXPIRED)
        await self._outbox.send("waitlist_expired")

    async def _offer_timed_out(self) -> None:
        assert self._state.offer is not None
        await self._release(self._state.offer, "timed_out")
        await self._end(W.EXPIRED)
        await self._outbox.send("waitlist_expired")

    async def _release(self, facts: OfferFacts, reason: str) -> None:
        await workflow.execute_activity(
            release_waitlist_offer,
            ReleaseOffer(
                entry_id=self._input.entry_id, reservation_id=facts.reservation_id, reason=reason
            ),
            start_to_close_timeout=DATABASE.start_to_close_timeout,
            retry_policy=DATABASE.retry_policy,
        )

    async def _end(self, status: WaitlistStatus) -> None:
        await self._record(status)
        self._state.status = status
        self._show_status()

    async def _record(self, status: WaitlistStatus) -> None:
        await workflow.execute_activity(
            record_waitlist_status,
            EntryStatusChange(entry_id=self._input.entry_id, status=status, at=workflow.now()),
            start_to_close_timeout=DATABASE.start_to_close_timeout,
            retry_policy=DATABASE.retry_policy,
        )

    def _show_status(self) -> None:
        workflow.upsert_search_attributes([WAITLIST_STATUS.value_set(self._state.status.value)])

    # ---- signals and queries -----------------------------------------------------

    @workflow.signal
    def offer(self, facts: OfferFacts) -> None:
        """Tables held for this entry by the dispatcher (de-duplicated by offer id)."""
        if self._parts.first_time(f"offer:{facts.offer_id}"):
            self._offers.put(facts)
            self._parts.wake()

    @workflow.query
    def state(self) -> WaitlistState:
        """The live state of the entry."""
        return self._state

    # ---- updates -------------------------------------------------------------------

    @workflow.update
    async def create(self) -> WaitlistState:
        """Answer the joining caller once the entry is recorded (used with update-with-start)."""
        await workflow.wait_condition(lambda: self._opened)
        return self._state

    @workflow.update
    async def accept(self, answer: OfferAnswer) -> WaitlistState:
        """The guest takes the offer: its hold becomes a booking, or the accept is refused."""
        async with self._parts.lock:
            self._check_offered()
            offer = self._state.offer
            assert offer is not None
            try:
                accepted: AcceptedOffer = await workflow.execute_activity(
                    accept_waitlist_offer,
                    OfferDecision(
                        entry_id=self._input.entry_id, reservation_id=offer.reservation_id
                    ),
                    start_to_close_timeout=DATABASE.start_to_close_timeout,
                    retry_policy=DATABASE.retry_policy,
                )
            except ActivityError as failure:
                refusal = refusal_of(failure)
                if refusal is None:
                    raise
                # the hold ran out first: the offer ends as a time-out would end it
                await self._offer_timed_out()
                raise ApplicationError(
                    "this offer has expired", type="OfferExpired", non_retryable=True
                ) from None
            self._state.status = W.ACCEPTED
            self._state.reservation_id = accepted.reservation_id
            self._show_status()
        self._parts.wake()
        return self._state

    @accept.validator
    def _validate_accept(self, answer: OfferAnswer) -> None:
        self._check_offered()

    @workflow.update
    async def decline(self, answer: OfferAnswer) -> WaitlistState:
        """The guest turns the offer down: the tables go to the next entry; this entry ends."""
        async with self._parts.lock:
            self._check_offered()
            assert self._state.offer is not None
            await self._release(self._state.offer, "declined")
            await self._end(W.CANCELLED)
        self._parts.wake()
        return self._state

    @decline.validator
    def _validate_decline(self, answer: OfferAnswer) -> None:
        self._check_offered()

    @workflow.update
    async def leave(self, request: LeaveRequest) -> WaitlistState:
        """The guest leaves the list, or staff remove the entry."""
        async with self._parts.lock:
            self._check_open("leave")
            await self._drop()
        self._parts.wake()
        return self._state

    @leave.validator
    def _validate_leave(self, request: LeaveRequest) -> None:
        self._check_open("leave")

    @workflow.update
    async def skip(self, request: SkipRequest) -> WaitlistState:
        """Staff skip a queued party (gone, or not answering)."""
        async with self._parts.lock:
            self._check_open("skip")
            await self._drop()
        self._parts.wake()
        return self._state

    @skip.validator
    def _validate_skip(self, request: SkipRequest) -> None:
        self._check_open("skip")

    @workflow.update
    async def notify(self, request: NotifyRequest) -> WaitlistState:
        """Staff ask for an offer now; when nothing fits the guest hears "we will call you"."""
        async with self._parts.lock:
            self._check_waiting()
            made: list[OfferMade] = await workflow.execute_activity(
                match_waitlist,
                MatchRequest(
                    restaurant_id=self._input.restaurant_id,
                    day=self._input.date,
                    entry_id=self._input.entry_id,
                    limit=1,
                ),
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
            mine = [m.facts for m in made if m.entry_id == self._input.entry_id]
            if mine and self._parts.first_time(f"offer:{mine[0].offer_id}"):
                await self._offered(mine[0])
            elif not mine:
                self._calls += 1
                await self._outbox.send("waitlist_call_you", sequence=self._calls)
        self._parts.wake()
        return self._state

    @notify.validator
    def _validate_notify(self, request: NotifyRequest) -> None:
        self._check_waiting()

    @workflow.update
    async def seat(self, request: SeatRequest) -> WaitlistState:
        """Staff seat the party: a seated walk-in reservation with its own workflow."""
        async with self._parts.lock:
            self._check_open("seat")
            offer = self._state.offer if self._state.status is W.OFFERED else None
            with refusals_fail_the_update():
                seated: AcceptedOffer = await workflow.execute_activity(
                    seat_waitlist_entry,
                    SeatEntry(
                        entry_id=self._input.entry_id,
                        staff_id=request.staff_id,
                        table_ids=request.table_ids,
                        offer_reservation_id=offer.reservation_id if offer else None,
                    ),
                    start_to_close_timeout=DATABASE.start_to_close_timeout,
                    retry_policy=DATABASE.retry_policy,
                )
            self._state.status = W.SEATED
            self._state.reservation_id = seated.reservation_id
            self._show_status()
        self._parts.wake()
        return self._state

    @seat.validator
    def _validate_seat(self, request: SeatRequest) -> None:
        self._check_open("seat")

    # ---- helpers -------------------------------------------------------------------

    async def _drop(self) -> None:
        if self._state.status is W.OFFERED and self._state.offer is not None:
            await self._release(self._state.offer, "withdrawn")
        await self._end(W.CANCELLED)

    def _check_offered(self) -> None:
        if self._state.status is not W.OFFERED or self._state.offer is None:
            raise _illegal(f"there is no open offer: the entry is {self._state.status.value}")

    def _check_waiting(self) -> None:
        if self._state.status is not W.WAITING:
            raise _illegal(f"the entry is {self._state.status.value}, not waiting")

    def _check_open(self, action: str) -> None:
        if not self._opened or self._state.status not in OPEN:
            raise _illegal(f"cannot {action}: the entry is {self._state.status.value}")


@workflow.defn
class WaitlistDispatcher:
    """Matches freed capacity to entries for one restaurant-day (signal-with-start)."""

    @workflow.init
    def __init__(self, inp: DispatcherInput) -> None:
        self._input = inp
        self._parts = Serialised()
        self._dirty = inp.pending
        self._closed = False
        self.offers_made = 0
        # the day is over for every timezone (and its overnight service) two days later
        self._ends_at = datetime.combine(inp.day + timedelta(days=2), time(0), UTC)

    @workflow.run
    async def run(self, inp: DispatcherInput) -> int:
        await self._parts.drive(self._next_step, self._finished)
        if not self._closed:
            # a long day's history grows: carry on in a fresh run (nothing is pending)
            workflow.continue_as_new(
                DispatcherInput(
                    restaurant_id=inp.restaurant_id,
                    day=inp.day,
                    pending=self._dirty,
                    offers_made=self.offers_made,
                )
            )
        return inp.offers_made + self.offers_made

    @workflow.signal
    def capacity_changed(self, change: CapacityChanged) -> None:
        """Tables may have freed up on this day (de-duplicated by event id)."""
        if self._parts.first_time(change.event_id):
            self._dirty = True
            self._parts.wake()

    def _next_step(self) -> Step:
        if self._dirty:
            return Step(None, self._match)
        return Step(self._ends_at, self._close)

    def _finished(self) -> bool:
        if self._dirty or self._parts.busy():
            return False
        return self._closed or workflow.info().is_continue_as_new_suggested()

    async def _close(self) -> None:
        self._closed = True

    async def _match(self) -> None:
        self._dirty = False
        try:
            made = await workflow.execute_activity(
                match_waitlist,
                MatchRequest(
                    restaurant_id=self._input.restaurant_id,
                    day=self._input.day,
                    limit=MATCH_LIMIT,
                ),
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
        except ActivityError as failure:
            if refusal_of(failure) is None:
                raise
            # refused for good (the restaurant is gone): nothing to match on this day
            workflow.logger.warning("waitlist matching refused: %s", failure.cause)
            return
        for offer in made:
            await self._tell(offer)
        if len(made) >= MATCH_LIMIT:
            self._dirty = True  # there may be more that fit: match again

    async def _tell(self, offer: OfferMade) -> None:
        handle = workflow.get_external_workflow_handle_for(
            WaitlistWorkflow.run, entry_workflow_id(offer.entry_id)
        )
        try:
            await handle.signal(WaitlistWorkflow.offer, offer.facts)
        except FailureError:
            # the entry's workflow is gone: its offer is released and the entry ends
            workflow.logger.warning("waitlist entry %s has no workflow", offer.entry_id)
            try:
                await workflow.execute_activity(
                    release_waitlist_offer,
                    ReleaseOffer(
                        entry_id=offer.entry_id,
                        reservation_id=offer.facts.reservation_id,
                        reason="entry_gone",
                    ),
                    start_to_close_timeout=DATABASE.start_to_close_timeout,
                    retry_policy=DATABASE.retry_policy,
                )
                await workflow.execute_activity(
                    record_waitlist_status,
                    EntryStatusChange(entry_id=offer.entry_id, status=W.EXPIRED, at=workflow.now()),
                    start_to_close_timeout=DATABASE.start_to_close_timeout,
                    retry_policy=DATABASE.retry_policy,
                )
            except ActivityError as failure:
                if refusal_of(failure) is None:
                    raise
                workflow.logger.warning("entry %s: %s", offer.entry_id, failure.cause)
            return
        self.offers_made += 1
