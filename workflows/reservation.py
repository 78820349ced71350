"""ReservationWorkflow: one durable workflow per reservation, from hold to review request.

The lifecycle follows the state machine in rules/state_machine.py. Every side
effect is an activity called through its typed contract (workflows/activity_contracts);
staff and guest actions are updates whose validators refuse illegal transitions
before anything is recorded; provider events are signals de-duplicated by id.
Money lives in `workflows.money`, messages in `workflows.outbox`, and the lock,
inbox and background work in `workflows.handlers`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.handlers import IDLE, Inbox, Serialised, Step, earliest
from workflows.money import WAIVABLE, Money
from workflows.outbox import Outbox

with workflow.unsafe.imports_passed_through():
    from models.enums import ConfirmationMode, DepositStatus
    from models.schemas.booking import HoldOutcome
    from models.schemas.lifecycle import (
        AssignTablesRequest,
        BookingFacts,
        CancelRequest,
        CheckInRequest,
        CompleteRequest,
        CreateRequest,
        DecisionRequest,
        GuestReconfirmRequest,
        ModifyRequest,
        NoShowRequest,
        PaymentEvent,
        ReservationInput,
        ReservationState,
        SmsReply,
        StaffAnswer,
        StaffMessage,
        StaffMessageRecord,
        Transition,
        WaiverRequest,
    )
    from rules.payment_policy import Outcome, PaymentMode
    from rules.state_machine import (
        TERMINAL_STATUSES,
        IllegalTransition,
        ReservationAction,
        ReservationStatus,
        next_status,
    )
    from workflows.activity_contracts import (
        assign_booking_tables,
        hold_booking,
        move_booking,
        record_staff_message,
        record_transition,
    )
    from workflows.retries import DATABASE, refusal_of
    from workflows.search_attributes import (
        RESERVATION_DATE,
        RESERVATION_REFERENCE,
        RESERVATION_STATUS,
        RESTAURANT_ID,
    )

R = TypeVar("R", ModifyRequest, AssignTablesRequest)
A = ReservationAction
S = ReservationStatus
D = DepositStatus

# how long before its start a party may be seated
EARLIEST_CHECK_IN = timedelta(hours=12)
# patches: timers that releases before them did not start (old histories replay without)
CLOSE_SEATED = "close-seated-party"
CLOSE_UNRESOLVED = "close-unresolved-booking"


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
        self._parts = Serialised()
        self._outbox = Outbox(inp.booking.reservation_id, self._parts)
        self._money = Money(self._state, self._parts, self._outbox, mark_ended=self._mark_ended)
        self._hold_done = False
        self._facts: BookingFacts | None = None
        self._pending_since: datetime | None = None
        self._completed_at: datetime | None = None
        self._review_sent = False
        self._modifications = 0
        self._last_transition_at: datetime | None = None
        self._ended_at: datetime | None = None
        self._window_closed = False
        # guest replies and staff answers wait here for the lifecycle loop
        self._replies: Inbox[SmsReply | StaffMessage] = Inbox()

    # ---- run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: ReservationInput) -> ReservationState:
        facts = await self._hold(inp)
        self._apply_facts(facts)
        if not facts.hold.held:
            self._state.refused = True
            self._hold_done = True
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self._state
        # the hold's transaction took the first decision (rules.state_machine.initial_status)
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
        if status is S.HELD and self._state.deposit_status is D.PENDING:
            # the creating caller's answer carries the checkout session
            self._state.payment_session = await self._money.open_session()
        self._hold_done = True  # the creating caller has its answer from here on
        async with self._parts.lock:
            await self._first_message(status)
        await self._parts.drive(self._next_step, self._finished)
        return self._state

    async def _hold(self, inp: ReservationInput) -> BookingFacts:
        try:
            return await workflow.execute_activity(
                hold_booking,
                inp,
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
        except ActivityError as failure:
            refusal = refusal_of(failure)
            if refusal is None:
                raise
            # the request itself cannot be served (e.g. staff pinned unsuitable tables)
            return BookingFacts(
                hold=HoldOutcome(
                    held=False,
                    reservation_id=inp.booking.reservation_id,
                    reason=refusal.message,
                    invalid_field=_invalid_field(refusal),
                )
            )

    async def _first_message(self, status: ReservationStatus) -> None:
        if status is S.CONFIRMED:
            await self._on_confirmed()
        elif status is S.PENDING_CONFIRMATION:
            await self._outbox.send("pending")
        elif status is S.HELD and self._state.payment_session is None:
            await self._expire()  # no checkout could be opened: the hold cannot be paid
        elif status is S.HELD:
            guarantee = self._state.payment_mode is PaymentMode.GUARANTEE
            await self._outbox.send(
                "guarantee_request" if guarantee else "deposit_request",
                amount_minor=self._money.terms().amount_minor,
            )

    def _finished(self) -> bool:
        if self._parts.busy():
            return False  # a handler is mid-way, or money or a send is still moving
        if self._money.waiting() or self._replies:
            return False
        status = self._state.status
        if status not in TERMINAL_STATUSES:
            return False
        if status is S.COMPLETED and not self._review_sent:
            return False
        if self._state.deposit_status is D.REFUND_PENDING:
            return False  # the provider has yet to confirm the refund
        return self._window_end() is None or self._window_closed

    def _window_end(self) -> datetime | None:
        """How long an ended booking stays open: for a waiver, or to catch a late payment."""
        if self._ended_at is None:
            return None
        policy = self._input.policy
        if self._state.deposit_status in WAIVABLE:
            return self._ended_at + timedelta(days=policy.waiver_window_days)
        if self._state.deposit_status is D.PENDING:
            return self._ended_at + timedelta(hours=policy.late_payment_window_hours)
        return None

    def _next_step(self) -> Step:
        """What the reservation waits for in its current status."""
        if self._money.inbox:
            return Step(None, self._money.handle_next_event)
        if self._replies:
            return Step(None, self._handle_reply)
        status = self._state.status
        facts = self._facts
        assert facts is not None
        policy = self._input.policy
        if status is S.HELD:
            if self._money.put_up():
                return Step(None, self._after_hold)
            return Step(facts.hold.hold_expires_at, self._expire)
        if status is S.PENDING_CONFIRMATION:
            assert self._pending_since is not None
            deadline = self._pending_since + timedelta(hours=policy.manual_confirmation_hours)
            if self._state.starts_at is not None:
                deadline = min(deadline, self._state.starts_at)
            return Step(deadline, self._auto_decline)
        if status is S.CONFIRMED:
            return earliest(self._confirmed_steps())
        if status is S.SEATED and (seated := self._seated_step()) is not IDLE:
            return seated
        if status is S.COMPLETED and not self._review_sent and self._completed_at is not None:
            delay = timedelta(hours=policy.review_request_delay_hours)
            return Step(self._completed_at + delay, self._send_review_request)
        window_end = self._window_end()
        if window_end is not None and not self._window_closed:
            return Step(window_end, self._close_window)
        return IDLE

    def _confirmed_steps(self) -> list[Step]:
        policy = self._input.policy
        starts_at = self._state.starts_at
        steps: list[Step] = []
        if not self._state.reminder_sent and self._state.reminder_at is not None:
            steps.append(Step(self._state.reminder_at, self._send_reminder))
        if starts_at is None:
            return steps
        if policy.no_show_grace_minutes is not None:
            grace = timedelta(minutes=policy.no_show_grace_minutes)
            steps.append(Step(starts_at + grace, self._auto_no_show))
        elif workflow.patched(CLOSE_UNRESOLVED):
            # nobody checked the party in nor marked a no-show: the booking must still end
            after = timedelta(hours=policy.unresolved_after_hours)
            steps.append(Step(starts_at + after, self._close_unresolved))
        return steps

    def _seated_step(self) -> Step:
        ends_at = self._state.hold.ends_at if self._state.hold else None
        if ends_at is None or not workflow.patched(CLOSE_SEATED):
            return IDLE
        # staff forgot to complete the party: complete it after its expected end
        grace = timedelta(minutes=self._input.policy.seated_grace_minutes)
        return Step(ends_at + grace, self._auto_complete)

    # ---- timed steps ---------------------------------------------------------------

    async def _after_hold(self) -> None:
        if self._input.policy.confirmation_mode is ConfirmationMode.MANUAL:
            if await self._transition(A.AWAIT_MANUAL):
                self._pending_since = self._last_transition_at
                await self._outbox.send("pending")
        elif await self._transition(A.CONFIRM_DEPOSIT_PAID):
            await self._on_confirmed()
        # the receipt follows the decision, so the booking is confirmed one step sooner
        if self._state.deposit_status is D.PAID and self._money.receipt_due is not None:
            await self._outbox.send("deposit_receipt", amount_minor=self._money.receipt_due)
        self._money.receipt_due = None

    async def _expire(self) -> None:
        await self._transition(A.EXPIRE, release_tables=True)
        await self._outbox.send("hold_expired")
        # money already put up for a hold that was lost is the restaurant's to return
        await self._money.settle(Outcome.DECLINED)

    async def _auto_decline(self) -> None:
        await self._transition(A.DECLINE, release_tables=True, reason="not confirmed in time")
        await self._outbox.send("declined")
        await self._money.settle(Outcome.DECLINED)

    async def _send_reminder(self) -> None:
        self._state.reminder_sent = True
        await self._outbox.send("reminder", sequence=self._modifications)

    async def _auto_no_show(self) -> None:
        if await self._transition(A.NO_SHOW, release_tables=True, reason="not seated in time"):
            await self._money.settle(Outcome.NO_SHOW)

    async def _close_unresolved(self) -> None:
        reason = "unresolved: nobody checked the party in or marked a no-show"
        if await self._transition(A.NO_SHOW, release_tables=True, reason=reason):
            await self._money.settle(Outcome.UNRESOLVED)

    async def _auto_complete(self) -> None:
        if await self._transition(A.COMPLETE, release_tables=True, reason="completed by timer"):
            self._completed_at = self._last_transition_at
            await self._money.settle(Outcome.ATTENDED)

    async def _send_review_request(self) -> None:
        self._review_sent = True
        await self._outbox.send("review_request")

    async def _close_window(self) -> None:
        self._window_closed = True

    async def _on_confirmed(self) -> None:
        now = workflow.now()
        if self._state.reminder_at is not None and self._state.reminder_at <= now:
            self._state.reminder_sent = True  # booked inside the reminder window
        await self._outbox.send("confirmation")

    def _mark_ended(self) -> None:
        self._ended_at = self._ended_at or workflow.now()

    # ---- replies -------------------------------------------------------------------

    async def _handle_reply(self) -> None:
        reply = self._replies.take()
        if isinstance(reply, StaffMessage):
            await self._outbox.send("staff_reply", thread_message_id=reply.thread_message_id)
        else:
            await self._on_sms_reply(reply)

    async def _on_sms_reply(self, reply: SmsReply) -> None:
        if self._state.status is None:
            return
        if reply.kind == "confirm" and self._allowed(A.GUEST_RECONFIRM):
            await self._reconfirm()
        elif reply.kind == "cancel" and self._allowed(A.CANCEL_BY_GUEST):
            if self._within_deadline():
                await self._cancel(CancelRequest(by="guest", reason="cancelled by SMS reply"))
            else:
                # a one-letter reply must not forfeit money: late cancellations need the link
                await self._outbox.send("sms_cancel_refused", sequence=self._parts.seen_count)

    # ---- signals -------------------------------------------------------------------

    @workflow.signal
    def payment_event(self, event: PaymentEvent) -> None:
        """A verified payment provider notification (webhook)."""
        if self._money.receive(event):
            self._parts.wake()

    @workflow.signal
    def sms_reply(self, reply: SmsReply) -> None:
        """The guest answered by SMS (confirm or cancel; the rest is for staff to read)."""
        if self._parts.first_time(f"sms:{reply.message_sid}") and reply.kind in {
            "confirm",
            "cancel",
        }:
            self._replies.put(reply)
            self._parts.wake()

    @workflow.signal
    def staff_message(self, message: StaffMessage) -> None:
        """A staff answer already in the thread (sent by releases before `answer_guest`)."""
        if self._parts.first_time(f"staff:{message.thread_message_id}"):
            self._replies.put(message)
            self._parts.wake()

    # ---- queries -------------------------------------------------------------------

    @workflow.query
    def state(self) -> ReservationState:
        """The live state of the reservation."""
        return self._state

    # ---- updates -------------------------------------------------------------------

    @workflow.update
    async def create(self, request: CreateRequest | None = None) -> ReservationState:
        """Answer the creating caller once the hold is decided (used with update-with-start)."""
        await workflow.wait_condition(lambda: self._hold_done)
        return self._state

    @workflow.update
    async def confirm(self, request: DecisionRequest) -> ReservationState:
        """A manager confirms a booking that waits for manual confirmation."""
        async with self._parts.lock:
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
        async with self._parts.lock:
            self._check(A.DECLINE)
            await self._transition(A.DECLINE, release_tables=True, reason=request.reason)
            await self._outbox.send("declined")
            await self._money.settle(Outcome.DECLINED)
        return self._woken()

    @decline.validator
    def _validate_decline(self, request: DecisionRequest) -> None:
        self._check(A.DECLINE)

    @workflow.update
    async def cancel(self, request: CancelRequest) -> ReservationState:
        """The guest or the restaurant cancels; tables are released at once."""
        async with self._parts.lock:
            self._check(_cancel_action(request))
            await self._cancel(request)
        return self._woken()

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        self._check(_cancel_action(request))

    async def _cancel(self, request: CancelRequest) -> None:
        by_guest = request.by == "guest"
        within = self._within_deadline()
        await self._transition(
            _cancel_action(request),
            release_tables=True,
            reason=request.reason,
            within_deadline=within,
        )
        await self._outbox.send(
            "cancellation_by_guest" if by_guest else "cancellation_by_restaurant"
        )
        if not by_guest:
            outcome = Outcome.CANCELLED_BY_RESTAURANT
        else:
            outcome = Outcome.CANCELLED_IN_TIME if within else Outcome.CANCELLED_LATE
        await self._money.settle(outcome)

    @workflow.update
    async def modify(self, request: ModifyRequest) -> ReservationState:
        """Move the booking; new tables are held before the old ones are released."""
        async with self._parts.lock:
            self._check(A.MODIFY)
            before = self._booking_as_told()
            facts = await self._booking_facts(move_booking, self._state.reservation_id, request)
            _refuse_unless_held(facts)
            self._apply_facts(facts)
            if facts.date is not None:
                workflow.upsert_search_attributes(
                    [RESERVATION_DATE.value_set(facts.date.isoformat())]
                )
            if self._booking_as_told() == before:
                return self._woken()  # nothing the guest was told has changed: nothing to send
            self._modifications += 1
            if self._state.reminder_at is not None and self._state.reminder_at > workflow.now():
                self._state.reminder_sent = False  # the reminder moves with the booking
            await self._outbox.send("modification", sequence=self._modifications)
        return self._woken()

    @modify.validator
    def _validate_modify(self, request: ModifyRequest) -> None:
        self._check(A.MODIFY)

    @workflow.update
    async def check_in(self, request: CheckInRequest) -> ReservationState:
        """The party arrived and is seated."""
        async with self._parts.lock:
            self._check(A.CHECK_IN)
            await self._transition(A.CHECK_IN, actual_party_size=request.actual_party_size)
        return self._woken()

    @check_in.validator
    def _validate_check_in(self, request: CheckInRequest) -> None:
        self._check(A.CHECK_IN)

    @workflow.update
    async def complete(self, request: CompleteRequest | None = None) -> ReservationState:
        """The party left; their tables are released early."""
        async with self._parts.lock:
            self._check(A.COMPLETE)
            if await self._transition(A.COMPLETE, release_tables=True):
                self._completed_at = self._last_transition_at
                await self._money.settle(Outcome.ATTENDED)
        return self._woken()

    @complete.validator
    def _validate_complete(self, request: CompleteRequest | None = None) -> None:
        self._check(A.COMPLETE)

    @workflow.update
    async def no_show(self, request: NoShowRequest | None = None) -> ReservationState:
        """Staff mark the party as not having come."""
        reason = request.reason if request else None
        async with self._parts.lock:
            self._check(A.NO_SHOW)
            if await self._transition(A.NO_SHOW, release_tables=True, reason=reason):
                await self._money.settle(Outcome.NO_SHOW)
        return self._woken()

    @no_show.validator
    def _validate_no_show(self, request: NoShowRequest | None = None) -> None:
        self._check(A.NO_SHOW)

    @workflow.update
    async def assign_tables(self, request: AssignTablesRequest) -> ReservationState:
        """Staff put the party on other tables (capacity and overlaps are checked)."""
        async with self._parts.lock:
            self._check(A.ASSIGN_TABLES)
            facts = await self._booking_facts(
                assign_booking_tables, self._state.reservation_id, request
            )
            _refuse_unless_held(facts)
            self._apply_facts(facts)
        return self._woken()

    @assign_tables.validator
    def _validate_assign_tables(self, request: AssignTablesRequest) -> None:
        self._check(A.ASSIGN_TABLES)

    @workflow.update
    async def guest_reconfirm(
        self, request: GuestReconfirmRequest | None = None
    ) -> ReservationState:
        """The guest answered the reminder: they are coming."""
        async with self._parts.lock:
            self._check(A.GUEST_RECONFIRM)
            await self._reconfirm()
        return self._woken()

    @guest_reconfirm.validator
    def _validate_guest_reconfirm(self, request: GuestReconfirmRequest | None = None) -> None:
        self._check(A.GUEST_RECONFIRM)

    async def _reconfirm(self) -> None:
        now = workflow.now()
        await self._transition(A.GUEST_RECONFIRM)
        self._state.guest_confirmed_at = now

    @workflow.update
    async def waive(self, request: WaiverRequest) -> ReservationState:
        """A manager waives a forfeited deposit or a charged fee: it is refunded."""
        async with self._parts.lock:
            await self._money.waive(request)
        return self._woken()

    @waive.validator
    def _validate_waive(self, request: WaiverRequest) -> None:
        self._money.check_waivable()

    @workflow.update
    async def answer_guest(self, answer: StaffAnswer) -> uuid.UUID:
        """Staff answer the guest: the thread row is written, then the message is sent."""
        async with self._parts.lock:
            self._check_answerable()
            update = workflow.current_update_info()
            message_id = await workflow.execute_activity(
                record_staff_message,
                StaffMessageRecord(
                    reservation_id=self._state.reservation_id,
                    staff_id=answer.staff_id,
                    body=answer.body,
                    key=update.id if update else str(workflow.uuid4()),
                    at=workflow.now(),
                ),
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
            await self._outbox.send("staff_reply", thread_message_id=message_id)
        self._parts.wake()
        return message_id

    @answer_guest.validator
    def _validate_answer_guest(self, answer: StaffAnswer) -> None:
        self._check_answerable()

    def _check_answerable(self) -> None:
        if not self._hold_done or self._state.refused:
            raise ApplicationError(
                "this booking was never held: there is no conversation",
                type="IllegalTransition",
                non_retryable=True,
            )

    # ---- helpers -------------------------------------------------------------------

    async def _booking_facts(
        self,
        activity: Callable[[uuid.UUID, R], Awaitable[BookingFacts]],
        reservation_id: uuid.UUID,
        request: R,
    ) -> BookingFacts:
        """Run a move or an assignment; a refusal by the data fails the update only."""
        try:
            return await workflow.execute_activity(
                activity,
                args=[reservation_id, request],
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
        except ActivityError as failure:
            refusal = refusal_of(failure)
            if refusal is None:
                raise
            raise refusal from None

    def _booking_as_told(self) -> tuple[object, ...]:
        """What the guest's messages say of the booking."""
        s = self._state
        return (s.date, s.time, s.party_size, s.starts_at, tuple(s.table_numbers))

    def _no_show_from(self) -> datetime | None:
        starts_at = self._state.starts_at
        if starts_at is None:
            return None
        return starts_at + timedelta(minutes=self._input.policy.no_show_after_minutes)

    def _within_deadline(self) -> bool:
        deadline = self._facts.cancellation_deadline_at if self._facts else None
        return deadline is None or workflow.now() <= deadline

    def _allowed(self, action: ReservationAction) -> bool:
        try:
            self._check(action)
        except ApplicationError:
            return False
        return True

    def _check(self, action: ReservationAction) -> None:
        """Refuse an action the state machine does not allow (validators and handlers)."""
        if not self._hold_done or self._state.status is None:
            raise ApplicationError("the reservation is not held yet", type="NotReady")
        try:
            next_status(self._state.status, action)
        except IllegalTransition as exc:
            raise ApplicationError(str(exc), type="IllegalTransition", non_retryable=True) from None
        starts_at = self._state.starts_at
        now = workflow.now()
        if action is A.CHECK_IN and starts_at and now < starts_at - EARLIEST_CHECK_IN:
            # seating a party days early is a slip of the finger, not a service
            raise ApplicationError(
                f"too early to check in: the reservation starts at {starts_at.isoformat()}",
                type="IllegalTransition",
                non_retryable=True,
            )
        no_show_from = self._no_show_from()
        if action is A.NO_SHOW and no_show_from and now < no_show_from:
            # a no-show can forfeit a deposit or charge a fee: never before the party is late
            raise ApplicationError(
                f"too early for a no-show: possible from {no_show_from.isoformat()}",
                type="IllegalTransition",
                non_retryable=True,
            )

    def _woken(self) -> ReservationState:
        self._parts.wake()
        return self._state

    def _set_status(self, status: ReservationStatus) -> None:
        self._state.status = status
        workflow.upsert_search_attributes([RESERVATION_STATUS.value_set(status.value)])

    def _apply_facts(self, facts: BookingFacts) -> None:
        self._facts = facts
        hold = facts.hold
        self._state.hold = hold
        if not hold.held:
            return
        self._state.reference = hold.reference
        self._state.starts_at = hold.starts_at
        self._state.table_numbers = list(hold.table_numbers)
        self._state.reminder_at = facts.reminder_at
        self._state.date = facts.date
        self._state.time = facts.time
        self._state.party_size = facts.party_size
        self._state.currency = facts.currency
        # a guarantee's fee follows the party size; a paid deposit does not change
        self._state.fee_minor = facts.fee_minor
        if self._state.status is None:
            self._state.payment_mode = facts.payment_mode
            self._state.deposit_minor = facts.deposit_minor
            due = facts.deposit_minor > 0 or facts.fee_minor > 0
            self._state.deposit_status = D.PENDING if due else D.NOT_REQUIRED

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
            record_transition,
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
            start_to_close_timeout=DATABASE.start_to_close_timeout,
            retry_policy=DATABASE.retry_policy,
        )
        if not recorded:
            # the hold was lost (released after expiry) before it could be confirmed
            if self._state.status is S.HELD and action is not A.EXPIRE:
                await self._expire()
            return False
        self._set_status(target)
        self._last_transition_at = at
        if target in TERMINAL_STATUSES:
            self._ended_at = at
        return True


def _cancel_action(request: CancelRequest) -> ReservationAction:
    return A.CANCEL_BY_GUEST if request.by == "guest" else A.CANCEL_BY_RESTAURANT


def _invalid_field(refusal: ApplicationError) -> str | None:
    """The field an Invalid refusal names ("body" when it names none)."""
    if refusal.type != "Invalid":
        return None
    details = refusal.details[0] if refusal.details else None
    field = details.get("field") if isinstance(details, dict) else None
    return field if isinstance(field, str) else "body"
