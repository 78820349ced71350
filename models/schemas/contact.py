"""Staff views of guest contact: the outbox, reservation threads, payments and waivers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import Field

from models.enums import (
    MessageDirection,
    NotificationChannel,
    NotificationStatus,
    PaymentKind,
    PaymentState,
)
from models.schemas.common import OutModel, StrictModel


class NotificationOut(OutModel):
    id: uuid.UUID
    reservation_id: uuid.UUID | None
    channel: NotificationChannel
    template: str
    language: str
    recipient: str
    subject: str | None
    body: str
    status: NotificationStatus
    provider_message_id: str | None
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None


class ThreadMessageOut(OutModel):
    id: uuid.UUID
    reservation_id: uuid.UUID
    direction: MessageDirection
    channel: NotificationChannel
    body: str
    staff_id: uuid.UUID | None
    created_at: dt.datetime


class ThreadMessageIn(StrictModel):
    """A staff answer to the guest, sent by SMS."""

    body: Annotated[str, Field(min_length=1, max_length=1000)]


class PaymentOut(OutModel):
    id: uuid.UUID
    provider: str
    kind: PaymentKind
    amount_minor: int
    currency: str
    status: PaymentState
    psp_reference: str | None
    original_psp_reference: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AuditEntryOut(OutModel):
    id: uuid.UUID
    staff_id: uuid.UUID | None
    action: str
    reason: str
    details: dict[str, Any]
    created_at: dt.datetime


class MoneyOut(OutModel):
    """Every money movement of a reservation and the waivers recorded on it."""

    payments: list[PaymentOut]
    audit: list[AuditEntryOut]


class WaiverIn(StrictModel):
    reason: Annotated[str, Field(min_length=3, max_length=1000)]


class RefundResolutionIn(StrictModel):
    """What a manager does about a refund the provider refused."""

    action: Literal["retry", "settled_by_hand"] = Field(
        description="`retry`: ask the provider again (a new request); `settled_by_hand`: the "
        "money was given back outside the provider, so the booking can close"
    )
    reason: Annotated[str, Field(min_length=3, max_length=1000)]
