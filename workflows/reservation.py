"""ReservationWorkflow: one durable workflow per reservation, from hold to review request.

The lifecycle follows the state machine in rules/state_machine.py. Every side
effect is an activity (named by string so this module never imports SQLAlchemy);
staff and guest actions are updates whose validators refuse illegal transitions
before anything is recorded; provider events are signals de-duplicated by id.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
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
        CheckoutSessionOut,
        CompleteRequest,
        CreateRequest,
        DecisionRequest,
        GuestReconfirmRequest,
        MessageIntent,
        MessageTemplate,
        ModifyRequest,
        MoneyMove,
        MoneyMoveResult,
        NoShowRequest,
        PaymentEvent,
        PaymentRecord,
        ReservationInput,
        ReservationState,
        SmsReply,
        StaffMessage,
        Transition,
        WaiverRecord,
        WaiverRequest,
    )
    from rules.payment_policy import Outcome, PaymentMode, PaymentTerms, Settlement, settle
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
# providers (payments, SMTP, Twilio) may be down for a while: keep trying, never drop
PROVIDER_TIMEOUT = timedelta(seconds=60)
PROVIDER_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=10)
)
D = DepositStatus
# what the guest put up, and can therefore be given back or kept
PUT_UP = frozenset({D.PAID, D.GUARANTEED})
WAIVABLE = frozenset({D.FORFEITED, D.CHARGED})


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
        self._last_transition_at: datetime | None = None
        # provider events and guest replies wait here for the lifecycle loop
        self._payment_inbox: list[PaymentEvent] = []
        self._reply_inbox: list[SmsReply | StaffMessage] = []
        # money movements and message sends run beside the lifecycle, never blocking it
        self._background: list[asyncio.Task[None]] = []
        self._payment_psp: str | None = None  # the guest's deposit or card-storing payment
        self._stored_method: str | None = None
        self._fee_psp: str | None = None
        self._refund_psps: set[str] = set()  # refunds asked for, by their own pspReference
        self._refunding: set[str] = set()  # payments being refunded, by pspReference
        self._ended_at: datetime | None = None
        self._window_closed = False
        # while a fee charge is in flight its own AUTHORISATION webhook may come first:
        # unknown payments wait here until the charge's pspReference is known
        self._charging = False
        self._deferred: list[PaymentEvent] = []
        self._receipt_due: int | None = None  # the deposit paid, for its receipt

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
        # in the hold's own transaction; one with a deposit or guarantee due is held
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
            self._state.payment_session = await self._open_payment_session()
        self._hold_done = True  # the creating caller has its answer from here on
        async with self._lock:
            if status is S.CONFIRMED:
                await self._on_confirmed()
            elif status is S.PENDING_CONFIRMATION:
                await self._message("pending")
            elif status is S.HELD and self._state.payment_session is None:
                await self._expire()  # no checkout could be opened: the hold cannot be paid
            elif status is S.HELD:
                guarantee = self._state.payment_mode is PaymentMode.GUARANTEE
                await self._message(
                    "guarantee_request" if guarantee else "deposit_request",
                    amount_minor=self._terms().amount_minor,
                )
        while True:
            await self._lifecycle()
            await workflow.wait_condition(workflow.all_handlers_finished)
            if self._finished():  # a last handler may have left work behind
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
        if self._lock.locked():
            return False  # a handler is mid-way (it may yet start a refund or a send)
        if self._payment_inbox or self._reply_inbox or self._deferred:
            return False
        if any(not task.done() for task in self._background):
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

    def _next_timer(self) -> _Timer:
        """What the reservation waits for in its current status."""
        if self._payment_inbox or self._reply_inbox:
            return _Timer(None, self._handle_inbox)
        status = self._state.status
        facts = self._facts
        assert facts is not None
        policy = self._input.policy
        if status is S.HELD:
            if self._state.deposit_status in PUT_UP:
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
        window_end = self._window_end()
        if window_end is not None and not self._window_closed:
            return _Timer(window_end, self._close_window)
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
        # the receipt follows the decision, so the booking is confirmed one step sooner
        if self._state.deposit_status is D.PAID and self._receipt_due is not None:
            await self._message("deposit_receipt", amount_minor=self._receipt_due)
        self._receipt_due = None

    async def _expire(self) -> None:
        await self._transition(A.EXPIRE, release_tables=True)
        await self._message("hold_expired")
        # money already put up for a hold that was lost is the restaurant's to return
        await self._settle(Outcome.DECLINED)

    async def _auto_decline(self) -> None:
        await self._transition(A.DECLINE, release_tables=True, reason="not confirmed in time")
        await self._message("declined")
        await self._settle(Outcome.DECLINED)

    async def _send_reminder(self) -> None:
        self._state.reminder_sent = True
        await self._message("reminder", sequence=self._modifications)

    async def _auto_no_show(self) -> None:
        if await self._transition(A.NO_SHOW, release_tables=True, reason="not seated in time"):
            await self._settle(Outcome.NO_SHOW)

    async def _send_review_request(self) -> None:
        self._review_sent = True
        await self._message("review_request")

    async def _close_window(self) -> None:
        self._window_closed = True

    async def _on_confirmed(self) -> None:
        now = workflow.now()
        if self._state.reminder_at is not None and self._state.reminder_at <= now:
            self._state.reminder_sent = True  # booked inside the reminder window
        await self._message("confirmation")

    # ---- money -----------------------------------------------------------------------

    def _terms(self) -> PaymentTerms:
        mode = self._state.payment_mode
        if mode is PaymentMode.DEPOSIT:
            return PaymentTerms(mode, self._state.deposit_minor)
        if mode is PaymentMode.GUARANTEE:
            return PaymentTerms(mode, self._state.fee_minor)
        return PaymentTerms(PaymentMode.NONE, 0)

    async def _open_payment_session(self) -> CheckoutSessionOut | None:
        try:
            session: CheckoutSessionOut = await workflow.execute_activity(
                "open_payment_session",
                self._state.reservation_id,
                result_type=CheckoutSessionOut,
                start_to_close_timeout=PROVIDER_TIMEOUT,
                # the guest is waiting for this answer: give up before the hold is worth little
                schedule_to_close_timeout=timedelta(minutes=2),
                retry_policy=ACTIVITY_RETRY,
            )
            return session
        except ActivityError as failure:
            workflow.logger.error("no checkout session could be opened: %s", failure.cause)
            return None

    async def _record_deposit(self, status: DepositStatus, event: PaymentEvent | None) -> None:
        """Set the deposit status here and in the database (with the event, if any)."""
        self._state.deposit_status = status
        await workflow.execute_activity(
            "record_payment",
            PaymentRecord(
                reservation_id=self._state.reservation_id, event=event, deposit_status=status
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    async def _settle(self, outcome: Outcome) -> None:
        """Apply the frozen terms to how the booking ended: refund, keep, release or charge."""
        if self._state.deposit_status not in PUT_UP:
            return  # nothing was paid or stored
        self._ended_at = self._ended_at or workflow.now()
        terms = self._terms()
        decision = settle(terms, outcome)
        rid = self._state.reservation_id
        if decision is Settlement.REFUND and self._payment_psp is not None:
            await self._record_deposit(D.REFUND_PENDING, None)
            self._start_refund(self._payment_psp, terms.amount_minor, key=f"{rid}:refund:deposit")
        elif decision is Settlement.KEEP and outcome is not Outcome.ATTENDED:
            await self._record_deposit(D.FORFEITED, None)
            await self._message("deposit_forfeited", amount_minor=terms.amount_minor)
        elif decision is Settlement.RELEASE:
            await self._record_deposit(D.RELEASED, None)
        elif decision is Settlement.CHARGE_FEE:
            if self._stored_method is None:
                workflow.logger.error("no stored card to charge the fee on")
                await self._record_deposit(D.RELEASED, None)
                return
            move = MoneyMove(
                reservation_id=rid,
                kind="charge_fee",
                key=f"{rid}:fee",
                amount_minor=terms.amount_minor,
                currency=self._state.currency,
                stored_payment_method_id=self._stored_method,
            )
            self._charging = True
            self._background.append(asyncio.create_task(self._charge_fee(move)))

    def _start_refund(self, psp: str, amount_minor: int, *, key: str) -> None:
        if psp in self._refunding:
            return
        self._refunding.add(psp)
        move = MoneyMove(
            reservation_id=self._state.reservation_id,
            kind="refund",
            key=key,
            amount_minor=amount_minor,
            currency=self._state.currency,
            payment_psp_reference=psp,
        )
        self._background.append(asyncio.create_task(self._refund(move)))

    async def _move_money(self, move: MoneyMove) -> MoneyMoveResult | None:
        try:
            result: MoneyMoveResult = await workflow.execute_activity(
                "move_money",
                move,
                result_type=MoneyMoveResult,
                start_to_close_timeout=PROVIDER_TIMEOUT,
                retry_policy=PROVIDER_RETRY,
            )
            return result
        except ActivityError as failure:
            # the provider refused the request itself; retrying cannot help
            workflow.logger.error("%s %s refused: %s", move.kind, move.key, failure.cause)
            return None
        finally:
            self._wake = True

    async def _refund(self, move: MoneyMove) -> None:
        result = await self._move_money(move)
        async with self._lock:
            if result is None or (result.settled and not result.succeeded):
                self._refunding.discard(move.payment_psp_reference or "")
                return
            if result.psp_reference:
                self._refund_psps.add(result.psp_reference)
            if result.settled:
                await self._refunded(move.amount_minor)

    async def _refunded(self, amount_minor: int) -> None:
        if self._state.deposit_status is D.REFUND_PENDING:
            await self._record_deposit(D.REFUNDED, None)
            await self._message("refund_issued", amount_minor=amount_minor)

    async def _charge_fee(self, move: MoneyMove) -> None:
        result = await self._move_money(move)
        async with self._lock:
            self._charging = False
            self._payment_inbox.extend(self._deferred)
            self._deferred.clear()
            if result is None:
                return
            self._fee_psp = result.psp_reference
            if result.settled and result.succeeded:
                await self._record_deposit(D.CHARGED, None)
                await self._message("fee_charged", amount_minor=move.amount_minor)
            elif result.settled:
                workflow.logger.error("the fee was refused: %s", result.reason)

    async def _on_payment_event(self, event: PaymentEvent) -> None:
        """Act on one verified provider notification (under the lock)."""
        status = self._state.status
        deposit = self._state.deposit_status
        code = event.event_code
        if code == "AUTHORISATION" and event.psp_reference == self._fee_psp:
            if event.success and deposit is D.GUARANTEED:
                await self._record_deposit(D.CHARGED, event)
                await self._message("fee_charged", amount_minor=event.amount_minor)
            else:
                await self._record_deposit(deposit, event)
        elif (
            code == "AUTHORISATION" and self._charging and event.psp_reference != self._payment_psp
        ):
            self._deferred.append(event)  # perhaps the fee's own; decided once it is known
        elif code == "AUTHORISATION" and event.success:
            first = self._payment_psp is None and deposit is D.PENDING and status is S.HELD
            if first:
                self._payment_psp = event.psp_reference
                self._stored_method = event.stored_payment_method_id
                guarantee = self._state.payment_mode is PaymentMode.GUARANTEE
                await self._record_deposit(D.GUARANTEED if guarantee else D.PAID, event)
                if not guarantee:
                    self._receipt_due = event.amount_minor
            elif event.psp_reference != self._payment_psp and event.amount_minor > 0:
                # paid after the hold ended, or paid twice: the money goes back
                rid = self._state.reservation_id
                later = D.REFUND_PENDING if deposit is D.PENDING else deposit
                await self._record_deposit(later, event)
                self._ended_at = self._ended_at or workflow.now()
                self._start_refund(
                    event.psp_reference,
                    event.amount_minor,
                    key=f"{rid}:refund:{event.psp_reference}",
                )
            else:
                await self._record_deposit(deposit, event)
        elif code == "REFUND" and (
            event.psp_reference in self._refund_psps or event.original_reference in self._refunding
        ):
            if event.success:
                await self._record_deposit(deposit, event)
                await self._refunded(event.amount_minor)
            else:
                await self._record_deposit(deposit, event)
                workflow.logger.error("refund %s failed: %s", event.psp_reference, event.reason)
        else:
            # a failed attempt (the guest may retry until the hold ends), a capture or a
            # cancellation: recorded, no change of course
            await self._record_deposit(deposit, event)

    # ---- inbox -----------------------------------------------------------------------

    async def _handle_inbox(self) -> None:
        if self._payment_inbox:
            await self._on_payment_event(self._payment_inbox.pop(0))
        elif self._reply_inbox:
            reply = self._reply_inbox.pop(0)
            if isinstance(reply, StaffMessage):
                await self._message("staff_reply", thread_message_id=reply.thread_message_id)
            else:
                await self._on_sms_reply(reply)

    async def _on_sms_reply(self, reply: SmsReply) -> None:
        status = self._state.status
        if status is None:
            return
        if reply.kind == "confirm" and self._allowed(A.GUEST_RECONFIRM):
            now = workflow.now()
            await self._transition(A.GUEST_RECONFIRM)
            self._state.guest_confirmed_at = now
        elif reply.kind == "cancel" and self._allowed(A.CANCEL_BY_GUEST):
            if self._within_deadline():
                await self._cancel(CancelRequest(by="guest", reason="cancelled by SMS reply"))
            else:
                # a one-letter reply must not forfeit money: late cancellations need the link
                await self._message("sms_cancel_refused", sequence=len(self._seen_events))

    # ---- signals -------------------------------------------------------------------

    @workflow.signal
    def payment_event(self, event: PaymentEvent) -> None:
        """A verified payment provider notification (webhook)."""
        if event.event_id in self._seen_events:
            return
        self._seen_events.add(event.event_id)
        self._payment_inbox.append(event)
        self._wake = True

    @workflow.signal
    def sms_reply(self, reply: SmsReply) -> None:
        """The guest answered by SMS (confirm or cancel; the rest is for staff to read)."""
        key = f"sms:{reply.message_sid}"
        if key in self._seen_events:
            return
        self._seen_events.add(key)
        if reply.kind in {"confirm", "cancel"}:
            self._reply_inbox.append(reply)
            self._wake = True

    @workflow.signal
    def staff_message(self, message: StaffMessage) -> None:
        """Staff answered in the reservation's thread: send it to the guest."""
        key = f"staff:{message.thread_message_id}"
        if key in self._seen_events:
            return
        self._seen_events.add(key)
        self._reply_inbox.append(message)
        self._wake = True

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
            await self._settle(Outcome.DECLINED)
        return self._woken()

    @decline.validator
    def _validate_decline(self, request: DecisionRequest) -> None:
        self._check(A.DECLINE)

    @workflow.update
    async def cancel(self, request: CancelRequest) -> ReservationState:
        """The guest or the restaurant cancels; tables are released at once."""
        async with self._lock:
            self._check(A.CANCEL_BY_GUEST if request.by == "guest" else A.CANCEL_BY_RESTAURANT)
            await self._cancel(request)
        return self._woken()

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        self._check(A.CANCEL_BY_GUEST if request.by == "guest" else A.CANCEL_BY_RESTAURANT)

    async def _cancel(self, request: CancelRequest) -> None:
        by_guest = request.by == "guest"
        action = A.CANCEL_BY_GUEST if by_guest else A.CANCEL_BY_RESTAURANT
        within = self._within_deadline()
        await self._transition(
            action, release_tables=True, reason=request.reason, within_deadline=within
        )
        await self._message("cancellation_by_guest" if by_guest else "cancellation_by_restaurant")
        if not by_guest:
            outcome = Outcome.CANCELLED_BY_RESTAURANT
        else:
            outcome = Outcome.CANCELLED_IN_TIME if within else Outcome.CANCELLED_LATE
        await self._settle(outcome)

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
    async def complete(self, request: CompleteRequest | None = None) -> ReservationState:
        """The party left; their tables are released early."""
        async with self._lock:
            self._check(A.COMPLETE)
            if await self._transition(A.COMPLETE, release_tables=True):
                self._completed_at = self._last_transition_at
                await self._settle(Outcome.ATTENDED)
        return self._woken()

    @complete.validator
    def _validate_complete(self, request: CompleteRequest | None = None) -> None:
        self._check(A.COMPLETE)

    @workflow.update
    async def no_show(self, request: NoShowRequest | None = None) -> ReservationState:
        """Staff mark the party as not having come."""
        async with self._lock:
            self._check(A.NO_SHOW)
            if await self._transition(A.NO_SHOW, release_tables=True):
                await self._settle(Outcome.NO_SHOW)
        return self._woken()

    @no_show.validator
    def _validate_no_show(self, request: NoShowRequest | None = None) -> None:
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
    async def guest_reconfirm(
        self, request: GuestReconfirmRequest | None = None
    ) -> ReservationState:
        """The guest answered the reminder: they are coming."""
        async with self._lock:
            self._check(A.GUEST_RECONFIRM)
            now = workflow.now()
            await self._transition(A.GUEST_RECONFIRM)
            self._state.guest_confirmed_at = now
        return self._woken()

    @guest_reconfirm.validator
    def _validate_guest_reconfirm(self, request: GuestReconfirmRequest | None = None) -> None:
        self._check(A.GUEST_RECONFIRM)

    @workflow.update
    async def waive(self, request: WaiverRequest) -> ReservationState:
        """A manager waives a forfeited deposit or a charged fee: it is refunded."""
        async with self._lock:
            psp, amount = self._check_waivable()
            await workflow.execute_activity(
                "record_waiver",
                WaiverRecord(
                    reservation_id=self._state.reservation_id,
                    staff_id=request.staff_id,
                    reason=request.reason,
                    deposit_status=self._state.deposit_status,
                    amount_minor=amount,
                    at=workflow.now(),
                ),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
            await self._record_deposit(D.REFUND_PENDING, None)
            self._start_refund(psp, amount, key=f"{self._state.reservation_id}:refund:waiver")
        return self._woken()

    @waive.validator
    def _validate_waive(self, request: WaiverRequest) -> None:
        self._check_waivable()

    def _check_waivable(self) -> tuple[str, int]:
        deposit = self._state.deposit_status
        if deposit is D.FORFEITED and self._payment_psp is not None:
            return self._payment_psp, self._state.deposit_minor
        if deposit is D.CHARGED and self._fee_psp is not None:
            return self._fee_psp, self._state.fee_minor
        raise ApplicationError(
            f"nothing to waive: the deposit status is {deposit.value}",
            type="IllegalTransition",
            non_retryable=True,
        )

    # ---- helpers -------------------------------------------------------------------

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
        if action is A.CHECK_IN and starts_at and workflow.now() < starts_at - EARLIEST_CHECK_IN:
            # seating a party days early is a slip of the finger, not a service
            raise ApplicationError(
                f"too early to check in: the reservation starts at {starts_at.isoformat()}",
                type="IllegalTransition",
                non_retryable=True,
            )
        no_show_from = self._no_show_from()
        if action is A.NO_SHOW and no_show_from and workflow.now() < no_show_from:
            # a no-show can forfeit a deposit or charge a fee: never before the party is late
            raise ApplicationError(
                f"too early for a no-show: possible from {no_show_from.isoformat()}",
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
        if target in TERMINAL_STATUSES:
            self._ended_at = at
        return True

    async def _message(
        self,
        template: MessageTemplate,
        *,
        sequence: int = 0,
        amount_minor: int | None = None,
        thread_message_id: uuid.UUID | None = None,
    ) -> None:
        """Put the message in the outbox, then send each row beside the lifecycle."""
        queued: list[uuid.UUID] = await workflow.execute_activity(
            "queue_message",
            MessageIntent(
                reservation_id=self._state.reservation_id,
                template=template,
                sequence=sequence,
                amount_minor=amount_minor,
                thread_message_id=thread_message_id,
            ),
            result_type=list[uuid.UUID],
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        for notification_id in queued:
            self._background.append(asyncio.create_task(self._send(notification_id)))

    async def _send(self, notification_id: uuid.UUID) -> None:
        try:
            await workflow.execute_activity(
                "send_notification",
                notification_id,
                start_to_close_timeout=PROVIDER_TIMEOUT,
                retry_policy=PROVIDER_RETRY,
            )
        except ActivityError as failure:
            # refused for good (a bad address): the outbox row says so
            workflow.logger.warning("message %s not sent: %s", notification_id, failure.cause)
        finally:
            self._wake = True
