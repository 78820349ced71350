"""The reservation's lifecycle: what it waits for, and what it does on its own.

A plain deterministic helper the ReservationWorkflow owns: the state, the timed
steps of each status (hold expiry, manual-confirmation deadline, reminder,
automatic no-show, closing forgotten bookings, review request, waiver window) and
the one place where a state change is recorded (`transition`). The workflow class
holds the message handlers and calls in here.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.handlers import IDLE, Inbox, Serialised, Step, earliest
from workflows.money import WAIVABLE, Money
from workflows.outbox import Outbox

with workflow.unsafe.imports_passed_through():
    from models.enums import ConfirmationMode, DepositStatus
    from models.schemas.lifecycle import (
        BookingFacts,
        CancelRequest,
        ReservationInput,
        ReservationState,
        SmsReply,
        StaffMessage,
        Transition,
    )
    from rules.payment_policy import Outcome, PaymentMode
    from rules.state_machine import (
        EARLIEST_CHECK_IN,
        TERMINAL_STATUSES,
        IllegalTransition,
        ReservationAction,
        ReservationStatus,
        next_status,
    )
    from workflows.activity_contracts import record_transition
    from workflows.retries import DATABASE, AttemptTimeouts
    from workflows.search_attributes import RESERVATION_DATE, RESERVATION_STATUS

A = ReservationAction
S = ReservationStatus
D = DepositStatus

# patches: timers that releases before them did not start (old histories replay without)
CLOSE_SEATED = "close-seated-party"
CLOSE_UNRESOLVED = "close-unresolved-booking"


class Lifecycle:
    """One reservation's state and the steps it takes on its own."""

    def __init__(self, inp: ReservationInput) -> None:
        self._input = inp
        self.state = ReservationState(
            reservation_id=inp.booking.reservation_id, restaurant_id=inp.booking.restaurant_id
        )
        self.parts = Serialised()
        self.timeouts = AttemptTimeouts(
            database=timedelta(seconds=inp.policy.database_attempt_seconds),
            provider=timedelta(seconds=inp.policy.provider_attempt_seconds),
        )
        self.outbox = Outbox(inp.booking.reservation_id, self.parts, self.timeouts)
        self.money = Money(
            self.state,
            self.parts,
            self.outbox,
            mark_ended=self.mark_ended,
            timeouts=self.timeouts,
        )
        self.hold_done = False
        self.facts: BookingFacts | None = None
        self.pending_since: datetime | None = None
        self.completed_at: datetime | None = None
        self.modifications = 0
        self._review_sent = False
        self._last_transition_at: datetime | None = None
        self._ended_at: datetime | None = None
        self._window_closed = False
        # guest replies and staff answers wait here for the lifecycle loop
        self.replies: Inbox[SmsReply | StaffMessage] = Inbox()

    @property
    def request_digest(self) -> str | None:
        """The digest of the request that started this booking (None: not kept)."""
        return self._input.request_digest

    async def first_message(self, status: ReservationStatus) -> None:
        """The message a new booking's status calls for (or the hold's end, when unpayable)."""
        if status is S.CONFIRMED:
            await self.on_confirmed()
        elif status is S.PENDING_CONFIRMATION:
            await self.outbox.send("pending")
        elif status is S.HELD and self.state.payment_session is None:
            await self.expire()  # no checkout could be opened: the hold cannot be paid
        elif status is S.HELD:
            guarantee = self.state.payment_mode is PaymentMode.GUARANTEE
            await self.outbox.send(
                "guarantee_request" if guarantee else "deposit_request",
                amount_minor=self.money.terms().amount_minor,
            )

    def finished(self) -> bool:
        """True when nothing is left to do, wait for or keep open."""
        if self.parts.busy():
            return False  # a handler is mid-way, or money or a send is still moving
        if self.money.waiting() or self.replies:
            return False
        status = self.state.status
        if status not in TERMINAL_STATUSES:
            return False
        if status is S.COMPLETED and not self._review_sent:
            return False
        if self.state.deposit_status is D.REFUND_PENDING:
            return False  # the provider has yet to confirm the refund
        return self._window_end() is None or self._window_closed

    def _window_end(self) -> datetime | None:
        """How long an ended booking stays open: for a waiver, or to catch a late payment."""
        if self._ended_at is None:
            return None
        policy = self._input.policy
        if self.state.deposit_status in WAIVABLE:
            return self._ended_at + timedelta(days=policy.waiver_window_days)
        if self.state.deposit_status is D.PENDING:
            return self._ended_at + timedelta(hours=policy.late_payment_window_hours)
        return None

    def next_step(self) -> Step:
        """What the reservation waits for in its current status."""
        if self.money.inbox:
            return Step(None, self.money.handle_next_event)
        if self.replies:
            return Step(None, self._handle_reply)
        status = self.state.status
        facts = self.facts
        assert facts is not None
        policy = self._input.policy
        if status is S.HELD:
            if self.money.put_up():
                return Step(None, self._after_hold)
            return Step(facts.hold.hold_expires_at, self.expire)
        if status is S.PENDING_CONFIRMATION:
            assert self.pending_since is not None
            deadline = self.pending_since + timedelta(hours=policy.manual_confirmation_hours)
            if self.state.starts_at is not None:
                deadline = min(deadline, self.state.starts_at)
            return Step(deadline, self._auto_decline)
        if status is S.CONFIRMED:
            return earliest(self._confirmed_steps())
        if status is S.SEATED and (seated := self._seated_step()) is not IDLE:
            return seated
        if status is S.COMPLETED and not self._review_sent and self.completed_at is not None:
            delay = timedelta(hours=policy.review_request_delay_hours)
            return Step(self.completed_at + delay, self._send_review_request)
        window_end = self._window_end()
        if window_end is not None and not self._window_closed:
            return Step(window_end, self._close_window)
        return IDLE

    def _confirmed_steps(self) -> list[Step]:
        policy = self._input.policy
        starts_at = self.state.starts_at
        steps: list[Step] = []
        if not self.state.reminder_sent and self.state.reminder_at is not None:
            steps.append(Step(self.state.reminder_at, self._send_reminder))
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
        ends_at = self.state.hold.ends_at if self.state.hold else None
        if ends_at is None or not workflow.patched(CLOSE_SEATED):
            return IDLE
        # staff forgot to complete the party: complete it after its expected end
        grace = timedelta(minutes=self._input.policy.seated_grace_minutes)
        return Step(ends_at + grace, self._auto_complete)

    # ---- timed steps ---------------------------------------------------------------

    async def _after_hold(self) -> None:
        if self._input.policy.confirmation_mode is ConfirmationMode.MANUAL:
            if await self.transition(A.AWAIT_MANUAL):
                self.pending_since = self._last_transition_at
                await self.outbox.send("pending")
        elif await self.transition(A.CONFIRM_DEPOSIT_PAID):
            await self.on_confirmed()
        # the receipt follows the decision, so the booking is confirmed one step sooner
        if self.state.deposit_status is D.PAID and self.money.receipt_due is not None:
            await self.outbox.send("deposit_receipt", amount_minor=self.money.receipt_due)
        self.money.receipt_due = None

    async def expire(self) -> None:
        """The hold ran out: release the tables, tell the guest, give back what was paid."""
        await self.transition(A.EXPIRE, release_tables=True)
        await self.outbox.send("hold_expired")
        # money already put up for a hold that was lost is the restaurant's to return
        await self.money.settle(Outcome.DECLINED)

    async def _auto_decline(self) -> None:
        await self.transition(A.DECLINE, release_tables=True, reason="not confirmed in time")
        await self.outbox.send("declined")
        await self.money.settle(Outcome.DECLINED)

    async def _send_reminder(self) -> None:
        self.state.reminder_sent = True
        await self.outbox.send("reminder", sequence=self.modifications)

    async def _auto_no_show(self) -> None:
        if await self.transition(A.NO_SHOW, release_tables=True, reason="not seated in time"):
            await self.money.settle(Outcome.NO_SHOW)

    async def _close_unresolved(self) -> None:
        reason = "unresolved: nobody checked the party in or marked a no-show"
        if await self.transition(A.NO_SHOW, release_tables=True, reason=reason):
            await self.money.settle(Outcome.UNRESOLVED)

    async def _auto_complete(self) -> None:
        await self.complete(reason="completed by timer")

    async def complete(self, *, reason: str | None = None, spend_minor: int | None = None) -> None:
        """The party left: tables free, money settled, the review request to come."""
        if await self.transition(
            A.COMPLETE, release_tables=True, reason=reason, spend_minor=spend_minor
        ):
            self.completed_at = self._last_transition_at
            await self.money.settle(Outcome.ATTENDED)

    async def moved(self, facts: BookingFacts, before: tuple[object, ...]) -> None:
        """The booking was moved: tell the guest, unless nothing they were told changed."""
        self.apply_facts(facts)
        if facts.date is not None:
            workflow.upsert_search_attributes([RESERVATION_DATE.value_set(facts.date.isoformat())])
        if self.booking_as_told() == before:
            return
        self.modifications += 1
        if self.state.reminder_at is not None and self.state.reminder_at > workflow.now():
            self.state.reminder_sent = False  # the reminder moves with the booking
        await self.outbox.send("modification", sequence=self.modifications)

    async def _send_review_request(self) -> None:
        self._review_sent = True
        await self.outbox.send("review_request")

    async def _close_window(self) -> None:
        self._window_closed = True

    async def on_confirmed(self) -> None:
        """Send the confirmation (the reminder counts as sent when booked inside its window)."""
        self._note_reminder_window()
        await self.outbox.send("confirmation")

    def send_first_message(self, status: ReservationStatus, queued: list[uuid.UUID]) -> None:
        """Send the first message the hold already queued (a confirmed or pending booking)."""
        if status is S.CONFIRMED:
            self._note_reminder_window()
        self.outbox.deliver(queued)

    def _note_reminder_window(self) -> None:
        if self.state.reminder_at is not None and self.state.reminder_at <= workflow.now():
            self.state.reminder_sent = True  # booked inside the reminder window

    def mark_ended(self) -> None:
        """Remember when the booking ended, the first time only."""
        self._ended_at = self._ended_at or workflow.now()

    # ---- replies -------------------------------------------------------------------

    async def _handle_reply(self) -> None:
        reply = self.replies.take()
        if isinstance(reply, StaffMessage):
            await self.outbox.send("staff_reply", thread_message_id=reply.thread_message_id)
        else:
            await self._on_sms_reply(reply)

    async def _on_sms_reply(self, reply: SmsReply) -> None:
        if self.state.status is None:
            return
        if reply.kind == "confirm" and self.allowed(A.GUEST_RECONFIRM):
            await self.reconfirm()
        elif reply.kind == "cancel" and self.allowed(A.CANCEL_BY_GUEST):
            if self._within_deadline():
                await self.cancel(CancelRequest(by="guest", reason="cancelled by SMS reply"))
            else:
                # a one-letter reply must not forfeit money: late cancellations need the link
                await self.outbox.send("sms_cancel_refused", sequence=self.parts.seen_count)

    # ---- signals -------------------------------------------------------------------

    async def cancel(self, request: CancelRequest) -> None:
        """Cancel for the guest or the restaurant and settle the money by the deadline."""
        by_guest = request.by == "guest"
        within = self._within_deadline()
        await self.transition(
            cancel_action(request),
            release_tables=True,
            reason=request.reason,
            within_deadline=within,
        )
        await self.outbox.send(
            "cancellation_by_guest" if by_guest else "cancellation_by_restaurant"
        )
        if not by_guest:
            outcome = Outcome.CANCELLED_BY_RESTAURANT
        else:
            outcome = Outcome.CANCELLED_IN_TIME if within else Outcome.CANCELLED_LATE
        await self.money.settle(outcome)

    async def reconfirm(self) -> None:
        """The guest says they are coming."""
        now = workflow.now()
        await self.transition(A.GUEST_RECONFIRM)
        self.state.guest_confirmed_at = now

    def booking_as_told(self) -> tuple[object, ...]:
        """What the guest's messages say of the booking."""
        s = self.state
        return (s.date, s.time, s.party_size, s.starts_at, tuple(s.table_numbers))

    def _no_show_from(self) -> datetime | None:
        starts_at = self.state.starts_at
        if starts_at is None:
            return None
        return starts_at + timedelta(minutes=self._input.policy.no_show_after_minutes)

    def _within_deadline(self) -> bool:
        deadline = self.facts.cancellation_deadline_at if self.facts else None
        return deadline is None or workflow.now() <= deadline

    def allowed(self, action: ReservationAction) -> bool:
        """Whether the action is allowed now (no exception)."""
        try:
            self.check(action)
        except ApplicationError:
            return False
        return True

    def check(self, action: ReservationAction) -> None:
        """Refuse an action the state machine does not allow (validators and handlers)."""
        if not self.hold_done or self.state.status is None:
            raise ApplicationError("the reservation is not held yet", type="NotReady")
        try:
            next_status(self.state.status, action)
        except IllegalTransition as exc:
            raise ApplicationError(str(exc), type="IllegalTransition", non_retryable=True) from None
        starts_at = self.state.starts_at
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

    def woken(self) -> ReservationState:
        """Wake the lifecycle loop and answer with the state."""
        self.parts.wake()
        return self.state

    def set_status(self, status: ReservationStatus) -> None:
        """Set the status here and in the search attributes."""
        self.state.status = status
        workflow.upsert_search_attributes([RESERVATION_STATUS.value_set(status.value)])

    def apply_facts(self, facts: BookingFacts) -> None:
        """Take what the database says of a held booking into the state."""
        self.facts = facts
        hold = facts.hold
        self.state.hold = hold
        if not hold.held:
            return
        self.state.reference = hold.reference
        self.state.starts_at = hold.starts_at
        self.state.table_numbers = list(hold.table_numbers)
        self.state.reminder_at = facts.reminder_at
        self.state.date = facts.date
        self.state.time = facts.time
        self.state.party_size = facts.party_size
        self.state.currency = facts.currency
        # a guarantee's fee follows the party size; a paid deposit does not change
        self.state.fee_minor = facts.fee_minor
        if self.state.status is None:
            self.state.payment_mode = facts.payment_mode
            self.state.deposit_minor = facts.deposit_minor
            due = facts.deposit_minor > 0 or facts.fee_minor > 0
            self.state.deposit_status = D.PENDING if due else D.NOT_REQUIRED

    async def transition(
        self,
        action: ReservationAction,
        *,
        release_tables: bool = False,
        reason: str | None = None,
        within_deadline: bool | None = None,
        actual_party_size: int | None = None,
        spend_minor: int | None = None,
    ) -> bool:
        """Record one state change in the database, then in the workflow's own state."""
        assert self.state.status is not None
        target = next_status(self.state.status, action)
        at = workflow.now()
        recorded = await workflow.execute_activity(
            record_transition,
            Transition(
                reservation_id=self.state.reservation_id,
                action=action,
                status=target,
                at=at,
                reason=reason,
                within_deadline=within_deadline,
                actual_party_size=actual_party_size,
                release_tables=release_tables,
                spend_minor=spend_minor,
            ),
            start_to_close_timeout=self.timeouts.database,
            retry_policy=DATABASE.retry_policy,
        )
        if not recorded:
            # the hold was lost (released after expiry) before it could be confirmed
            if self.state.status is S.HELD and action is not A.EXPIRE:
                await self.expire()
            return False
        self.set_status(target)
        self._last_transition_at = at
        if target in TERMINAL_STATUSES:
            self._ended_at = at
        return True


def cancel_action(request: CancelRequest) -> ReservationAction:
    """The state machine action of a cancel request."""
    return A.CANCEL_BY_GUEST if request.by == "guest" else A.CANCEL_BY_RESTAURANT
