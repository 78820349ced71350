"""Stand-in activities of the WebhookDelivery workflow (registered under the real names).

`deliver_webhook` answers as a subscriber scripted by `answers` would (one HTTP status
per attempt, the last repeated) and records when each attempt ran, on the test
server's skipped clock (`clock`: the time-skipping server reports an attempt's
`current_attempt_scheduled_time` before its backoff, so the fakes ask the server).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.webhooks import permanent
from models.enums import WebhookDeliveryStatus
from models.schemas.webhooks import DeliveryGivenUp, DeliveryOutcome, GiveUpOutcome


@dataclass
class FakeSubscriberBook:
    answers: list[int] = field(default_factory=lambda: [200])
    disable_after_failures: int = 20
    attempts: list[datetime] = field(default_factory=list)
    given_up: list[DeliveryGivenUp] = field(default_factory=list)
    streak: int = 0
    clock: Callable[[], Awaitable[datetime]] | None = None

    def activities(self) -> list[Callable[..., Any]]:
        book = self

        @activity.defn(name="deliver_webhook")
        async def deliver_webhook(delivery_id: uuid.UUID) -> DeliveryOutcome:
            now = (
                await book.clock() if book.clock else activity.info().current_attempt_scheduled_time
            )
            book.attempts.append(now)
            status = book.answers[min(len(book.attempts), len(book.answers)) - 1]
            if 200 <= status < 300:
                return DeliveryOutcome(
                    delivery_id=delivery_id,
                    status=WebhookDeliveryStatus.DELIVERED,
                    http_status=status,
                )
            raise ApplicationError(
                f"the subscriber answered HTTP {status}",
                type="WebhookRefused" if permanent(status) else "WebhookFailed",
                non_retryable=permanent(status),
            )

        @activity.defn(name="give_up_webhook")
        async def give_up_webhook(given_up: DeliveryGivenUp) -> GiveUpOutcome:
            book.given_up.append(given_up)
            book.streak += 1
            return GiveUpOutcome(
                failure_streak=book.streak, disabled=book.streak >= book.disable_after_failures
            )

        return [deliver_webhook, give_up_webhook]
