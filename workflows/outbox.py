"""The outbox: a message is written as outbox rows first, then each row is sent beside.

Queueing is a quick database activity under the caller's lock; sending goes to a
provider that may be slow or down, so it runs in the background, on the messages
task queue, and is retried without limit. A row the provider refuses for good (a
bad address) is marked failed by the send activity and the workflow moves on.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from temporalio import workflow
from temporalio.exceptions import ActivityError

from workflows.handlers import Serialised

with workflow.unsafe.imports_passed_through():
    from models.schemas.lifecycle import MessageIntent, MessageTemplate
    from models.schemas.waitlist import WaitlistMessageIntent, WaitlistTemplate
    from workflows.activity_contracts import queue_message, send_notification
    from workflows.retries import DATABASE, PROVIDER, AttemptTimeouts, refusal_of
    from workflows.waitlist_contracts import queue_waitlist_message


def messages_task_queue() -> str:
    """Where sends run: their own queue beside this workflow's, served by `messages` workers.

    Derived from the workflow's own task queue (deterministic, no setting); the
    worker side is worker/roles.py.
    """
    return f"{workflow.info().task_queue}-messages"


@contextlib.contextmanager
def not_queued_if_refused(template: str) -> Iterator[None]:
    """A message the data refuses for good (one that would render with holes, a row gone)
    is logged and left unsent: the booking goes on; an outage is still retried."""
    try:
        yield
    except ActivityError as failure:
        if refusal_of(failure) is None:
            raise
        workflow.logger.error("message %s not queued: %s", template, failure.cause)


class Outbox:
    """Messages to one reservation's guest."""

    def __init__(
        self,
        reservation_id: uuid.UUID,
        parts: Serialised,
        timeouts: AttemptTimeouts | None = None,
    ) -> None:
        self._reservation_id = reservation_id
        self._parts = parts
        self._timeouts = timeouts or AttemptTimeouts()

    async def send(
        self,
        template: MessageTemplate,
        *,
        sequence: int = 0,
        amount_minor: int | None = None,
        thread_message_id: uuid.UUID | None = None,
    ) -> None:
        """Put the message in the outbox, then send each row beside the caller."""
        intent = MessageIntent(
            reservation_id=self._reservation_id,
            template=template,
            sequence=sequence,
            amount_minor=amount_minor,
            thread_message_id=thread_message_id,
        )
        with not_queued_if_refused(template):
            queued = await workflow.execute_activity(
                queue_message,
                intent,
                start_to_close_timeout=self._timeouts.database,
                retry_policy=DATABASE.retry_policy,
            )
            self.deliver(queued)

    def deliver(self, queued: list[uuid.UUID]) -> None:
        """Send each queued row beside the caller (a provider outage is retried)."""
        for notification_id in queued:
            self._parts.beside(self._deliver(notification_id))

    async def _deliver(self, notification_id: uuid.UUID) -> None:
        try:
            await workflow.execute_activity(
                send_notification,
                notification_id,
                task_queue=messages_task_queue(),
                start_to_close_timeout=self._timeouts.provider,
                retry_policy=PROVIDER.retry_policy,
            )
        except ActivityError as failure:
            # refused for good (a bad address): the outbox row says so
            workflow.logger.warning("message %s not sent: %s", notification_id, failure.cause)
        finally:
            self._parts.wake()


class WaitlistOutbox:
    """Messages to one waitlist entry's guest: queued by entry, sent like a reservation's."""

    def __init__(self, entry_id: uuid.UUID, parts: Serialised) -> None:
        self._entry_id = entry_id
        self._rows = Outbox(entry_id, parts)

    async def send(self, template: WaitlistTemplate, *, sequence: int = 0) -> None:
        entry = self._entry_id
        intent = WaitlistMessageIntent(entry_id=entry, template=template, sequence=sequence)
        with not_queued_if_refused(template):
            queued = await workflow.execute_activity(
                queue_waitlist_message,
                intent,
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
            self._rows.deliver(queued)
