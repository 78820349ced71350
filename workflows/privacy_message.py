"""PrivacyMessage: send one outbox row written outside any workflow (an export or erasure link).

The API queues the row in its own transaction, then starts this workflow (id
`privacy-message-<row id>`, so a retried start sends nothing twice); the send is
retried through provider outages like every other message.
"""

from __future__ import annotations

import uuid

from temporalio import workflow
from temporalio.exceptions import ActivityError

from workflows.outbox import messages_task_queue

with workflow.unsafe.imports_passed_through():
    from workflows.activity_contracts import send_notification
    from workflows.retries import PROVIDER

PRIVACY_MESSAGE_WORKFLOW = "PrivacyMessage"


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
