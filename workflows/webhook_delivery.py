"""WebhookDelivery: one event to one subscription, retried on the webhook policy.

Its input is the delivery's id (the activity reads the event row), its id is made
of the subscription and the event (so a retried start does nothing). Deliveries
run on workflows of their own: a slow or dead subscriber never holds up a booking.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from models.enums import WebhookDeliveryStatus
    from models.schemas.webhooks import DeliveryGivenUp, DeliveryInput, DeliveryOutcome
    from workflows.retries import DATABASE, refusal_of, webhook_calling
    from workflows.webhook_contracts import deliver_webhook, give_up_webhook


@workflow.defn(name="WebhookDelivery")
class WebhookDeliveryWorkflow:
    """Deliver one event to one subscriber, or give it up and tell the subscription."""

    @workflow.run
    async def run(self, inp: DeliveryInput) -> DeliveryOutcome:
        """Try until delivered, refused (4xx) or out of attempts and time."""
        calling = webhook_calling(timedelta(seconds=inp.first_retry_seconds))
        try:
            return await workflow.execute_activity(
                deliver_webhook,
                inp.delivery_id,
                start_to_close_timeout=calling.start_to_close_timeout,
                schedule_to_close_timeout=calling.schedule_to_close_timeout,
                retry_policy=calling.retry_policy,
            )
        except ActivityError as failure:
            refused = refusal_of(failure)
            reason = (
                f"refused: {refused.message}"
                if refused is not None
                else f"gave up after retries: {_cause(failure)}"
            )
        await workflow.execute_activity(
            give_up_webhook,
            DeliveryGivenUp(delivery_id=inp.delivery_id, reason=reason[:500]),
            start_to_close_timeout=DATABASE.start_to_close_timeout,
            retry_policy=DATABASE.retry_policy,
        )
        return DeliveryOutcome(delivery_id=inp.delivery_id, status=WebhookDeliveryStatus.FAILED)


def _cause(failure: ActivityError) -> str:
    cause = failure.cause
    return str(cause) if cause is not None else str(failure)
