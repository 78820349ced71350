"""The money of one reservation: deposit or card guarantee, refunds, fees, waivers.

A plain deterministic helper the reservation workflow owns (no workflow class of
its own). Every movement is a `move_money` activity keyed by an idempotency key
derived from the reservation and the movement, so retries and replays move money
at most once; movements run beside the lifecycle and take the lock to record
what came of them. Provider events arrive through the `payment_event` signal into
this helper's inbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.handlers import Inbox, Serialised
from workflows.outbox import Outbox

with workflow.unsafe.imports_passed_through():
    from models.enums import DepositStatus
    from models.schemas.lifecycle import (
        CheckoutSessionOut,
        MoneyMove,
        MoneyMoveResult,
        PaymentEvent,
        PaymentRecord,
        RefundResolution,
        ReservationState,
        WaiverRecord,
        WaiverRequest,
        refund_key,
    )
    from rules.payment_policy import Outcome, PaymentMode, PaymentTerms, Settlement, settle
    from rules.state_machine import ReservationStatus
    from workflows.activity_contracts import (
        move_money,
        open_payment_session,
        record_payment,
        record_waiver,
    )
    from workflows.retries import DATABASE, PROVIDER, AttemptTimeouts

# patch: a deposit kept when an unresolved booking closes sends no "forfeited" message
# (releases before it told the guest their deposit was forfeited)
QUIET_UNRESOLVED_KEEP = "quiet-unresolved-keep"
# patch: a first payment of another amount or currency than the deposit is refunded
# and the hold waits on (releases before it took any first payment as the deposit)
PAID_AMOUNT_CHECKED = "paid-amount-checked"
# patch: a REFUND_FAILED for the deposit's refund puts the deposit back to
# refund_pending (releases before it only recorded the event; the booking said refunded)
REFUND_FAILED_REOPENS = "refund-failed-reopens"
D = DepositStatus
# what the guest put up, and can therefore be given back or kept
PUT_UP = frozenset({D.PAID, D.GUARANTEED})
WAIVABLE = frozenset({D.FORFEITED, D.CHARGED})


class Money:
    """What the guest put up for one booking, and what becomes of it."""

    def __init__(
        self,
        state: ReservationState,
        parts: Serialised,
        outbox: Outbox,
        *,
        mark_ended: Callable[[], None],
        timeouts: AttemptTimeouts | None = None,
    ) -> None:
        self._state = state
        self._timeouts = timeouts or AttemptTimeouts()
        self._parts = parts
        self._outbox = outbox
        self._mark_ended = mark_ended
        self.inbox: Inbox[PaymentEvent] = Inbox()
        self._payment_psp: str | None = None  # the guest's deposit or card-storing payment
        self._stored_method: str | None = None
        self._fee_psp: str | None = None
        # refunds asked for: their own pspReference -> the payment they give back
        self._refund_psps: dict[str, str] = {}
        self._refunding: set[str] = set()  # payments being refunded, by pspReference
        self._refund_amounts: dict[str, int] = {}  # what each refunded payment gives back
        self._refund_retries = 0  # a manager's asks again after the provider refused
        # the payment whose refund settles the deposit status (REFUND_PENDING -> REFUNDED)
        self._deposit_refund: str | None = None
        # while a fee charge is in flight its own AUTHORISATION webhook may come first:
        # unknown payments wait here until the charge's pspReference is known
        self._charging = False
        self._deferred: list[PaymentEvent] = []
        self.receipt_due: int | None = None  # the deposit paid, for its receipt

    # ---- what the lifecycle asks ---------------------------------------------------

    def put_up(self) -> bool:
        """The guest paid a deposit or stored a card for this booking."""
        return self._state.deposit_status in PUT_UP

    def waiting(self) -> bool:
        """Events or a fee's answer are still to come before the booking may close."""
        return bool(self.inbox) or bool(self._deferred)

    def terms(self) -> PaymentTerms:
        """The frozen payment terms: what is at stake for a no-show or late cancel."""
        mode = self._state.payment_mode
        if mode is PaymentMode.DEPOSIT:
            return PaymentTerms(mode, self._state.deposit_minor)
        if mode is PaymentMode.GUARANTEE:
            return PaymentTerms(mode, self._state.fee_minor)
        return PaymentTerms(PaymentMode.NONE, 0)

    def receive(self, event: PaymentEvent) -> bool:
        """Take a provider event into the inbox (False for a redelivery)."""
        if not self._parts.first_time(event.event_id):
            return False
        self.inbox.put(event)
        return True

    async def open_session(self) -> CheckoutSessionOut | None:
        """The checkout session the creating caller's answer carries (None: none to be had)."""
        try:
            return await workflow.execute_activity(
                open_payment_session,
                self._state.reservation_id,
                start_to_close_timeout=self._timeouts.provider,
                # the guest is waiting for this answer: give up before the hold is worth little
                schedule_to_close_timeout=timedelta(minutes=2),
                retry_policy=DATABASE.retry_policy,
            )
        except ActivityError as failure:
            workflow.logger.error("no checkout session could be opened: %s", failure.cause)
            return None

    async def record(self, status: DepositStatus, event: PaymentEvent | None = None) -> None:
        """Set the deposit status here and in the database (with the event, if any)."""
        self._state.deposit_status = status
        await workflow.execute_activity(
            record_payment,
            PaymentRecord(
                reservation_id=self._state.reservation_id, event=event, deposit_status=status
            ),
            start_to_close_timeout=self._timeouts.database,
            retry_policy=DATABASE.retry_policy,
        )

    async def settle(self, outcome: Outcome) -> None:
        """Apply the frozen terms to how the booking ended: refund, keep, release or charge."""
        if not self.put_up():
            return  # nothing was paid or stored
        self._mark_ended()
        terms = self.terms()
        decision = settle(terms, outcome)
        rid = self._state.reservation_id
        if decision is Settlement.REFUND and self._payment_psp is not None:
            await self.record(D.REFUND_PENDING)
            self._deposit_refund = self._payment_psp
            self._start_refund(self._payment_psp, terms.amount_minor, key=f"{rid}:refund:deposit")
        elif decision is Settlement.KEEP and outcome is not Outcome.ATTENDED:
            await self.record(D.FORFEITED)
            # nobody said the party did not come: the guest is told nothing (staff may waive)
            quiet = outcome is Outcome.UNRESOLVED and workflow.patched(QUIET_UNRESOLVED_KEEP)
            if not quiet:
                await self._outbox.send("deposit_forfeited", amount_minor=terms.amount_minor)
        elif decision is Settlement.RELEASE:
            await self.record(D.RELEASED)
        elif decision is Settlement.CHARGE_FEE:
            if self._stored_method is None:
                workflow.logger.error("no stored card to charge the fee on")
                await self.record(D.RELEASED)
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
            self._parts.beside(self._charge_fee(move))

    # ---- waivers -------------------------------------------------------------------

    def check_waivable(self) -> tuple[str, int]:
        """The payment to give back and its amount; refuses when nothing was kept."""
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

    async def waive(self, request: WaiverRequest) -> None:
        """A manager gives back a forfeited deposit or a charged fee (under the lock)."""
        psp, amount = self.check_waivable()
        await self._audit(request.staff_id, request.reason, amount)
        await self.record(D.REFUND_PENDING)
        self._deposit_refund = psp
        self._start_refund(psp, amount, key=f"{self._state.reservation_id}:refund:waiver")

    # ---- a refund the provider refused -----------------------------------------------

    def check_refund_resolvable(self, request: RefundResolution) -> tuple[str, int]:
        """The payment whose refund is pending and its amount; refuses when there is none,
        and a retry while the provider still has the last attempt."""
        psp = self._deposit_refund
        if self._state.deposit_status is not D.REFUND_PENDING or psp is None:
            raise ApplicationError(
                f"no refund is pending: the deposit status is {self._state.deposit_status.value}",
                type="IllegalTransition",
                non_retryable=True,
            )
        if request.action == "retry" and psp in self._refunding:
            raise ApplicationError(
                "the provider has not answered the last refund yet: wait for its answer, "
                "or settle the refund by hand",
                type="IllegalTransition",
                non_retryable=True,
            )
        return psp, self._refund_amounts.get(psp, self._state.deposit_minor)

    async def resolve_refund(self, request: RefundResolution) -> None:
        """A manager asks the provider again, or records the refund made by hand (under the
        lock). Asking again uses a new idempotency key: the refused attempt is done with."""
        psp, amount = self.check_refund_resolvable(request)
        await self._audit(request.staff_id, request.reason, amount, f"refund_{request.action}")
        if request.action == "retry":
            self._refund_retries += 1
            key = f"{self._state.reservation_id}:refund:retry:{self._refund_retries}"
            self._start_refund(psp, amount, key=key)
        else:
            # a refund the provider still has may yet succeed: the manager was told
            self._refunding.discard(psp)
            await self._refunded(psp, amount)

    async def _audit(
        self, staff_id: uuid.UUID, reason: str, amount: int, action: str | None = None
    ) -> None:
        """A manager's money decision into the audit trail (None: a waiver)."""
        await workflow.execute_activity(
            record_waiver,
            WaiverRecord(
                reservation_id=self._state.reservation_id,
                staff_id=staff_id,
                reason=reason,
                deposit_status=self._state.deposit_status,
                amount_minor=amount,
                at=workflow.now(),
                action=action,
            ),
            start_to_close_timeout=self._timeouts.database,
            retry_policy=DATABASE.retry_policy,
        )

    # ---- movements -----------------------------------------------------------------

    def _start_refund(
        self, psp: str, amount_minor: int, *, key: str, currency: str | None = None
    ) -> None:
        if psp in self._refunding:
            return
        self._refunding.add(psp)
        self._refund_amounts[psp] = amount_minor
        move = MoneyMove(
            reservation_id=self._state.reservation_id,
            kind="refund",
            key=key,
            amount_minor=amount_minor,
            currency=currency or self._state.currency,
            payment_psp_reference=psp,
        )
        self._parts.beside(self._refund(move))

    async def _move(self, move: MoneyMove) -> MoneyMoveResult | None:
        try:
            return await workflow.execute_activity(
                move_money,
                move,
                start_to_close_timeout=self._timeouts.provider,
                retry_policy=PROVIDER.retry_policy,
            )
        except ActivityError as failure:
            # the provider refused the request itself; retrying cannot help
            workflow.logger.error("%s %s refused: %s", move.kind, move.key, failure.cause)
            return None
        finally:
            self._parts.wake()

    async def _refund(self, move: MoneyMove) -> None:
        result = await self._move(move)
        paid = move.payment_psp_reference or ""
        async with self._parts.lock:
            if result is None or (result.settled and not result.succeeded):
                self._refunding.discard(paid)
                return
            if result.psp_reference:
                self._refund_psps[result.psp_reference] = paid
            if result.settled:
                await self._refunded(paid, move.amount_minor)

    async def _refunded(self, paid: str, amount_minor: int) -> None:
        """A refund of payment `paid` is confirmed; only the deposit's own ends REFUND_PENDING."""
        if self._state.deposit_status is D.REFUND_PENDING and paid == self._deposit_refund:
            await self.record(D.REFUNDED)
            await self._outbox.send("refund_issued", amount_minor=amount_minor)

    async def _charge_fee(self, move: MoneyMove) -> None:
        result = await self._move(move)
        async with self._parts.lock:
            self._charging = False
            self.inbox.put_all(self._deferred)
            self._deferred.clear()
            if result is None:
                return
            self._fee_psp = result.psp_reference
            if result.settled and result.succeeded:
                await self.record(D.CHARGED)
                await self._outbox.send("fee_charged", amount_minor=move.amount_minor)
            elif result.settled:
                workflow.logger.error("the fee was refused: %s", result.reason)

    # ---- provider events -----------------------------------------------------------

    async def handle_next_event(self) -> None:
        """Act on the next verified provider notification (under the lock)."""
        event = self.inbox.take()
        status = self._state.status
        deposit = self._state.deposit_status
        code = event.event_code
        if code == "AUTHORISATION" and event.psp_reference == self._fee_psp:
            if event.success and deposit is D.GUARANTEED:
                await self.record(D.CHARGED, event)
                await self._outbox.send("fee_charged", amount_minor=event.amount_minor)
            else:
                await self.record(deposit, event)
        elif (
            code == "AUTHORISATION" and self._charging and event.psp_reference != self._payment_psp
        ):
            self._deferred.append(event)  # perhaps the fee's own; decided once it is known
        elif code == "AUTHORISATION" and event.success:
            await self._on_authorised(event, status)
        elif code == "REFUND" and (
            event.psp_reference in self._refund_psps or event.original_reference in self._refunding
        ):
            await self.record(deposit, event)
            paid = self._refund_psps.get(event.psp_reference) or event.original_reference
            if event.success:
                await self._refunded(paid or "", event.amount_minor)
            else:
                # no longer in flight: a manager may ask again or settle it by hand
                self._refunding.discard(paid or "")
                workflow.logger.error("refund %s failed: %s", event.psp_reference, event.reason)
        elif code == "REFUND_FAILED" and workflow.patched(REFUND_FAILED_REOPENS):
            # a refund reported made has failed after all (a closed card): the deposit is
            # not back with the guest, so a manager may ask again or settle it by hand
            paid = self._refund_psps.get(event.psp_reference) or event.original_reference or ""
            self._refunding.discard(paid)
            reopen = paid == self._deposit_refund and deposit in {D.REFUNDED, D.REFUND_PENDING}
            await self.record(D.REFUND_PENDING if reopen else deposit, event)
            workflow.logger.error("refund %s failed: %s", event.psp_reference, event.reason)
        else:
            # a failed attempt (the guest may retry until the hold ends), a capture or a
            # cancellation: recorded, no change of course
            await self.record(deposit, event)

    def _not_the_deposit(self, event: PaymentEvent) -> bool:
        """A deposit's payment must be its amount in its currency (a guarantee stores a card,
        whatever the check amount)."""
        if self._state.payment_mode is not PaymentMode.DEPOSIT:
            return False
        same_currency = event.currency.upper() == self._state.currency.upper()
        return event.amount_minor != self._state.deposit_minor or not same_currency

    async def _on_authorised(self, event: PaymentEvent, status: ReservationStatus | None) -> None:
        deposit = self._state.deposit_status
        first = self._payment_psp is None and deposit is D.PENDING
        if (
            first
            and status is ReservationStatus.HELD
            and self._not_the_deposit(event)
            and workflow.patched(PAID_AMOUNT_CHECKED)
        ):
            # another amount or currency is not the deposit asked for: it goes back, and
            # the hold waits for the right payment
            workflow.logger.warning("payment %s is not the deposit asked for", event.psp_reference)
            await self.record(deposit, event)
            key = refund_key(self._state.reservation_id, event.psp_reference)
            self._start_refund(
                event.psp_reference, event.amount_minor, key=key, currency=event.currency
            )
        elif first and status is ReservationStatus.HELD:
            self._payment_psp = event.psp_reference
            self._stored_method = event.stored_payment_method_id
            guarantee = self._state.payment_mode is PaymentMode.GUARANTEE
            await self.record(D.GUARANTEED if guarantee else D.PAID, event)
            if not guarantee:
                self.receipt_due = event.amount_minor
        elif event.psp_reference != self._payment_psp and event.amount_minor > 0:
            # paid after the hold ended, or paid twice: the money goes back
            rid = self._state.reservation_id
            if deposit is D.PENDING:
                await self.record(D.REFUND_PENDING, event)
                self._deposit_refund = event.psp_reference
            else:
                await self.record(deposit, event)
            self._mark_ended()
            self._start_refund(
                event.psp_reference, event.amount_minor, key=refund_key(rid, event.psp_reference)
            )
        else:
            await self.record(deposit, event)
