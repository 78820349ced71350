"""ReservationWorkflow: one durable workflow per reservation, from hold to review request.

This class holds the message handlers: the staff and guest actions are updates
whose validators refuse illegal transitions before anything is recorded, provider
events and SMS replies are signals de-duplicated by id. What the reservation does
on its own lives in `workflows.lifecycle`, its money in `workflows.money`, its
messages in `workflows.outbox`; the lock, inbox and background work are
`workflows.handlers`. Every activity is called through its typed contract
(`workflows.activity_contracts`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.lifecycle import Lifecycle, cancel_action

with workflow.unsafe.imports_passed_through():
    from models.enums import DepositStatus
    from models.schemas.booking import HoldOutcome
    from models.schemas.lifecycle import (
        AssignTablesRequest,
        BookingFacts,
        CancelRequest,
        CheckInRequest,
        CompleteRequest,
        CreateRequest,
        DecisionRequest,
        ExchangeTablesRequest,
        GuestReconfirmRequest,
        ModifyRequest,
        NoShowRequest,
        PaymentEvent,
        RefundResolution,
        ReservationInput,
        ReservationState,
        SmsReply,
        StaffAnswer,
        StaffMessage,
        StaffMessageRecord,
        WaiverRequest,
    )
    from rules.payment_policy import Outcome
    from rules.state_machine import ReservationAction, ReservationStatus
    from workflows.activity_contracts import (
        assign_booking_tables,
        exchange_booking_tables,
        hold_booking,
        move_booking,
        record_staff_message,
    )
    from workflows.retries import DATABASE, refusal_of, refusals_fail_the_update
    from workflows.search_attributes import (
        RESERVATION_DATE,
        RESERVATION_REFERENCE,
        RESTAURANT_ID,
    )

R = TypeVar("R", ModifyRequest, AssignTablesRequest, ExchangeTablesRequest)
# patch: refused bookings carry their restaurant and date too, so ops can find a day's
# refusals in the Temporal UI (releases before it upserted nothing for a refusal)
SEARCHABLE_REFUSALS = "searchable-refusals"
# patch: the hold queues a confirmed or pending booking's first message itself, so the
# workflow only sends it (releases before it ran a queue_message activity first)
FIRST_MESSAGE_IN_HOLD = "first-message-in-hold"
# patch: the hold runs as a local activity inside the workflow task that started the
# booking, so the creating caller is answered after one workflow task, not two
# (releases before it scheduled the hold as a regular activity); see
# docs/operations/worker-roles.md for why retries and replay stay correct
HOLD_AS_LOCAL_ACTIVITY = "hold-local-activity"
# the create update's refusal when its request is not the one that started the workflow
IDEMPOTENCY_KEY_REUSED = "IdempotencyKeyReused"
A = ReservationAction
S = ReservationStatus
D = DepositStatus


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
        self._life = Lifecycle(inp)

    # ---- run -------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: ReservationInput) -> ReservationState:
        """Hold the tables, answer the creating caller, then live the lifecycle to its end."""
        facts = await self._hold(inp)
        self._life.apply_facts(facts)
        if not facts.hold.held:
            self._life.state.refused = True
            if workflow.patched(SEARCHABLE_REFUSALS):
                self._mark_refusal_searchable(inp)
            self._life.hold_done = True
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self._life.state
        # the hold's transaction took the first decision (rules.state_machine.initial_status)
        status = facts.status or S.HELD
        self._life.set_status(status)
        workflow.upsert_search_attributes(
            [
                RESERVATION_REFERENCE.value_set(facts.hold.reference or ""),
                RESTAURANT_ID.value_set(str(inp.booking.restaurant_id)),
                RESERVATION_DATE.value_set(inp.booking.date.isoformat()),
            ]
        )
        if status is S.PENDING_CONFIRMATION:
            self._life.pending_since = facts.held_at or workflow.now()
        if status is S.HELD and self._life.state.deposit_status is D.PENDING:
            # the creating caller's answer carries the checkout session
            self._life.state.payment_session = await self._life.money.open_session()
        self._life.hold_done = True  # the creating caller has its answer from here on
        async with self._life.parts.lock:
            if facts.queued is not None and workflow.patched(FIRST_MESSAGE_IN_HOLD):
                self._life.send_first_message(status, facts.queued)
            else:
                await self._life.first_message(status)
        await self._life.parts.drive(self._life.next_step, self._life.finished)
        return self._life.state

    def _mark_refusal_searchable(self, inp: ReservationInput) -> None:
        """Restaurant and date on a refused booking (no reference: none was issued)."""
        workflow.upsert_search_attributes(
            [
                RESTAURANT_ID.value_set(str(inp.booking.restaurant_id)),
                RESERVATION_DATE.value_set(inp.booking.date.isoformat()),
            ]
        )

    async def _hold(self, inp: ReservationInput) -> BookingFacts:
        try:
            if workflow.patched(HOLD_AS_LOCAL_ACTIVITY):
                return await workflow.execute_local_activity(
                    hold_booking,
                    inp,
                    start_to_close_timeout=self._life.timeouts.database,
                    retry_policy=DATABASE.retry_policy,
                )
            return await workflow.execute_activity(
                hold_booking,
                inp,
                start_to_close_timeout=self._life.timeouts.database,
                retry_policy=DATABASE.retry_policy,
            )
        except (ActivityError, ApplicationError) as failure:
            # (a local activity's refusal is not wrapped in an ActivityError)
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

    @workflow.signal
    def payment_event(self, event: PaymentEvent) -> None:
        """A verified payment provider notification (webhook)."""
        if self._life.money.receive(event):
            self._life.parts.wake()

    @workflow.signal
    def sms_reply(self, reply: SmsReply) -> None:
        """The guest answered by SMS (confirm or cancel; the rest is for staff to read)."""
        if self._life.parts.first_time(f"sms:{reply.message_sid}") and reply.kind in {
            "confirm",
            "cancel",
        }:
            self._life.replies.put(reply)
            self._life.parts.wake()

    @workflow.signal
    def staff_message(self, message: StaffMessage) -> None:
        """A staff answer already in the thread (sent by releases before `answer_guest`)."""
        if self._life.parts.first_time(f"staff:{message.thread_message_id}"):
            self._life.replies.put(message)
            self._life.parts.wake()

    # ---- queries -------------------------------------------------------------------

    @workflow.query
    def state(self) -> ReservationState:
        """The live state of the reservation."""
        return self._life.state

    # ---- updates -------------------------------------------------------------------

    @workflow.update
    async def create(self, request: CreateRequest | None = None) -> ReservationState:
        """Answer the creating caller once the hold is decided (used with update-with-start)."""
        await workflow.wait_condition(lambda: self._life.hold_done)
        return self._life.state

    @create.validator
    def _validate_create(self, request: CreateRequest | None = None) -> None:
        # the same Idempotency-Key with another request: refused, never answered with
        # the first request's booking as if this one had been made
        started_by = self._life.request_digest
        asked_by = request.request_digest if request is not None else None
        if started_by is not None and asked_by is not None and asked_by != started_by:
            raise ApplicationError(
                "this Idempotency-Key was used for a different request",
                type=IDEMPOTENCY_KEY_REUSED,
                non_retryable=True,
            )

    @workflow.update
    async def confirm(self, request: DecisionRequest) -> ReservationState:
        """A manager confirms a booking that waits for manual confirmation."""
        async with self._life.parts.lock:
            self._life.check(A.CONFIRM)
            await self._life.transition(A.CONFIRM, reason=request.reason)
            await self._life.on_confirmed()
        return self._life.woken()

    @confirm.validator
    def _validate_confirm(self, request: DecisionRequest) -> None:
        self._life.check(A.CONFIRM)

    @workflow.update
    async def decline(self, request: DecisionRequest) -> ReservationState:
        """A manager declines a booking that waits for manual confirmation."""
        async with self._life.parts.lock:
            self._life.check(A.DECLINE)
            await self._life.transition(A.DECLINE, release_tables=True, reason=request.reason)
            await self._life.outbox.send("declined")
            await self._life.money.settle(Outcome.DECLINED)
        return self._life.woken()

    @decline.validator
    def _validate_decline(self, request: DecisionRequest) -> None:
        self._life.check(A.DECLINE)

    @workflow.update
    async def cancel(self, request: CancelRequest) -> ReservationState:
        """The guest or the restaurant cancels; tables are released at once."""
        async with self._life.parts.lock:
            self._life.check(cancel_action(request))
            await self._life.cancel(request)
        return self._life.woken()

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        self._life.check(cancel_action(request))

    @workflow.update
    async def modify(self, request: ModifyRequest) -> ReservationState:
        """Move the booking; new tables are held before the old ones are released."""
        async with self._life.parts.lock:
            self._life.check(A.MODIFY)
            before = self._life.booking_as_told()
            facts = await self._booking_facts(
                move_booking, self._life.state.reservation_id, request
            )
            _refuse_unless_held(facts)
            await self._life.moved(facts, before)
        return self._life.woken()

    @modify.validator
    def _validate_modify(self, request: ModifyRequest) -> None:
        self._life.check(A.MODIFY)

    @workflow.update
    async def check_in(self, request: CheckInRequest) -> ReservationState:
        """The party arrived and is seated."""
        async with self._life.parts.lock:
            self._life.check(A.CHECK_IN)
            await self._life.transition(A.CHECK_IN, actual_party_size=request.actual_party_size)
        return self._life.woken()

    @check_in.validator
    def _validate_check_in(self, request: CheckInRequest) -> None:
        self._life.check(A.CHECK_IN)

    @workflow.update
    async def complete(self, request: CompleteRequest | None = None) -> ReservationState:
        """The party left; their tables are released early."""
        async with self._life.parts.lock:
            self._life.check(A.COMPLETE)
            # a POS's bill total rides on the transition's activity input: no new command
            await self._life.complete(spend_minor=request.spend_minor if request else None)
        return self._life.woken()

    @complete.validator
    def _validate_complete(self, request: CompleteRequest | None = None) -> None:
        self._life.check(A.COMPLETE)

    @workflow.update
    async def no_show(self, request: NoShowRequest | None = None) -> ReservationState:
        """Staff mark the party as not having come."""
        reason = request.reason if request else None
        async with self._life.parts.lock:
            self._life.check(A.NO_SHOW)
            if await self._life.transition(A.NO_SHOW, release_tables=True, reason=reason):
                await self._life.money.settle(Outcome.NO_SHOW)
        return self._life.woken()

    @no_show.validator
    def _validate_no_show(self, request: NoShowRequest | None = None) -> None:
        self._life.check(A.NO_SHOW)

    @workflow.update
    async def assign_tables(self, request: AssignTablesRequest) -> ReservationState:
        """Staff put the party on other tables (capacity and overlaps are checked)."""
        async with self._life.parts.lock:
            self._life.check(A.ASSIGN_TABLES)
            facts = await self._booking_facts(
                assign_booking_tables, self._life.state.reservation_id, request
            )
            _refuse_unless_held(facts)
            self._life.apply_facts(facts)
        return self._life.woken()

    @assign_tables.validator
    def _validate_assign_tables(self, request: AssignTablesRequest) -> None:
        self._life.check(A.ASSIGN_TABLES)

    @workflow.update
    async def exchange_tables(self, request: ExchangeTablesRequest) -> ReservationState:
        """The optimizer swaps tables between this party and others, all at once."""
        async with self._life.parts.lock:
            self._life.check(A.ASSIGN_TABLES)
            facts = await self._booking_facts(
                exchange_booking_tables, self._life.state.reservation_id, request
            )
            _refuse_unless_held(facts)
            self._life.apply_facts(facts)
        return self._life.woken()

    @exchange_tables.validator
    def _validate_exchange_tables(self, request: ExchangeTablesRequest) -> None:
        self._life.check(A.ASSIGN_TABLES)

    @workflow.update
    async def guest_reconfirm(
        self, request: GuestReconfirmRequest | None = None
    ) -> ReservationState:
        """The guest answered the reminder: they are coming."""
        async with self._life.parts.lock:
            self._life.check(A.GUEST_RECONFIRM)
            await self._life.reconfirm()
        return self._life.woken()

    @guest_reconfirm.validator
    def _validate_guest_reconfirm(self, request: GuestReconfirmRequest | None = None) -> None:
        self._life.check(A.GUEST_RECONFIRM)

    @workflow.update
    async def waive(self, request: WaiverRequest) -> ReservationState:
        """A manager waives a forfeited deposit or a charged fee: it is refunded."""
        async with self._life.parts.lock:
            await self._life.money.waive(request)
        return self._life.woken()

    @waive.validator
    def _validate_waive(self, request: WaiverRequest) -> None:
        self._life.money.check_waivable()

    @workflow.update
    async def resolve_refund(self, request: RefundResolution) -> ReservationState:
        """A manager settles a refund the provider refused: ask again, or done by hand."""
        async with self._life.parts.lock:
            await self._life.money.resolve_refund(request)
        return self._life.woken()

    @resolve_refund.validator
    def _validate_resolve_refund(self, request: RefundResolution) -> None:
        self._life.money.check_refund_resolvable(request)

    @workflow.update
    async def answer_guest(self, answer: StaffAnswer) -> uuid.UUID:
        """Staff answer the guest: the thread row is written, then the message is sent."""
        async with self._life.parts.lock:
            self._check_answerable()
            update = workflow.current_update_info()
            message_id = await workflow.execute_activity(
                record_staff_message,
                StaffMessageRecord(
                    reservation_id=self._life.state.reservation_id,
                    staff_id=answer.staff_id,
                    body=answer.body,
                    key=update.id if update else str(workflow.uuid4()),
                    at=workflow.now(),
                ),
                start_to_close_timeout=self._life.timeouts.database,
                retry_policy=DATABASE.retry_policy,
            )
            await self._life.outbox.send("staff_reply", thread_message_id=message_id)
        self._life.parts.wake()
        return message_id

    @answer_guest.validator
    def _validate_answer_guest(self, answer: StaffAnswer) -> None:
        self._check_answerable()

    def _check_answerable(self) -> None:
        if not self._life.hold_done or self._life.state.refused:
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
        with refusals_fail_the_update():
            return await workflow.execute_activity(
                activity,
                args=[reservation_id, request],
                start_to_close_timeout=self._life.timeouts.database,
                retry_policy=DATABASE.retry_policy,
            )


def _invalid_field(refusal: ApplicationError) -> str | None:
    """The field an Invalid refusal names ("body" when it names none)."""
    if refusal.type != "Invalid":
        return None
    details = refusal.details[0] if refusal.details else None
    field = details.get("field") if isinstance(details, dict) else None
    return field if isinstance(field, str) else "body"
