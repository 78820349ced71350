"""Activities of guest messages: render into the outbox, then send one outbox row.

Sending is its own activity per row, retried without limit while a provider is
down; a row already sent (or refused for good) is never sent again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.refusals import refusing
from messaging.channels import (
    Attachment,
    EmailMessage,
    EmailSender,
    SendRejected,
    SendRetryable,
    SmsMessage,
    SmsSender,
)
from models.enums import NotificationChannel, NotificationStatus
from models.orm import Notification, Reservation, Restaurant
from models.schemas.lifecycle import MessageIntent, StaffMessageRecord
from reservations import metrics
from reservations.db import transaction
from services import conversations, inbound, messages
from services.guest_links import reservation_links

STATUS_CALLBACK_PATH = "/api/v1/reservations/webhooks/twilio/status"


@dataclass
class MessageActivities:
    """The message activities, bound to the worker's database and providers."""

    sessions: async_sessionmaker[AsyncSession]
    email: EmailSender
    sms: SmsSender
    public_base_url: str
    jwt_secret: str

    @activity.defn(name="queue_message")
    @refusing
    async def queue_message(self, intent: MessageIntent) -> list[uuid.UUID]:
        """Render the message and put one row per channel in the outbox (once per intent)."""
        async with transaction(self.sessions) as session:
            return await messages.queue_message(
                session, intent=intent, base_url=self.public_base_url, secret=self.jwt_secret
            )

    @activity.defn(name="record_staff_message")
    @refusing
    async def record_staff_message(self, message: StaffMessageRecord) -> uuid.UUID:
        """Keep a staff answer in the reservation's thread (once per update)."""
        async with transaction(self.sessions) as session:
            row = await conversations.record_staff_answer(
                session,
                reservation_id=message.reservation_id,
                staff_id=message.staff_id,
                body=message.body,
                key=message.key,
                at=message.at,
            )
            return row.id

    @activity.defn(name="send_notification")
    @refusing
    async def send_notification(self, notification_id: uuid.UUID) -> None:
        """Send one outbox row through its channel's provider and record the answer."""
        async with transaction(self.sessions) as session:
            found = (
                await session.execute(
                    # the row with its reservation and restaurant (an email's calendar
                    # file needs them), in one query
                    select(Notification, Reservation, Restaurant)
                    .outerjoin(Reservation, Reservation.id == Notification.reservation_id)
                    .outerjoin(Restaurant, Restaurant.id == Reservation.restaurant_id)
                    .where(Notification.id == notification_id)
                )
            ).one_or_none()
            if found is None or found[0].status is not NotificationStatus.QUEUED:
                return  # sent, delivered or refused already
            row, reservation, restaurant = found
            if row.channel is NotificationChannel.EMAIL:
                email = self._email_of(row, reservation, restaurant)
            else:
                callback = self.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH
                text = SmsMessage(to=row.recipient, body=row.body, status_callback_url=callback)
        try:
            if row.channel is NotificationChannel.EMAIL:
                receipt = await self.email.send_email(email)
            else:
                receipt = await self.sms.send_sms(text)
        except SendRejected as exc:
            await self._record(notification_id, NotificationStatus.FAILED, error=str(exc))
            metrics.MESSAGES.labels(row.channel.value, "rejected").inc()
            raise ApplicationError(str(exc), type="SendRejected", non_retryable=True) from None
        except SendRetryable as exc:
            await self._record(notification_id, NotificationStatus.QUEUED, error=str(exc))
            metrics.MESSAGES.labels(row.channel.value, "retrying").inc()
            raise
        await self._record(
            notification_id, NotificationStatus.SENT, provider_id=receipt.provider_message_id
        )
        metrics.MESSAGES.labels(row.channel.value, "sent").inc()

    def _email_of(
        self, row: Notification, reservation: Reservation | None, restaurant: Restaurant | None
    ) -> EmailMessage:
        """The email of an outbox row; a waitlist message names its entry, no reservation."""
        attachments: list[Attachment] = []
        if reservation is not None and row.template in messages.WITH_CALENDAR:
            assert restaurant is not None
            links = reservation_links(
                base_url=self.public_base_url,
                secret=self.jwt_secret,
                reservation_id=reservation.id,
                restaurant=restaurant,
            )
            ics = messages.calendar_file(reservation, restaurant, links, stamp=datetime.now(UTC))
            cancelled = reservation.status in messages.CANCELLED
            method = "CANCEL" if cancelled else "REQUEST"
            attachments.append(
                Attachment(
                    filename="reservation.ics",
                    content_type=f"text/calendar; method={method}",
                    data=ics,
                )
            )
        return EmailMessage(
            to=row.recipient,
            subject=row.subject or "",
            text=row.body,
            html=row.html_body or "",
            message_id=f"<{row.id}@reservations>",
            language=row.language,
            attachments=attachments,
        )

    async def _record(
        self,
        notification_id: uuid.UUID,
        status: NotificationStatus,
        *,
        provider_id: str | None = None,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"attempts": Notification.attempts + 1, "status": status}
        if error is not None:
            values["last_error"] = error[:2000]
        if provider_id is not None:
            values["provider_message_id"] = provider_id
            values["sent_at"] = datetime.now(UTC)
        async with transaction(self.sessions) as session:
            # one atomic statement counts the attempt and returns the row
            row = await session.scalar(
                update(Notification)
                .where(Notification.id == notification_id)
                .values(values)
                .returning(Notification)
                .execution_options(populate_existing=True)
            )
            assert row is not None
            # only SMS delivery reports (Twilio's) can arrive before the send is recorded
            if provider_id is not None and row.channel is NotificationChannel.SMS:
                await inbound.apply_early_reports(session, row)

    def all(self) -> list[Callable[..., Any]]:
        """The activity callables to register on a worker."""
        return [self.queue_message, self.record_staff_message, self.send_notification]
