"""What the worker runs: the workflow classes and activity functions on the task queue.

The worker and the replay tests read this one list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activities.messages import MessageActivities
from activities.partners import GoogleActivities
from activities.payments import PaymentActivities
from activities.reservations import ReservationActivities
from messaging.config import email_sender, sms_sender
from payments.config import payment_provider
from worker.deps import WorkerDeps
from workflows.google_feeds import GoogleFeedsWorkflow
from workflows.google_notification import GoogleNotificationWorkflow
from workflows.reservation import ReservationWorkflow


def workflow_classes() -> list[type]:
    """Workflow classes the worker runs."""
    return [ReservationWorkflow, GoogleNotificationWorkflow, GoogleFeedsWorkflow]


def activity_functions(deps: WorkerDeps) -> list[Callable[..., Any]]:
    """Activity callables bound to `deps` (database, cache, providers)."""
    reservations = ReservationActivities(
        sessions=deps.sessions,
        cache=deps.cache,
        reminder_hours=deps.settings.reminder_hours_before,
    )
    settings = deps.settings
    secret = settings.effective_jwt_secret()
    money = PaymentActivities(
        sessions=deps.sessions,
        provider=deps.payment_provider or payment_provider(settings),
        public_base_url=settings.public_base_url,
        jwt_secret=secret,
    )
    messages = MessageActivities(
        sessions=deps.sessions,
        email=deps.email_sender or email_sender(settings),
        sms=deps.sms_sender or sms_sender(settings),
        public_base_url=settings.public_base_url,
        jwt_secret=secret,
    )
    google = GoogleActivities(sessions=deps.sessions, settings=settings)
    return [*reservations.all(), *money.all(), *messages.all(), *google.all()]
