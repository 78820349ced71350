"""The guest message outbox: every message is a row before any provider sees it.

The wording here is plain English; localised templates and the sending providers
arrive with the guest-messages issue. Rows are keyed by reservation, template,
sequence and channel, so a retried activity never queues a message twice.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import NotificationChannel
from models.orm import Guest, Notification, Reservation, Restaurant
from models.schemas.lifecycle import MessageIntent

SUBJECTS = {
    "held": "Your table at {restaurant} is held: {reference}",
    "confirmation": "Your reservation at {restaurant} is confirmed: {reference}",
    "pending": "We received your request for {restaurant}: {reference}",
    "declined": "{restaurant} could not accept your request {reference}",
    "modification": "Your reservation {reference} at {restaurant} has changed",
    "cancellation_by_guest": "Your reservation {reference} at {restaurant} is cancelled",
    "cancellation_by_restaurant": "{restaurant} had to cancel your reservation {reference}",
    "hold_expired": "Your held table at {restaurant} was released: {reference}",
    "reminder": "See you tomorrow at {restaurant}: {reference}",
    "review_request": "How was your visit to {restaurant}?",
    "no_show": "We missed you at {restaurant}: {reference}",
}


def _body(
    template: str, *, first_name: str, restaurant: str, reference: str, when: str, party_size: int
) -> str:
    lines = {
        "held": "we are holding your table while you complete the deposit.",
        "confirmation": "your table is booked.",
        "pending": "the restaurant will confirm your request shortly.",
        "declined": "unfortunately the restaurant cannot accept this request.",
        "modification": "your reservation now reads as below.",
        "cancellation_by_guest": "your reservation is cancelled as you asked.",
        "cancellation_by_restaurant": "the restaurant had to cancel your reservation.",
        "hold_expired": "the booking was not completed in time, so the table was released.",
        "reminder": "please confirm that you are still coming, or cancel if plans changed.",
        "review_request": "thank you for visiting; we would love to hear how it was.",
        "no_show": "you were expected but did not arrive.",
    }
    return (
        f"Hello {first_name},\n\n{lines[template]}\n\n"
        f"{restaurant} - {when} - party of {party_size}\nReference: {reference}\n"
    )


async def queue_message(session: AsyncSession, *, intent: MessageIntent) -> int:
    """Queue the message on each channel the guest accepts; returns rows newly queued."""
    row = (
        await session.execute(
            select(Reservation, Guest, Restaurant)
            .join(Guest, Guest.id == Reservation.guest_id)
            .join(Restaurant, Restaurant.id == Reservation.restaurant_id)
            .where(Reservation.id == intent.reservation_id)
        )
    ).one_or_none()
    if row is None:
        return 0
    reservation, guest, restaurant = row
    local = reservation.starts_at.astimezone(ZoneInfo(restaurant.timezone))
    when = local.strftime("%Y-%m-%d %H:%M")
    names = {"restaurant": restaurant.name, "reference": reservation.reference}
    subject = SUBJECTS[intent.template].format(**names)
    body = _body(
        intent.template,
        first_name=guest.first_name,
        restaurant=restaurant.name,
        reference=reservation.reference,
        when=when,
        party_size=reservation.party_size,
    )
    channels: list[tuple[NotificationChannel, str]] = []
    if guest.email_notifications:
        channels.append((NotificationChannel.EMAIL, guest.email))
    if guest.sms_notifications and guest.phone and guest.sms_opted_out_at is None:
        channels.append((NotificationChannel.SMS, guest.phone))
    insert = (
        pg_insert if session.bind and session.bind.dialect.name == "postgresql" else sqlite_insert
    )
    queued = 0
    for channel, recipient in channels:
        key = f"{reservation.id}:{intent.template}:{intent.sequence}:{channel.value}"
        result = await session.execute(
            insert(Notification)
            .values(
                dedupe_key=key,
                reservation_id=reservation.id,
                guest_id=guest.id,
                channel=channel,
                template=intent.template,
                language=reservation.language,
                recipient=recipient,
                subject=subject if channel is NotificationChannel.EMAIL else None,
                body=body,
            )
            .on_conflict_do_nothing(index_elements=[Notification.dedupe_key])
        )
        queued += int(getattr(result, "rowcount", 0) or 0)
    return queued
