"""PaymentsAfterClose: payment events that reach a reservation after its workflow ended.

A guest can pay a checkout page left open long after the hold expired, and Adyen may
report a refund days after the booking closed. The webhook route hands such an event
to this workflow (id `payments-after-close-<reservation id>`, by signal-with-start), so
nothing the provider sends is dropped:
- every event is written on the reservation's payment rows, as the reservation's own
  workflow would have written it;
- a successful payment no payment row knows of is money the restaurant never asked
  for, and goes back at once (same idempotency key as the reservation's own refund of
  a late payment, so the two can never both move it).

The workflow ends when its inbox is empty; a later event starts a new run.
"""

from __future__ import annotations

import uuid

from temporalio import workflow
from temporalio.exceptions import ActivityError

from workflows.handlers import Inbox, Serialised

with workflow.unsafe.imports_passed_through():
    from models.schemas.lifecycle import PaymentEvent
    from workflows.activity_contracts import move_money, settle_payment_after_close
    from workflows.retries import DATABASE, PROVIDER

PAYMENTS_AFTER_CLOSE_WORKFLOW = "PaymentsAfterClose"


def payments_after_close_workflow_id(reservation_id: uuid.UUID) -> str:
    """One running workflow per reservation."""
    return f"payments-after-close-{reservation_id}"


@workflow.defn(name=PAYMENTS_AFTER_CLOSE_WORKFLOW)
class PaymentsAfterCloseWorkflow:
    """Record late payment events of one reservation; give back money nobody asked for."""

    def __init__(self) -> None:
        self._parts = Serialised()
        self._inbox: Inbox[PaymentEvent] = Inbox()
        self._refunds = 0

    @workflow.signal(name="payment_event")
    def payment_event(self, event: PaymentEvent) -> None:
        """One verified provider event (redeliveries are dropped)."""
        if self._parts.first_time(event.event_id):
            self._inbox.put(event)

    @workflow.run
    async def run(self, reservation_id: uuid.UUID) -> int:
        """The number of refunds this run started."""
        while True:
            while self._inbox:
                await self._settle(reservation_id, self._inbox.take())
            await workflow.wait_condition(workflow.all_handlers_finished)
            if not self._inbox:
                return self._refunds

    async def _settle(self, reservation_id: uuid.UUID, event: PaymentEvent) -> None:
        try:
            move = await workflow.execute_activity(
                settle_payment_after_close,
                args=[reservation_id, event],
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
        except ActivityError as failure:
            # the data refused it for good (the event stays in the webhook event log)
            workflow.logger.error("payment event %s refused: %s", event.event_id, failure.cause)
            return
        if event.event_code == "REFUND_FAILED":
            # the booking's deposit (or a payment given back) is with nobody: ops settle it
            workflow.logger.error("refund %s failed after the booking closed", event.psp_reference)
        if move is None:
            return
        self._refunds += 1
        try:
            await workflow.execute_activity(
                move_money,
                move,
                start_to_close_timeout=PROVIDER.start_to_close_timeout,
                retry_policy=PROVIDER.retry_policy,
            )
        except ActivityError as failure:
            # the provider refused the refund itself: retrying cannot help; the row says so
            workflow.logger.error("refund %s refused: %s", move.key, failure.cause)
