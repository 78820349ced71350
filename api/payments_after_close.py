"""Handing a payment event to a reservation whose workflow has ended.

The event goes to PaymentsAfterClose by signal-with-start: it is recorded, and money
nobody asked for goes back. An unreachable Temporal answers 503, so Adyen delivers
the event again rather than have it dropped.
"""

from __future__ import annotations

import uuid

from temporalio.common import WorkflowIDReusePolicy
from temporalio.service import RPCError

from api.lifecycle import rpc_problem
from api.temporal import TemporalConnection
from models.schemas.lifecycle import PaymentEvent
from workflows.payments_after_close import (
    PaymentsAfterCloseWorkflow,
    payments_after_close_workflow_id,
)


async def settle_after_close(
    temporal: TemporalConnection, *, task_queue: str, reservation_id: uuid.UUID, event: PaymentEvent
) -> None:
    """Signal the reservation's PaymentsAfterClose workflow, starting it if none runs."""
    client = await temporal.client()
    try:
        await client.start_workflow(
            PaymentsAfterCloseWorkflow.run,
            reservation_id,
            id=payments_after_close_workflow_id(reservation_id),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            start_signal="payment_event",
            start_signal_args=[event],
        )
    except RPCError as exc:
        raise rpc_problem(exc) from None
