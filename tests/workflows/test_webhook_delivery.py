"""WebhookDelivery on the time-skipping test server: the retry schedule (30 s doubling to
an hour, at most 30 attempts within a day), refusals, giving up, and disablement with
the real activities against a real database and a local subscriber."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.webhooks import WebhookActivities
from models.enums import WebhookDeliveryStatus
from models.orm import (
    Restaurant,
    StaffNotice,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from models.schemas.webhooks import DeliveryInput, DeliveryOutcome
from services.webhooks.deliveries import Limits
from services.webhooks.subscriptions import new_secret
from tests.api.webhook_subscriber import WebhookSubscriber
from tests.conftest import Database
from tests.workflows.webhook_fakes import FakeSubscriberBook
from workflows.retries import WEBHOOK_MAX_ATTEMPTS
from workflows.webhook_delivery import WebhookDeliveryWorkflow

HISTORIES = Path(__file__).parent / "histories"


async def keep_history(
    handle: WorkflowHandle[WebhookDeliveryWorkflow, DeliveryOutcome], name: str
) -> None:
    """Store the history for the replay test when RECORD_HISTORIES=1."""
    if os.environ.get("RECORD_HISTORIES") == "1":
        history = await handle.fetch_history()
        (HISTORIES / f"webhook_delivery-{name}.json").write_text(history.to_json())


async def deliver(
    env: WorkflowEnvironment, book: FakeSubscriberBook, name: str
) -> tuple[DeliveryOutcome, list[float]]:
    """Run one delivery against the fakes; its outcome and the seconds between attempts."""
    queue = f"wh-{uuid.uuid4().hex[:8]}"
    book.clock = env.get_current_time
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[WebhookDeliveryWorkflow],
        activities=book.activities(),
    ):
        handle = await env.client.start_workflow(
            WebhookDeliveryWorkflow.run,
            DeliveryInput(delivery_id=uuid.uuid4()),
            id=f"webhook-delivery-{uuid.uuid4()}",
            task_queue=queue,
        )
        outcome = await handle.result()
        await keep_history(handle, name)
    gaps = [(b - a).total_seconds() for a, b in zip(book.attempts, book.attempts[1:], strict=False)]
    return outcome, gaps


def assert_gaps(actual: list[float], expected: list[float]) -> None:
    """Retries never come early; the test server adds at most the milliseconds of a task."""
    assert len(actual) == len(expected), (actual, expected)
    for got, want in zip(actual, expected, strict=True):
        assert 0 <= got - want < 1, (actual, expected)


async def test_a_dead_subscriber_is_retried_30s_doubling_to_an_hour_then_given_up(
    time_skipping: WorkflowEnvironment,
) -> None:
    book = FakeSubscriberBook(answers=[503])
    outcome, gaps = await deliver(time_skipping, book, "gave_up")
    assert outcome.status is WebhookDeliveryStatus.FAILED
    assert len(book.attempts) == WEBHOOK_MAX_ATTEMPTS
    doubling = [30.0 * 2**n for n in range(7)]  # 30 s ... 32 min
    assert_gaps(gaps, doubling + [3600.0] * (WEBHOOK_MAX_ATTEMPTS - 1 - len(doubling)))
    assert book.attempts[-1] - book.attempts[0] < timedelta(hours=24)
    [given_up] = book.given_up
    assert given_up.reason.startswith("gave up after retries")


async def test_a_refusal_is_not_retried(time_skipping: WorkflowEnvironment) -> None:
    book = FakeSubscriberBook(answers=[410])
    outcome, _ = await deliver(time_skipping, book, "refused")
    assert outcome.status is WebhookDeliveryStatus.FAILED
    assert len(book.attempts) == 1
    [given_up] = book.given_up
    assert given_up.reason.startswith("refused") and "410" in given_up.reason


async def test_408_and_429_are_retried_until_delivered(time_skipping: WorkflowEnvironment) -> None:
    book = FakeSubscriberBook(answers=[500, 408, 429, 204])
    outcome, gaps = await deliver(time_skipping, book, "delivered_after_retries")
    assert outcome.status is WebhookDeliveryStatus.DELIVERED
    assert_gaps(gaps, [30.0, 60.0, 120.0])
    assert book.given_up == []


async def _one_delivery(db: Database, url: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    """A restaurant, a subscription to `url`, one event and its pending delivery."""
    async with db.sessions() as session:
        restaurant = Restaurant(
            name="Hooks", slug=f"hooks-{uuid.uuid4().hex[:8]}", timezone="UTC", currency="EUR"
        )
        session.add(restaurant)
        await session.flush()
        subscription = WebhookSubscription(
            restaurant_id=restaurant.id,
            url=url,
            events=["availability.changed"],
            secret=new_secret(),
        )
        session.add(subscription)
        await session.flush()
        now = datetime.now(UTC)
        event = WebhookEvent(
            key=f"test/{uuid.uuid4()}",
            restaurant_id=restaurant.id,
            type="availability.changed",
            occurred_at=now,
            payload={
                "type": "availability.changed",
                "timestamp": now.isoformat(),
                "data": {"restaurant": {"id": str(restaurant.id)}, "date": "2026-12-24"},
            },
        )
        session.add(event)
        await session.flush()
        delivery = WebhookDelivery(subscription_id=subscription.id, event_id=event.id)
        session.add(delivery)
        await session.commit()
        return delivery.id, subscription.id, subscription.secret


async def test_failing_for_hours_disables_the_subscription_with_the_real_activities(
    time_skipping: WorkflowEnvironment, db: Database
) -> None:
    async with WebhookSubscriber() as subscriber:
        delivery_id, subscription_id, secret = await _one_delivery(db, subscriber.url)
        subscriber.secret = secret
        subscriber.answer_always(500)
        activities = WebhookActivities(
            sessions=db.sessions,
            private_allowed=True,
            limits=Limits(disable_after_failures=100, disable_after=timedelta(hours=2)),
        )
        queue = f"wh-{uuid.uuid4().hex[:8]}"
        async with Worker(
            time_skipping.client,
            task_queue=queue,
            workflows=[WebhookDeliveryWorkflow],
            activities=activities.all(),
        ):
            outcome = await time_skipping.client.execute_workflow(
                WebhookDeliveryWorkflow.run,
                DeliveryInput(delivery_id=delivery_id),
                id=f"webhook-delivery-{uuid.uuid4()}",
                task_queue=queue,
            )
    # attempts at 0, 30 s, 1.5 min ... 63.5 min, 123.5 min: the attempt that finds the
    # streak 2 h old disables, the next finds the subscription disabled and skips. The
    # activity dates an attempt by its scheduled time, which this test server reports
    # before the backoff (the dev server after), so that is the ninth or the tenth.
    assert outcome.status is WebhookDeliveryStatus.SKIPPED
    assert len(subscriber.received) in (9, 10) and subscriber.bad_signatures == 0
    async with db.sessions() as session:
        subscription = await session.get(WebhookSubscription, subscription_id)
        assert subscription is not None and subscription.is_active is False
        assert subscription.disabled_reason == "failing for 2 hours"
        attempts = list(
            await session.scalars(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id == delivery_id)
                .order_by(WebhookAttempt.attempt)
            )
        )
        assert [a.http_status for a in attempts] == [500] * len(subscriber.received)
        span = attempts[-1].attempted_at - attempts[0].attempted_at
        assert timedelta(hours=2) <= span < timedelta(hours=3)
        assert attempts[0].next_retry_at is not None
        delivery = await session.get(WebhookDelivery, delivery_id)
        assert delivery is not None and delivery.status is WebhookDeliveryStatus.SKIPPED
        notices = list(
            await session.scalars(
                select(StaffNotice).where(StaffNotice.subscription_id == subscription_id)
            )
        )
        assert len(notices) == 1 and "failing for 2 hours" in notices[0].body
