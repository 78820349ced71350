"""What the worker runs: the workflow classes and activity functions on the task queue.

The worker and the replay tests read this one list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from activities.marketing import MarketingActivities
from activities.messages import MessageActivities
from activities.partners import GoogleActivities
from activities.payments import PaymentActivities
from activities.privacy import PrivacyActivities
from activities.reservations import ReservationActivities
from activities.waitlist import WaitlistActivities
from activities.webhooks import WebhookActivities
from messaging.config import email_sender, sms_sender
from payments.config import payment_provider
from services.lifecycle_policy import lifecycle_policy
from services.webhooks.deliveries import Limits
from services.webhooks.events import Dispatch
from worker.deps import WorkerDeps
from workflows.google_feeds import GoogleFeedsWorkflow
from workflows.google_notification import GoogleNotificationWorkflow
from workflows.guest_erasure import GuestErasureWorkflow
from workflows.marketing_sync import MarketingSyncWorkflow
from workflows.payments_after_close import PaymentsAfterCloseWorkflow
from workflows.privacy_message import PrivacyLinkSweepWorkflow, PrivacyMessageWorkflow
from workflows.reservation import ReservationWorkflow
from workflows.retention import RetentionWorkflow
from workflows.waitlist import WaitlistDispatcher, WaitlistWorkflow
from workflows.webhook_delivery import WebhookDeliveryWorkflow


def workflow_classes() -> list[type]:
    """Workflow classes the worker runs."""
    return [
        ReservationWorkflow,
        PaymentsAfterCloseWorkflow,
        WaitlistWorkflow,
        WaitlistDispatcher,
        WebhookDeliveryWorkflow,
        GoogleNotificationWorkflow,
        GoogleFeedsWorkflow,
        MarketingSyncWorkflow,
        GuestErasureWorkflow,
        RetentionWorkflow,
        PrivacyMessageWorkflow,
        PrivacyLinkSweepWorkflow,
    ]


def activity_functions(deps: WorkerDeps) -> list[Callable[..., Any]]:
    """Activity callables bound to `deps` (database, cache, providers)."""
    reservations = ReservationActivities(
        sessions=deps.sessions,
        cache=deps.cache,
        reminder_hours=deps.settings.reminder_hours_before,
        make_room_budget_ms=deps.settings.make_room_time_budget_ms,
        webhooks=Dispatch(first_retry_seconds=deps.settings.webhook_first_retry_seconds),
        public_base_url=deps.settings.public_base_url,
        jwt_secret=deps.settings.effective_jwt_secret(),
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
    webhooks = WebhookActivities(
        sessions=deps.sessions,
        timeout_seconds=settings.webhook_timeout_seconds,
        private_allowed=settings.webhook_private_urls_allowed,
        limits=Limits(
            disable_after_failures=settings.webhook_disable_after_failures,
            disable_after=timedelta(hours=settings.webhook_disable_after_hours),
        ),
    )
    waitlist = WaitlistActivities(
        sessions=deps.sessions,
        cache=deps.cache,
        policy_for=lambda manual: lifecycle_policy(settings, manual=manual),
        public_base_url=settings.public_base_url,
        jwt_secret=secret,
        hold_minutes=settings.hold_minutes,
        webhooks=Dispatch(first_retry_seconds=settings.webhook_first_retry_seconds),
    )
    marketing = MarketingActivities(sessions=deps.sessions, settings=settings)
    return [
        *reservations.all(),
        *money.all(),
        *messages.all(),
        *webhooks.all(),
        *waitlist.all(),
        *google.all(),
        *marketing.all(),
        *PrivacyActivities(sessions=deps.sessions).all(),
    ]
