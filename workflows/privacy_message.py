"""PrivacyMessage: send one outbox row written outside any workflow (an export or erasure link).

The API queues the row in its own transaction, then starts this workflow (id
`privacy-message-<row id>`, so a retried start sends nothing twice); the send is
retried through provider outages like every other message. When Temporal cannot be
reached at the request, the row stays queued: PrivacyLinkSweep, on a Schedule,
starts the sends of rows left queued (a link the guest asked for is never dropped).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio import workflow
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, WorkflowAlreadyStartedError

from workflows.outbox import messages_task_queue

with workflow.unsafe.imports_passed_through():
    from models.schemas.privacy import UnsentLinks
    from workflows.activity_contracts import send_notification
    from workflows.privacy_contracts import start_unsent_privacy_messages
    from workflows.retries import DATABASE, PROVIDER

PRIVACY_MESSAGE_WORKFLOW = "PrivacyMessage"
PRIVACY_SWEEP_WORKFLOW = "PrivacyLinkSweep"
# the API starts a row's send just after queuing it: a sweep leaves young rows to it
SWEEP_AFTER = timedelta(minutes=1)


def privacy_message_workflow_id(notification_id: uuid.UUID) -> str:
    """One send per outbox row."""
    return f"privacy-message-{notification_id}"


@workflow.defn(name=PRIVACY_MESSAGE_WORKFLOW)
class PrivacyMessageWorkflow:
    """Send one queued privacy message."""

    @workflow.run
    async def run(self, notification_id: uuid.UUID) -> bool:
        """True once sent; False when the provider refused it for good (the row says why)."""
        try:
            await workflow.execute_activity(
                send_notification,
                notification_id,
                task_queue=messages_task_queue(),
                start_to_close_timeout=PROVIDER.start_to_close_timeout,
                retry_policy=PROVIDER.retry_policy,
            )
        except ActivityError:
            return False
        return True


async def start_privacy_message(
    client: Client, notification_id: uuid.UUID, *, task_queue: str
) -> bool:
    """Start the send of one queued privacy message; False when it was started before."""
    try:
        await client.start_workflow(
            PrivacyMessageWorkflow.run,
            notification_id,
            id=privacy_message_workflow_id(notification_id),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


@workflow.defn(name=PRIVACY_SWEEP_WORKFLOW)
class PrivacyLinkSweepWorkflow:
    """Start the sends of privacy links left queued when their request could not."""

    @workflow.run
    async def run(self) -> int:
        """How many sends were started."""
        return await workflow.execute_activity(
            start_unsent_privacy_messages,
            UnsentLinks(
                queued_before=workflow.now() - SWEEP_AFTER,
                task_queue=workflow.info().task_queue,
            ),
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=DATABASE.retry_policy,
        )
