"""ReservationWorkflow: one durable workflow per reservation, from hold to review request.

The lifecycle follows the state machine in rules/state_machine.py. Every side
effect is an activity (named by string so this module never imports SQLAlchemy);
staff and guest actions are updates whose validators refuse illegal transitions
before anything is recorded; provider events are signals de-duplicated by id.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from models.enums import ConfirmationMode, DepositStatus
    from models.schemas.booking import HoldOutcome
    from models.schemas.lifecycle import (
        AssignTablesRequest,
        BookingFacts,
        CancelRequest,
        CheckInRequest,
        DecisionRequest,
        DepositFailed,
        DepositPaid,
        MessageIntent,
        MessageTemplate,
        ModifyRequest,
        ReservationInput,
        ReservationState,
        Transition,
    )
    from rules.state_machine import (
        TERMINAL_STATUSES,
        IllegalTransition,
        ReservationAction,
        ReservationStatus,
        next_status,
    )
    from workflows.search_attributes import (
        RESERVATION_DATE,
        RESERVATION_REFERENCE,
        RESERVATION_STATUS,
        RESTAURANT_ID,
    )

A = ReservationAction
S = ReservationStatus

# Database work is quick; outages are retried without limit (never dropped).
ACTIVITY_TIMEOUT = timedelta(seconds=30)
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1)
)


# how long before its start a party may be seated
EARLIEST_CHECK_IN = timedelta(hours=12)


@dataclass
class _Timer:
    """The next thing the lifecycle waits for: an instant and what to do then."""

    at: datetime | None
    action: Callable[[], Awaitable[None]] | None


async def _booking_activity(name: str, *args: object) -> BookingFacts:
    """Run an activity that answers with BookingFacts.

    A refusal by the data (non-retryable ApplicationError from the activity) is
    re-raised as an ApplicationError of its own, so it fails the update that asked,
    never the workflow.
    """
    try:
        facts: BookingFacts = await workflow.execute_activity(
            name,
            args=list(args),
            result_type=BookingFacts,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        return facts
    except ActivityError as failure:
        cause = failure.cause
        if isinstance(cause, ApplicationError) and cause.non_retryable:
            raise ApplicationError(
                cause.message, *cause.details, type=cause.type, non_retryable=True
            ) from None
        raise


def _refuse_unless_held(facts: BookingFacts) -> None:
    """Fail the update (not the workflow) when the new tables could not be held."""
    if not facts.hold.held:
        raise ApplicationError(
            facts.hold.reason or "not available",
            facts.hold.model_dump(mode="json"),
            type="NotAvailable",
            non_retryable=True,
        )


@workflow.defn
class ReservationWorkflow:
    """Owns one reservation's lifecycle. Workflow id: `reservation-<reservation id>`."""

    @workflow.init
    def __init__(self, inp: ReservationInput) -> None:
        self._input = inp
        self._state = ReservationState(
            reservation_id=inp.booking.reservation_id, restaurant_id=inp.booking.restaurant_id
        )
        self._hold_done = False
        self._wake = False
        self._lock = asyncio.Lock()
        self._seen_events: set[str] = set()
        self._facts: BookingFacts | None = None
        self._pending_since: datetime | None = None
        self._completed_at: datetime | None = None
        self._review_sent = False
        self._modifications = 0
        self._late_payment = False
        self._last_transition_at: datetime | None = None

    # ---- run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: ReservationInput) -> ReservationState:
        try:
            facts = await _booking_activity("hold_booking", inp)
        except ApplicationError as refusal:
            # the request itself cannot be served (e.g. staff pinned unsuitable tables)
            facts = BookingFacts(
                hold=HoldOutcome(
                    held=False, reservation_id=inp.booking.reservation_id, reason=refusal.message
                )
            )
        self._apply_facts(facts)
        if not facts.hold.held:
            self._state.refused = True
            self._hold_done = True
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self._state
        # a booking with nothing to wait for was confirmed (or queued for the manager)
        # in the hold's own transaction; one with a deposit due is held
        status = facts.status or S.HELD
        self._set_status(status)
        workflow.upsert_search_attributes(
            [
                RESERVATION_REFERENCE.value_set(facts.hold.reference or ""),
                RESTAURANT_ID.value_set(str(inp.booking.restaurant_id)),
                RESERVATION_DATE.value_set(inp.booking.date.isoformat()),
            ]
        )
        if status is S.PENDING_CONFIRMATION:
            self._pending_since = facts.held_at or workflow.now()
        self._hold_done = True  # the creating caller has its answer from here on
        async with self._lock:
            if status is S.CONFIRMED:
                await self._on_confirmed()
            elif status is S.PENDING_CONFIRMATION:
                await self._message("pending")
            elif status is S.HELD:
                await self._message("held")
        await self._lifecycle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    async def _lifecycle(self) -> None:
        while not self._finished():
            timer = self._next_timer()
            if timer.action is not None and (timer.at is None or timer.at <= workflow.now()):
                async with self._lock:
                    again = self._next_timer()
                    if again.action is not None and (
                        again.at is None or again.at <= workflow.now()
                    ):
                        await again.action()
                continue
            self._wake = False
            timeout = (timer.at - workflow.now()) if timer.at is not None else None
            # on timeout the loop re-evaluates: the deadline has come
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._wake, timeout=timeout)

    def _finished(self) -> bool:
        status = self._state.status
        if status is S.COMPLETED:
            return self._review_sent
        return status in TERMINAL_STATUSES

    def _next_timer(self) -> _Timer:
        """What the reservation waits for in its current status."""
        status = self._state.status
        facts = self._facts
        assert facts is not None
        policy = self._input.policy
        if status is S.HELD:
            paid = self._state.deposit_status is not DepositStatus.PENDING
            if paid:
                return _Timer(None, self._after_hold)
            return _Timer(facts.hold.hold_expires_at, self._expire)
        if status is S.PENDING_CONFIRMATION:
            assert self._pending_since is not None
            deadline = self._pending_since + timedelta(hours=policy.manual_confirmation_hours)
            if self._state.starts_at is not None:
                deadline = min(deadline, self._state.starts_at)
            return _Timer(deadline, self._auto_decline)
        if status is S.CONFIRMED:
            timers: list[_Timer] = []
            if not self._state.reminder_sent and self._state.reminder_at is not None:
                timers.append(_Timer(self._state.reminder_at, self._send_reminder))
            if policy.no_show_grace_minutes is not None and self._state.starts_at is not None:
                grace = timedelta(minutes=policy.no_show_grace_minutes)
                timers.append(_Timer(self._state.starts_at + grace, self._auto_no_show))
            if timers:
                return min(timers, key=lambda t: t.at or datetime.max)
            return _Timer(None, None)
        if status is S.COMPLETED and not self._review_sent and self._completed_at is not None:
            delay = timedelta(hours=policy.review_request_delay_hours)
            return _Timer(self._completed_at + delay, self._send_review_request)
        return _Timer(None, None)

    # ---- timed steps ---------------------------------------------------------------

    async def _after_hold(self) -> None:
        if self._input.policy.confirmation_mode is ConfirmationMode.MANUAL:
            if await self._transition(A.AWAIT_MANUAL):
                self._pending_since = self._last_transition_at
                await self._message("pending")
        else:
            action = A.CONFIRM_DEPOSIT_PAID
            if await self._transition(action):
                await self._on_confirmed()

    async def _expire(self) -> None:
        await self._transition(A.EXPIRE, release_tables=True)
        await self._message("hold_expired")

    async def _auto_decline(self) -> None:
        await self._transition(A.DECLINE, release_tables=True, reason="not confirmed in time")
        await self._message("declined")

    async def _send_reminder(self) -> None:
        self._state.reminder_sent = True
        await self._message("reminder", sequence=self._modifications)

    async def _auto_no_show(self) -> None:
        await self._transition(A.NO_SHOW, release_tables=True, reason="not seated in time")

    async def _send_review_request(self) -> None:
        self._review_sent = True
        await self._message("review_request")

    async def _on_confirmed(self) -> None:
        now = workflow.now()
        if self._state.reminder_at is not None and self._state.reminder_at <= now:
            self._state.reminder_sent = True  # booked inside the reminder window
        await self._message("confirmation")

    # ---- signals -------------------------------------------------------------------

    @workflow.signal
    def deposit_paid(self, event: DepositPaid) -> None:
        """The payment provider captured the deposit."""
        if event.event_id in self._seen_events:
            return
        self._seen_events.add(event.event_id)
        if self._state.status is S.HELD:
            self._state.deposit_status = DepositStatus.PAID
        else:
            # paid after the hold ended: the payments issue refunds this
            self._late_payment = True
        self._wake = True

    @workflow.signal
    def deposit_failed(self, event: DepositFailed) -> None:
        """A payment attempt failed; the guest may retry until the hold expires."""
        if event.event_id in self._seen_events:
            return
        self._seen_events.add(event.event_id)

    # ---- queries -------------------------------------------------------------------

    @workflow.query
    def state(self) -> ReservationState:
        """The live state of the reservation."""
        return self._state

    # ---- updates -------------------------------------------------------------------

    @workflow.update
    async def create(self) -> ReservationState:
        """Answer the creating caller once the hold is decided (used with update-with-start)."""
        await workflow.wait_condition(lambda: self._hold_done)
        return self._state

    @workflow.update
    async def confirm(self, request: DecisionRequest) -> ReservationState:
        """A manager confirms a booking that waits for manual confirmation."""
        async with self._lock:
            self._check(A.CONFIRM)
            await self._transition(A.CONFIRM, reason=request.reason)
            await self._on_confirmed()
        return self._woken()

    @confirm.validator
    def _validate_confirm(self, request: DecisionRequest) -> None:
        self._check(A.CONFIRM)

    @workflow.update
    async def decline(self, request: DecisionRequest) -> ReservationState:
        """A manager declines a booking that waits for manual confirmation."""
        async with self._lock:
            self._check(A.DECLINE)
            await self._transition(A.DECLINE, release_tables=True, reason=request.reason)
            await self._message("declined")
        return self._woken()

    @decline.validator
    def _validate_decline(self, request: DecisionRequest) -> None:
        self._check(A.DECLINE)

    @workflow.update
    async def cancel(self, request: CancelRequest) -> ReservationState:
        """The guest or the restaurant cancels; tables are released at once."""
        action = A.CANCEL_BY_GUEST if request.by == "guest" else A.CANCEL_BY_RESTAURANT
        async with self._lock:
            self._check(action)
            deadline = self._facts.cancellation_deadline_at if self._facts else None
            within = deadline is None or workflow.now() <= deadline
            await self._transition(
                action, release_tables=True, reason=request.reason, within_deadline=within
            )
            await self._message(
                "cancellation_by_guest" if request.by == "guest" else "cancellation_by_restaurant"
            )
        return self._woken()

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        self._check(A.CANCEL_BY_GUEST if request.by == "guest" else A.CANCEL_BY_RESTAURANT)

    @workflow.update
    async def modify(self, request: ModifyRequest) -> ReservationState:
        """Move the booking; new tables are held before the old ones are released."""
        async with self._lock:
            self._check(A.MODIFY)
            facts = await _booking_activity("move_booking", self._state.reservation_id, request)
            _refuse_unless_held(facts)
            self._apply_facts(facts)
            if facts.date is not None:
                workflow.upsert_search_attributes(
                    [RESERVATION_DATE.value_set(facts.date.isoformat())]
                )
            self._modifications += 1
            if self._state.reminder_at is not None and self._state.reminder_at > workflow.now():
                self._state.reminder_sent = False  # the reminder moves with the booking
            await self._message("modification", sequence=self._modifications)
        return self._woken()

    @modify.validator
    def _validate_modify(self, request: ModifyRequest) -> None:
        self._check(A.MODIFY)

    @workflow.update
    async def check_in(self, request: CheckInRequest) -> ReservationState:
        """The party arrived and is seated."""
        async with self._lock:
            self._check(A.CHECK_IN)
            await self._transition(A.CHECK_IN, actual_party_size=request.actual_party_size)
        return self._woken()

    @check_in.validator
    def _validate_check_in(self, request: CheckInRequest) -> None:
        self._check(A.CHECK_IN)

    @workflow.update
    async def complete(self) -> ReservationState:
        """The party left; their tables are released early."""
        async with self._lock:
            self._check(A.COMPLETE)
            if await self._transition(A.COMPLETE, release_tables=True):
                self._completed_at = self._last_transition_at
        return self._woken()

    @complete.validator
    def _validate_complete(self) -> None:
        self._check(A.COMPLETE)

    @workflow.update
    async def no_show(self) -> ReservationState:
        """Staff mark the party as not having come."""
        async with self._lock:
            self._check(A.NO_SHOW)
            await self._transition(A.NO_SHOW, release_tables=True)
        return self._woken()

    @no_show.validator
    def _validate_no_show(self) -> None:
        self._check(A.NO_SHOW)

    @workflow.update
    async def assign_tables(self, request: AssignTablesRequest) -> ReservationState:
        """Staff put the party on other tables (capacity and overlaps are checked)."""
        async with self._lock:
            self._check(A.ASSIGN_TABLES)
            facts = await _booking_activity(
                "assign_booking_tables", self._state.reservation_id, request
            )
            _refuse_unless_held(facts)
            self._apply_facts(facts)
        return self._woken()

    @assign_tables.validator
    def _validate_assign_tables(self, request: AssignTablesRequest) -> None:
        self._check(A.ASSIGN_TABLES)

    @workflow.update
    async def guest_reconfirm(self) -> ReservationState:
        """The guest answered the reminder: they are coming."""
        async with self._lock:
            self._check(A.GUEST_RECONFIRM)
            now = workflow.now()
            await self._transition(A.GUEST_RECONFIRM)
            self._state.guest_confirmed_at = now
        return self._woken()

    @guest_reconfirm.validator
    def _validate_guest_reconfirm(self) -> None:
        self._check(A.GUEST_RECONFIRM)

    # ---- helpers -------------------------------------------------------------------

    def _check(self, action: ReservationAction) -> None:
        """Refuse an action the state machine does not allow (validators and handlers)."""
        if not self._hold_done or self._state.status is None:
            raise ApplicationError("the reservation is not held yet", type="NotReady")
        try:
            next_status(self._state.status, action)
        except IllegalTransition as exc:
            raise ApplicationError(str(exc), type="IllegalTransition", non_retryable=True) from None
        starts_at = self._state.starts_at
        if action is A.CHECK_IN and starts_at and workflow.now() < starts_at - EARLIEST_CHECK_IN:
            # seating a party days early is a slip of the finger, not a service
            raise ApplicationError(
                f"too early to check in: the reservation starts at {starts_at.isoformat()}",
                type="IllegalTransition",
                non_retryable=True,
            )

    def _woken(self) -> ReservationState:
        self._wake = True
        return self._state

    def _set_status(self, status: ReservationStatus) -> None:
        self._state.status = status
        workflow.upsert_search_attributes([RESERVATION_STATUS.value_set(status.value)])

    def _apply_facts(self, facts: BookingFacts) -> None:
        self._facts = facts
        hold = facts.hold
        self._state.hold = hold
        if hold.held:
            self._state.reference = hold.reference
            self._state.starts_at = hold.starts_at
            self._state.table_numbers = list(hold.table_numbers)
            self._state.reminder_at = facts.reminder_at
            self._state.date = facts.date
            self._state.time = facts.time
            self._state.party_size = facts.party_size
            self._state.currency = facts.currency
            if self._state.status is None:
                self._state.deposit_minor = facts.deposit_minor
                self._state.deposit_status = (
                    DepositStatus.PENDING if facts.deposit_minor > 0 else DepositStatus.NOT_REQUIRED
                )

    async def _transition(
        self,
        action: ReservationAction,
        *,
        release_tables: bool = False,
        reason: str | None = None,
        within_deadline: bool | None = None,
        actual_party_size: int | None = None,
    ) -> bool:
        """Record one state change in the database, then in the workflow's own state."""
        assert self._state.status is not None
        target = next_status(self._state.status, action)
        at = workflow.now()
        recorded = await workflow.execute_activity(
            "record_transition",
            Transition(
                reservation_id=self._state.reservation_id,
                action=action,
                status=target,
                at=at,
                reason=reason,
                within_deadline=within_deadline,
                actual_party_size=actual_party_size,
                release_tables=release_tables,
            ),
            result_type=bool,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        if not recorded:
            # the hold was lost (released after expiry) before it could be confirmed
            if self._state.status is S.HELD and action is not A.EXPIRE:
                await self._expire()
            return False
        self._set_status(target)
        self._last_transition_at = at
        return True

    async def _message(self, template: MessageTemplate, *, sequence: int = 0) -> None:
        await workflow.execute_activity(
            "queue_message",
            MessageIntent(
                reservation_id=self._state.reservation_id,
                template=template,
                sequence=sequence,
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
