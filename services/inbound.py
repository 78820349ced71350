"""The database side of provider webhooks: whose event it is, and what was seen before."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import (
    MessageDirection,
    NotificationChannel,
    NotificationStatus,
    WaitlistStatus,
)
from models.orm import (
    Guest,
    Notification,
    Payment,
    ProcessedWebhookEvent,
    Reservation,
    ThreadMessage,
    WaitlistEntry,
)
from reservations.db import upsert_insert
from rules.sms_replies import ReplyKind
from rules.state_machine import ACTIVE_STATUSES


async def reservation_for_payment(
    session: AsyncSession,
    *,
    merchant_reference: str | None,
    psp_reference: str,
    original_reference: str | None,
) -> Reservation | None:
    """The reservation a payment event is about: by our reference, else by its payments."""
    if merchant_reference:
        found = (
            await session.execute(
                select(Reservation).where(Reservation.reference == merchant_reference)
            )
        ).scalar_one_or_none()
        if found is not None:
            return found
    refs = [r for r in (psp_reference, original_reference) if r]
    payment = (
        (
            await session.execute(
                select(Payment).where(
                    Payment.psp_reference.in_(refs) | Payment.original_psp_reference.in_(refs)
                )
            )
        )
        .scalars()
        .first()
    )
    return await session.get(Reservation, payment.reservation_id) if payment else None


async def already_processed(session: AsyncSession, *, provider: str, event_id: str) -> bool:
    """Whether this provider event was handed to its workflow before."""
    found = await session.execute(
        select(ProcessedWebhookEvent.id).where(
            ProcessedWebhookEvent.provider == provider, ProcessedWebhookEvent.event_id == event_id
        )
    )
    return found.first() is not None


async def mark_processed(
    session: AsyncSession, *, provider: str, event_id: str, payload: dict[str, Any]
) -> None:
    """Remember a provider event (a concurrent redelivery's insert is a no-op)."""
    await session.execute(
        upsert_insert(session)(ProcessedWebhookEvent)
        .values(id=uuid.uuid4(), provider=provider, event_id=event_id, payload=payload)
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
    )


async def guests_by_phone(session: AsyncSession, phone: str) -> list[Guest]:
    """Every guest with this number: one phone may book under several emails."""
    return list(await session.scalars(select(Guest).where(Guest.phone == phone)))


async def record_sms_consent(
    session: AsyncSession, *, phone: str, reply: ReplyKind, now: datetime
) -> list[Guest]:
    """The guest records of a phone number, with a STOP or START reply applied to all.

    An opt-out is about the number: no guest record with it may be texted again.
    """
    guests = await guests_by_phone(session, phone)
    for guest in guests:
        if reply == "stop":
            guest.sms_opted_out_at = guest.sms_opted_out_at or now
        elif reply == "start":
            guest.sms_opted_out_at = None
    return guests


async def reservation_for_reply(
    session: AsyncSession, *, guest_ids: Sequence[uuid.UUID], now: datetime
) -> Reservation | None:
    """The booking a guest's SMS is about: the phone's next active one (or one under way)."""
    if not guest_ids:
        return None
    return (
        (
            await session.execute(
                select(Reservation)
                .where(
                    Reservation.guest_id.in_(guest_ids),
                    Reservation.status.in_(ACTIVE_STATUSES),
                    Reservation.ends_at >= now - timedelta(hours=1),
                )
                .order_by(Reservation.starts_at, Reservation.id)
            )
        )
        .scalars()
        .first()
    )


async def entry_with_open_offer(
    session: AsyncSession, *, guest_ids: Sequence[uuid.UUID], now: datetime
) -> uuid.UUID | None:
    """The waitlist entry of these guests whose offer is open now (the oldest), if any.

    A YES or NO from a phone with an open offer answers the offer, before any
    reservation of the same guest is considered.
    """
    if not guest_ids:
        return None
    found = await session.execute(
        select(WaitlistEntry.id)
        .where(
            WaitlistEntry.guest_id.in_(guest_ids),
            WaitlistEntry.status == WaitlistStatus.OFFERED,
            WaitlistEntry.offer_expires_at > now,
        )
        .order_by(WaitlistEntry.offered_at, WaitlistEntry.id)
        .limit(1)
    )
    return found.scalar_one_or_none()


async def record_inbound_sms(
    session: AsyncSession, *, reservation_id: uuid.UUID, message_sid: str, body: str
) -> bool:
    """Add a guest's SMS to the reservation's thread; False if this MessageSid was seen."""
    result = await session.execute(
        upsert_insert(session)(ThreadMessage)
        .values(
            id=uuid.uuid4(),
            reservation_id=reservation_id,
            direction=MessageDirection.INBOUND,
            channel=NotificationChannel.SMS,
            body=body,
            provider_message_id=message_sid,
        )
        .on_conflict_do_nothing(index_elements=["provider_message_id"])
    )
    return bool(getattr(result, "rowcount", 0))


EARLY_REPORTS = "twilio-status"


def _apply_report(row: Notification, status: str, error_code: str | None, at: datetime) -> None:
    if status == "delivered":
        row.status = NotificationStatus.DELIVERED
        row.delivered_at = at
    elif status in {"failed", "undelivered"}:
        row.status = NotificationStatus.FAILED
        row.last_error = f"twilio {status}" + (f" (error {error_code})" if error_code else "")
    elif status == "sent" and row.status is NotificationStatus.QUEUED:
        row.status = NotificationStatus.SENT


async def record_delivery(
    session: AsyncSession, *, message_sid: str, status: str, error_code: str | None, at: datetime
) -> bool:
    """Apply a Twilio delivery report to its outbox row.

    A report may beat the send activity's own record of the MessageSid; it is kept
    then (and False returned) for `apply_early_reports` to apply once the sid is known.
    """
    row = (
        await session.execute(
            select(Notification).where(Notification.provider_message_id == message_sid)
        )
    ).scalar_one_or_none()
    if row is None:
        await mark_processed(
            session,
            provider=EARLY_REPORTS,
            event_id=f"{message_sid}:{status}",
            payload={"status": status, "error_code": error_code, "at": at.isoformat()},
        )
        return False
    _apply_report(row, status, error_code, at)
    return True


async def apply_early_reports(session: AsyncSession, row: Notification) -> None:
    """Apply delivery reports that arrived before the row knew its MessageSid."""
    if row.provider_message_id is None:
        return
    early = await session.execute(
        select(ProcessedWebhookEvent)
        .where(
            ProcessedWebhookEvent.provider == EARLY_REPORTS,
            ProcessedWebhookEvent.event_id.startswith(row.provider_message_id + ":"),
        )
        .order_by(ProcessedWebhookEvent.received_at)
    )
    for report in early.scalars():
        payload = report.payload
        _apply_report(
            row,
            str(payload["status"]),
            payload.get("error_code"),
            datetime.fromisoformat(str(payload["at"])),
        )
