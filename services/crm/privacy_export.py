"""A guest's right of access: asking for a link by email, and the document behind it.

The request answers the same whether or not the address is known (no account
enumeration); only a known guest gets a row and a message in the outbox. The
document is everything held about the guest, across restaurants, with each
restaurant's name beside what it recorded.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.catalog.privacy import PRIVACY_KINDS, PrivacyKind
from messaging.privacy import render_privacy
from models.enums import NotificationStatus
from models.orm import (
    BookingNotes,
    Guest,
    GuestNote,
    GuestRelationship,
    MarketingConsent,
    Notification,
    Payment,
    Reservation,
    Restaurant,
    ThreadMessage,
    WaitlistEntry,
)
from reservations.cache import Cache
from services.crm.privacy_links import Purpose, issue_link
from services.guests import normalise_email
from services.messages import put_in_outbox
from services.partners.limits import take

PRIVACY_PATHS: dict[Purpose, str] = {"export": "export", "erasure": "erasure"}


async def request_link(
    session: AsyncSession,
    cache: Cache,
    *,
    email: str,
    purpose: Purpose,
    now: datetime,
    base_url: str,
    valid_days: int,
    per_hour: int,
) -> list[uuid.UUID]:
    """Queue a signed link to the guest's address; the outbox rows (none when nothing was queued).

    Nothing is sent for an unknown, erased or rate-limited address; the caller
    answers the same in every case. The rate-limit key is a hash, not the address.
    """
    try:
        normalised = normalise_email(email)
    except ValueError:
        return []
    subject = "privacy:" + hashlib.sha256(normalised.encode()).hexdigest()[:32]
    decision = await take(cache, subject=subject, limit=per_hour, window_seconds=3600, now=now)
    if not decision.allowed:
        return []
    guest = await session.scalar(
        select(Guest).where(Guest.email == normalised).where(Guest.erased_at.is_(None))
    )
    if guest is None:
        return []
    token = await issue_link(
        session, guest_id=guest.id, purpose=purpose, now=now, valid_for=timedelta(days=valid_days)
    )
    url = f"{base_url.rstrip('/')}/api/v1/reservations/privacy/{PRIVACY_PATHS[purpose]}/{token}"
    kind: PrivacyKind = "privacy_export" if purpose == "export" else "privacy_erasure"
    rendered = render_privacy(kind, language=guest.preferred_language, url=url, days=valid_days)
    return await put_in_outbox(
        session,
        guest=guest,
        template=kind,
        rendered=rendered,
        key_prefix=f"{guest.id}:{kind}:{hashlib.sha256(token.encode()).hexdigest()[:16]}",
    )


async def unsent_links(
    session: AsyncSession, *, queued_before: datetime, limit: int
) -> list[uuid.UUID]:
    """Privacy-link messages still queued since before ``queued_before``, oldest first."""
    n = Notification
    rows = await session.scalars(
        select(n.id)
        .where(
            n.template.in_(PRIVACY_KINDS),
            n.status == NotificationStatus.QUEUED,
            n.created_at < queued_before,
        )
        .order_by(n.created_at, n.id)
        .limit(limit)
    )
    return list(rows)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def export_document(
    session: AsyncSession, guest_id: uuid.UUID, *, now: datetime
) -> dict[str, Any]:
    """Everything held about the guest, as one JSON-ready document."""
    guest = await session.get(Guest, guest_id)
    assert guest is not None
    names: dict[uuid.UUID, str] = {}

    def place(restaurant_id: uuid.UUID | None) -> dict[str, Any]:
        return {
            "restaurant_id": str(restaurant_id) if restaurant_id else None,
            "restaurant": names.get(restaurant_id) if restaurant_id else None,
        }

    relationships = list(
        await session.scalars(
            select(GuestRelationship).where(GuestRelationship.guest_id == guest_id)
        )
    )
    notes = list(
        await session.scalars(
            select(GuestNote).where(GuestNote.guest_id == guest_id).order_by(GuestNote.created_at)
        )
    )
    reservations = list(
        await session.scalars(
            select(Reservation)
            .where(Reservation.guest_id == guest_id)
            .order_by(Reservation.starts_at)
        )
    )
    reservation_ids = [r.id for r in reservations]
    entries = list(
        await session.scalars(select(WaitlistEntry).where(WaitlistEntry.guest_id == guest_id))
    )
    mentioned = {r.restaurant_id for r in relationships} | {r.restaurant_id for r in reservations}
    mentioned |= {n.restaurant_id for n in notes if n.restaurant_id} | {
        e.restaurant_id for e in entries
    }
    for row in await session.execute(
        select(Restaurant.id, Restaurant.name).where(Restaurant.id.in_(mentioned))
    ):
        names[row.id] = row.name
    booking_notes = await session.scalars(
        select(BookingNotes).where(BookingNotes.guest_id == guest_id)
    )
    consents = await session.scalars(
        select(MarketingConsent).where(MarketingConsent.guest_id == guest_id)
    )
    messages = await session.scalars(
        select(Notification)
        .where(
            or_(
                Notification.guest_id == guest_id,
                Notification.reservation_id.in_(reservation_ids),
                Notification.waitlist_entry_id.in_([e.id for e in entries]),
            )
        )
        .order_by(Notification.created_at)
    )
    threads = await session.scalars(
        select(ThreadMessage)
        .where(ThreadMessage.reservation_id.in_(reservation_ids))
        .order_by(ThreadMessage.created_at)
    )
    payments = await session.scalars(
        select(Payment).where(Payment.reservation_id.in_(reservation_ids))
    )
    return {
        "generated_at": now.isoformat(),
        "guest": {
            "id": str(guest.id),
            "email": guest.email,
            "first_name": guest.first_name,
            "last_name": guest.last_name,
            "phone": guest.phone,
            "preferred_language": guest.preferred_language,
            "email_notifications": guest.email_notifications,
            "sms_notifications": guest.sms_notifications,
            "dietary_requirements": guest.dietary_requirements,
            "created_at": _when(guest.created_at),
            "last_activity_at": _when(guest.last_activity_at),
        },
        "restaurants": [
            {
                **place(r.restaurant_id),
                "vip": r.is_vip,
                "blocked": r.blocked_at is not None,
                "blocked_reason": r.blocked_reason,
                "tags": r.tags,
                "preferred_areas": r.preferred_areas,
                "dietary_restrictions": r.dietary_restrictions,
                "allergies": r.allergies,
                "bookings": r.bookings,
                "visits": r.visits,
                "covers": r.covers,
                "no_shows": r.no_shows,
                "cancellations": r.cancellations,
                "late_cancellations": r.late_cancellations,
                "first_visit_at": _when(r.first_visit_at),
                "last_visit_at": _when(r.last_visit_at),
                "spend_minor": r.spend_minor,
            }
            for r in relationships
        ],
        "notes": [
            {
                **place(n.restaurant_id),
                "type": n.note_type,
                "alert": n.is_alert,
                "body": n.body,
                "created_at": _when(n.created_at),
            }
            for n in notes
        ],
        "reservations": [
            {
                **place(r.restaurant_id),
                "id": str(r.id),
                "reference": r.reference,
                "starts_at": _when(r.starts_at),
                "party_size": r.party_size,
                "status": r.status.value,
                "source": r.source.value,
                "seating_preference": r.seating_preference,
                "special_requests": r.special_requests,
                "occasion": r.occasion,
                "dietary_requirements": r.dietary_requirements,
                "internal_notes": r.internal_notes,
                "cancellation_reason": r.cancellation_reason,
                "spend_minor": r.spend_minor,
                "currency": r.currency,
            }
            for r in reservations
        ],
        "booking_notes": [
            {
                "reservation_id": str(b.reservation_id),
                "special_requests": b.special_requests,
                "occasion": b.occasion,
                "dietary_requirements": b.dietary_requirements,
            }
            for b in booking_notes
        ],
        "waitlist": [
            {
                **place(e.restaurant_id),
                "id": str(e.id),
                "kind": e.kind,
                "desired_date": e.desired_date.isoformat(),
                "party_size": e.party_size,
                "status": e.status.value,
                "notes": e.notes,
            }
            for e in entries
        ],
        "marketing_consents": [
            {
                "scope": c.scope,
                **place(c.restaurant_id),
                "group_id": str(c.group_id) if c.group_id else None,
                "granted_at": _when(c.granted_at),
                "source": c.source,
                "wording_version": c.wording_version,
                "withdrawn_at": _when(c.withdrawn_at),
            }
            for c in consents
        ],
        "messages": [
            {
                "channel": m.channel.value,
                "template": m.template,
                "recipient": m.recipient,
                "subject": m.subject,
                # the privacy links themselves are withheld: one may still be unused
                "body": None if m.template in PRIVACY_KINDS else m.body,
                "status": m.status.value,
                "created_at": _when(m.created_at),
            }
            for m in messages
        ],
        "conversations": [
            {
                "reservation_id": str(t.reservation_id),
                "direction": t.direction.value,
                "channel": t.channel.value,
                "body": t.body,
                "created_at": _when(t.created_at),
            }
            for t in threads
        ],
        "payments": [
            {
                "reservation_id": str(p.reservation_id),
                "kind": p.kind.value,
                "amount_minor": p.amount_minor,
                "currency": p.currency,
                "status": p.status.value,
                "psp_reference": p.psp_reference,
                "created_at": _when(p.created_at),
            }
            for p in payments
        ],
    }
