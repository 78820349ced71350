"""The guest message outbox: every message is rendered into a row before any provider sees it.

Rows are keyed by reservation, template, sequence and channel, so a retried
activity never queues a message twice; the send activity then delivers each row
once and records the provider's answer on it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.calendar import reservation_calendar
from messaging.render import (
    MessageContext,
    MessageLinks,
    RenderedMessage,
    pick_language,
    render,
)
from models.enums import NotificationChannel, ReservationStatus
from models.orm import Guest, Notification, Reservation, Restaurant, ThreadMessage
from models.schemas.lifecycle import MessageIntent
from reservations.db import upsert_insert
from services.crm.consent import scopes_of
from services.crm.unsubscribe_links import unsubscribe_url_for
from services.errors import NotFoundError
from services.guest_links import ReservationLinks, postal_address, reservation_links
from services.payments import booking_of, checkout_session_of

# walk-ins without an email get an address here (see services/booking); never mail it
PLACEHOLDER_EMAIL_DOMAIN = "no-email.walk-in"
# answers in an SMS conversation go back by SMS (by email once the guest opted out)
SMS_ONLY = frozenset({"staff_reply", "sms_cancel_refused"})
# a text message is worth its cost for these; the rest go by email only
EMAIL_ONLY = frozenset({"review_request", "deposit_receipt"})
# a guest's export or erasure link: by email only, to the address on file
PRIVACY_ONLY_EMAIL = frozenset({"privacy_export", "privacy_erasure"})
# emails that carry the booking's calendar file (updated or cancelled)
WITH_CALENDAR = frozenset(
    {
        "confirmation",
        "modification",
        "reminder",
        "cancellation_by_guest",
        "cancellation_by_restaurant",
    }
)
CANCELLED = frozenset(
    {
        ReservationStatus.CANCELLED_BY_GUEST,
        ReservationStatus.CANCELLED_BY_RESTAURANT,
        ReservationStatus.DECLINED,
        ReservationStatus.EXPIRED,
        ReservationStatus.NO_SHOW,
    }
)


def channels_for(guest: Guest, template: str) -> list[tuple[NotificationChannel, str]]:
    """The channels the guest accepts for this message, with their addresses."""
    if guest.erased_at is not None:
        return []  # an erased guest's placeholder address is never written to
    real_email = not guest.email.endswith("@" + PLACEHOLDER_EMAIL_DOMAIN)
    email = (NotificationChannel.EMAIL, guest.email)
    if template in PRIVACY_ONLY_EMAIL:
        # the link proves the guest owns the address: it goes there whatever they opted out of
        return [email] if real_email else []
    wants_email = guest.email_notifications and real_email
    can_text = guest.sms_notifications and guest.sms_opted_out_at is None
    if template in SMS_ONLY:
        if can_text and guest.phone:
            return [(NotificationChannel.SMS, guest.phone)]
        # the guest can no longer be texted (they sent STOP): an answer they are waiting
        # for goes by email rather than nowhere
        return [email] if wants_email else []
    channels: list[tuple[NotificationChannel, str]] = []
    if wants_email:
        channels.append(email)
    if can_text and guest.phone and template not in EMAIL_ONLY:
        channels.append((NotificationChannel.SMS, guest.phone))
    return channels


async def queue_message(
    session: AsyncSession, *, intent: MessageIntent, base_url: str, secret: str
) -> list[uuid.UUID]:
    """Render the message in the guest's language and queue it on each channel they accept.

    Returns the ids of this intent's outbox rows (those queued before, on a retry, too).
    """
    try:
        reservation, guest, restaurant = await booking_of(session, intent.reservation_id)
    except NotFoundError:
        return []
    free_text: str | None = None
    if intent.thread_message_id is not None:
        thread = await session.get(ThreadMessage, intent.thread_message_id)
        free_text = thread.body if thread else None
    links = reservation_links(
        base_url=base_url, secret=secret, reservation_id=reservation.id, restaurant=restaurant
    )
    payment_url = links.manage_url
    if intent.template in {"deposit_request", "guarantee_request"}:
        checkout = await checkout_session_of(session, reservation.id)
        payment_url = (checkout.checkout_url if checkout else None) or links.manage_url
    unsubscribe = await unsubscribe_url_for(
        session,
        guest_id=guest.id,
        restaurant_id=restaurant.id,
        base_url=base_url,
        secret=secret,
        scopes=scopes_of(restaurant.id, restaurant.group_id),
    )
    rendered = render(
        MessageContext(
            template=intent.template,
            language=pick_language(reservation.language or guest.preferred_language),
            guest_first_name=guest.first_name,
            restaurant_name=restaurant.name,
            restaurant_timezone=restaurant.timezone,
            restaurant_address=postal_address(restaurant),
            restaurant_phone=restaurant.phone,
            reference=reservation.reference,
            starts_at=reservation.starts_at,
            party_size=reservation.party_size,
            links=MessageLinks(
                manage_url=links.manage_url,
                cancel_url=links.cancel_url,
                confirm_url=links.confirm_url,
                calendar_url=links.calendar_url,
                map_url=links.map_url,
                payment_url=payment_url,
                unsubscribe_url=unsubscribe,
            ),
            currency=reservation.currency,
            amount_minor=intent.amount_minor,
            cancellation_deadline_at=reservation.cancellation_deadline_at,
            free_text=free_text,
        )
    )
    distinct = intent.thread_message_id or intent.sequence
    return await put_in_outbox(
        session,
        guest=guest,
        template=intent.template,
        rendered=rendered,
        key_prefix=f"{reservation.id}:{intent.template}:{distinct}",
        reservation_id=reservation.id,
    )


async def put_in_outbox(
    session: AsyncSession,
    *,
    guest: Guest,
    template: str,
    rendered: RenderedMessage,
    key_prefix: str,
    reservation_id: uuid.UUID | None = None,
    waitlist_entry_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """One outbox row per channel the guest accepts, once per `key_prefix`; the row ids.

    A retried activity finds the rows it wrote (the key is unique) and sends none twice.
    """
    insert = upsert_insert(session)
    ids: dict[str, uuid.UUID] = {}
    keys: list[str] = []
    for channel, recipient in channels_for(guest, template):
        key = f"{key_prefix}:{channel.value}"
        keys.append(key)
        email = channel is NotificationChannel.EMAIL
        inserted = await session.scalar(
            insert(Notification)
            .values(
                id=uuid.uuid4(),
                dedupe_key=key,
                reservation_id=reservation_id,
                waitlist_entry_id=waitlist_entry_id,
                guest_id=guest.id,
                channel=channel,
                template=template,
                language=rendered.language,
                recipient=recipient,
                subject=rendered.subject if email else None,
                body=rendered.text if email else rendered.sms,
                html_body=rendered.html if email else None,
            )
            .on_conflict_do_nothing(index_elements=[Notification.dedupe_key])
            .returning(Notification.id)
        )
        if inserted is not None:
            ids[key] = inserted
    earlier = [key for key in keys if key not in ids]
    if earlier:  # a retry: the rows an earlier attempt wrote
        found = await session.execute(
            select(Notification.dedupe_key, Notification.id).where(
                Notification.dedupe_key.in_(earlier)
            )
        )
        ids.update({key: row_id for key, row_id in found.all()})
    return [ids[key] for key in sorted(keys) if key in ids]


def calendar_file(
    reservation: Reservation, restaurant: Restaurant, links: ReservationLinks, *, stamp: datetime
) -> bytes:
    """The reservation's .ics: a request while it stands, a cancellation once it does not."""
    return reservation_calendar(
        uid=f"{reservation.id}@reservations",
        sequence=reservation.modification_count + (1 if reservation.status in CANCELLED else 0),
        cancelled=reservation.status in CANCELLED,
        starts_at=reservation.starts_at,
        duration_minutes=reservation.duration_minutes,
        timezone=restaurant.timezone,
        summary=f"{restaurant.name} ({reservation.party_size})",
        location=postal_address(restaurant),
        description=f"Reservation {reservation.reference} for {reservation.party_size}",
        url=links.manage_url,
        organizer_email=restaurant.email,
        stamp=stamp,
    )
