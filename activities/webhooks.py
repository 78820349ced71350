"""Activities of the WebhookDelivery workflow: POST one signed event, give a delivery up.

`deliver_webhook` makes one attempt per activity attempt and records it. A 2xx
answer delivers; a 4xx other than 408 and 429 is the subscriber's refusal, final
(non-retryable); anything else (5xx, 408, 429, a timeout, a refused connection)
fails the attempt so Temporal retries it on the webhook policy.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.refusals import refusing
from models.enums import WebhookDeliveryStatus as Status
from models.schemas.webhooks import DeliveryGivenUp, DeliveryOutcome, GiveUpOutcome
from reservations import metrics
from reservations.db import transaction
from reservations.http_answers import is_transient
from services.errors import InvalidError
from services.webhooks import deliveries
from services.webhooks.urls import check_subscriber_url
from workflows.retries import WEBHOOK, retry_delay

USER_AGENT = "reservations-webhooks/1"


def permanent(status: int) -> bool:
    """A subscriber's answer that no retry will change."""
    return 400 <= status < 500 and not is_transient(status)


def signed_headers(secret: str, *, msg_id: str, at: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of one request."""
    at = at.astimezone(UTC)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }


@dataclass
class WebhookActivities:
    """Delivery activities, bound to the worker's database and an HTTP client."""

    sessions: async_sessionmaker[AsyncSession]
    timeout_seconds: float = 5.0
    private_allowed: bool = True
    limits: deliveries.Limits = field(default_factory=deliveries.Limits)

    @activity.defn(name="deliver_webhook")
    @refusing
    async def deliver_webhook(self, delivery_id: uuid.UUID) -> DeliveryOutcome:
        """POST the event to the subscriber once, signed; record the attempt."""
        info = activity.info()
        async with transaction(self.sessions) as session:
            target = await deliveries.load_target(session, delivery_id=delivery_id)
            if target is not None and target.status is Status.PENDING and not target.active:
                await deliveries.skip(session, delivery_id=delivery_id)
        if target is None:
            return DeliveryOutcome(delivery_id=delivery_id, status=Status.SKIPPED)
        if target.status is not Status.PENDING:
            return DeliveryOutcome(delivery_id=delivery_id, status=target.status)
        if not target.active:
            return DeliveryOutcome(delivery_id=delivery_id, status=Status.SKIPPED)

        at = _now(info)
        body = json.dumps(target.payload, separators=(",", ":"), ensure_ascii=False)
        status, error, took_ms = await self._post(target, body)
        delivered = status is not None and 200 <= status < 300
        refused = status is not None and permanent(status)
        delay = None if delivered or refused else _retry_delay(info, at)
        result = deliveries.AttemptResult(
            attempt=info.attempt,
            at=at,
            duration_ms=took_ms,
            http_status=status,
            error=error,
            delivered=delivered,
            next_retry_at=at + timedelta(milliseconds=took_ms) + delay if delay else None,
        )
        async with transaction(self.sessions) as session:
            await deliveries.record_attempt(
                session, delivery_id=delivery_id, result=result, limits=self.limits
            )
        outcome = "delivered" if delivered else "refused" if refused else "failed"
        metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()
        if delivered:
            return DeliveryOutcome(
                delivery_id=delivery_id, status=Status.DELIVERED, http_status=status
            )
        what = error or f"the subscriber answered HTTP {status}"
        raise ApplicationError(
            what,
            {"http_status": status},
            type="WebhookRefused" if refused else "WebhookFailed",
            non_retryable=refused,
            category=ApplicationErrorCategory.BENIGN,
        )

    @activity.defn(name="give_up_webhook")
    @refusing
    async def give_up_webhook(self, given_up: DeliveryGivenUp) -> GiveUpOutcome:
        """Mark a delivery failed; a long enough streak disables its subscription."""
        now = _now(activity.info())
        async with transaction(self.sessions) as session:
            streak, disabled = await deliveries.give_up(
                session,
                delivery_id=given_up.delivery_id,
                reason=given_up.reason,
                now=now,
                limits=self.limits,
            )
        metrics.WEBHOOK_DELIVERIES.labels("given_up").inc()
        return GiveUpOutcome(failure_streak=streak, disabled=disabled)

    async def _post(
        self, target: deliveries.Target, body: str
    ) -> tuple[int | None, str | None, int]:
        """(HTTP status, error, milliseconds) of one POST; never raises for the network."""
        url = target.url
        started = time.monotonic()
        try:
            # checked again at send time: a name may have come to resolve to our network
            await check_subscriber_url(url, private_allowed=self.private_allowed)
        except InvalidError as exc:
            return None, f"not sent: {exc.detail}", 0
        # the event's id: the same on every retry and for every subscriber (de-duplication)
        msg_id = f"msg_{target.event_id.hex}"
        headers = signed_headers(target.secret, msg_id=msg_id, at=datetime.now(UTC), body=body)
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout_seconds, follow_redirects=False
            ) as client:
                response = await client.post(url, content=body.encode(), headers=headers)
            return response.status_code, None, _ms_since(started)
        except httpx.TimeoutException:
            return None, f"timed out after {self.timeout_seconds:g} s", _ms_since(started)
        except httpx.HTTPError as exc:
            host = urlsplit(url).hostname
            return None, f"{type(exc).__name__} reaching {host}: {exc}"[:500], _ms_since(started)

    def all(self) -> list[Callable[..., Any]]:
        """The activity callables to register on a worker."""
        return [self.deliver_webhook, self.give_up_webhook]


def _now(info: activity.Info) -> datetime:
    """This attempt's time: the clock, or the (test) server's when that is ahead of it."""
    return max(info.current_attempt_scheduled_time.astimezone(UTC), datetime.now(UTC))


def _retry_delay(info: activity.Info, at: datetime) -> timedelta | None:
    """The wait before the next attempt, by the policy the workflow gave; None: none follows."""
    delay = retry_delay(info.retry_policy or WEBHOOK.retry_policy, info.attempt)
    deadline = info.schedule_to_close_timeout
    if delay is not None and deadline and at + delay >= info.scheduled_time + deadline:
        return None
    return delay


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
