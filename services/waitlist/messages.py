"""Waitlist messages into the outbox: joined, offer (accept and decline links), table ready,
we will call you, expired; in the guest's language, on the channels they accept.

Rows are keyed by entry, template, sequence and channel (a retried activity queues
nothing twice) and name the entry (`notifications.waitlist_entry_id`); the same send
activity as a reservation's messages delivers them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from messaging.render import MessageContext, MessageLinks, pick_language, render
from models.orm import Guest, Reservation, Restaurant, WaitlistEntry
from models.schemas.waitlist import WaitlistMessageIntent
from services.crm.consent import scopes_of
from services.crm.unsubscribe_links import unsubscribe_url_for
from services.guest_links import map_url, postal_address
from services.manage_links import waitlist_token
from services.messages import put_in_outbox

WAITLIST_PATH = "/api/v1/reservations/waitlist"


def offer_links(*, base_url: str, secret: str, entry_id: uuid.UUID) -> tuple[str, str]:
    """The accept and decline links of an entry's offer (they carry the waitlist token)."""
    base = base_url.rstrip("/")
    signed = urlencode({"token": waitlist_token(entry_id, secret=secret)})
    return (
        f"{base}{WAITLIST_PATH}/{entry_id}/accept?{signed}",
        f"{base}{WAITLIST_PATH}/{entry_id}/decline?{signed}",
    )


async def queue_waitlist_message(
    session: AsyncSession, *, intent: WaitlistMessageIntent, base_url: str, secret: str
) -> list[uuid.UUID]:
    """Render the message and queue it on each channel the guest accepts; the row ids."""
    entry = await session.get(WaitlistEntry, intent.entry_id)
    if entry is None:
        return []
    guest = await session.get(Guest, entry.guest_id)
    restaurant = await session.get(Restaurant, entry.restaurant_id)
    if guest is None or restaurant is None:
        return []
    offer = (
        await session.get(Reservation, entry.offer_reservation_id)
        if entry.offer_reservation_id is not None
        else None
    )
    zone = ZoneInfo(restaurant.timezone)
    if offer is not None and intent.template in {"waitlist_offer", "waitlist_table_ready"}:
        starts_at = offer.starts_at
    else:
        wanted = entry.desired_time_from or datetime.min.time()
        starts_at = datetime.combine(entry.desired_date, wanted).replace(tzinfo=zone)
        starts_at = starts_at.astimezone(UTC)
    accept_url, decline_url = offer_links(base_url=base_url, secret=secret, entry_id=entry.id)
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
            language=pick_language(entry.language or guest.preferred_language),
            guest_first_name=guest.first_name,
            restaurant_name=restaurant.name,
            restaurant_timezone=restaurant.timezone,
            restaurant_address=postal_address(restaurant),
            restaurant_phone=restaurant.phone,
            reference="",
            starts_at=starts_at,
            party_size=entry.party_size,
            # a waitlist entry has no manage page: only its offer's links
            links=MessageLinks(
                manage_url="",
                cancel_url="",
                confirm_url="",
                calendar_url="",
                map_url=map_url(restaurant),
                offer_url=accept_url,
                decline_url=decline_url,
                unsubscribe_url=unsubscribe,
            ),
            currency=restaurant.currency,
            offer_expires_at=entry.offer_expires_at,
        )
    )
    return await put_in_outbox(
        session,
        guest=guest,
        template=intent.template,
        rendered=rendered,
        key_prefix=f"waitlist:{entry.id}:{intent.template}:{intent.sequence}",
        waitlist_entry_id=entry.id,
    )
