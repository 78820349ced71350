"""Outbound webhooks: the subscriptions API and the delivery workflow's contracts.

The workflow's input and results carry ids and outcomes only: the payload (which
is non-personal anyway) is read from the event row by the delivery activity.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, HttpUrl, UrlConstraints

from models.enums import WebhookDeliveryStatus, WebhookEventType
from models.schemas.common import OutModel, StrictModel

SubscriberUrl = Annotated[HttpUrl, UrlConstraints(max_length=2000)]


class SubscriptionIn(StrictModel):
    """A URL (http or https) and the events it wants."""

    url: SubscriberUrl
    events: Annotated[list[WebhookEventType], Field(min_length=1, max_length=20)]
    description: Annotated[str, Field(max_length=200)] | None = None


class SubscriptionOut(OutModel):
    id: uuid.UUID
    restaurant_id: uuid.UUID
    url: str
    events: list[str]
    description: str | None
    is_active: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    failure_streak: int
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    """Returned once at creation: the signing secret is never shown again."""

    secret: str = Field(description="Standard Webhooks signing secret, whsec_ + base64")


class AttemptOut(OutModel):
    attempt: int
    attempted_at: datetime
    duration_ms: int
    http_status: int | None
    error: str | None
    next_retry_at: datetime | None


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: WebhookDeliveryStatus
    created_at: datetime
    delivered_at: datetime | None
    next_retry_at: datetime | None
    last_error: str | None
    attempts: list[AttemptOut]


class NoticeOut(OutModel):
    id: uuid.UUID
    kind: str
    subject: str
    body: str
    subscription_id: uuid.UUID | None
    created_at: datetime


class DeliveryInput(BaseModel):
    """What starts a WebhookDelivery workflow: ids and the retry pacing, nothing personal."""

    delivery_id: uuid.UUID
    first_retry_seconds: int = 30


class DeliveryOutcome(BaseModel):
    """How one delivery ended (the deliver activity's answer when it did not fail)."""

    delivery_id: uuid.UUID
    status: WebhookDeliveryStatus
    http_status: int | None = None


class DeliveryGivenUp(BaseModel):
    """A delivery the workflow stops trying: refused for good, or out of retries."""

    delivery_id: uuid.UUID
    reason: Annotated[str, Field(max_length=500)]


class GiveUpOutcome(BaseModel):
    """What giving up a delivery did to its subscription."""

    failure_streak: int
    disabled: bool
