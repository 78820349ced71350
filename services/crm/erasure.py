"""A guest's right to erasure: anonymise them everywhere, keep statistics and money.

What stays: the guest row itself (with a placeholder identity), visit statistics,
reservations with their dates, party sizes, references and amounts, and payment
rows (amounts, references, dates: what the law requires us to keep). What goes:
every name, address, phone number and every free text the guest or staff wrote
about them (notes, requests, messages, conversation bodies).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationStatus
from models.orm import (
    BookingNotes,
    DataExportRequest,
    GoogleBooking,
    Guest,
    GuestAudit,
    GuestNote,
    GuestRelationship,
    Notification,
    Payment,
    PosEvent,
    ProcessedWebhookEvent,
    Reservation,
    ThreadMessage,
    WaitlistEntry,
)
from services.crm.consent import withdraw_all
from services.waitlist.entries import OPEN_STATUSES

ERASED_NAME = "Erased"
ERASED_TEXT = ""
# bookings a guest can still cancel: not yet seated, not over
CANCELLABLE = (
    ReservationStatus.HELD,
    ReservationStatus.PENDING_CONFIRMATION,
    ReservationStatus.CONFIRMED,
)


def placeholder_email(guest_id: uuid.UUID) -> str:
    """A unique address nobody can receive mail at (RFC 6761 reserves .invalid)."""
    return f"erased-{guest_id}@invalid"


async def future_bookings(
    session: AsyncSession, *, guest_id: uuid.UUID, now: datetime
) -> list[uuid.UUID]:
    """The guest's bookings still to come, which erasure cancels first."""
    rows = await session.scalars(
        select(Reservation.id)
        .where(Reservation.guest_id == guest_id)
        .where(Reservation.status.in_(CANCELLABLE))
        .where(Reservation.ends_at > now)
        .order_by(Reservation.starts_at)
    )
    return list(rows)


async def open_waitlist_entries(session: AsyncSession, *, guest_id: uuid.UUID) -> list[uuid.UUID]:
    """The guest's waitlist entries still waiting (or offered a table)."""
    rows = await session.scalars(
        select(WaitlistEntry.id)
        .where(WaitlistEntry.guest_id == guest_id)
        .where(WaitlistEntry.status.in_(OPEN_STATUSES))
    )
    return list(rows)


async def merged_into(session: AsyncSession, *, guest_id: uuid.UUID) -> list[uuid.UUID]:
    """Every profile merged into the guest, directly or through a merge into one of those.

    A merge moved their bookings and notes, but their own rows still name the person."""
    found: list[uuid.UUID] = []
    frontier = [guest_id]
    while frontier:
        merged = list(
            await session.scalars(
                select(Guest.id)
                .where(Guest.merged_into_id.in_(frontier))
                .where(Guest.id.not_in([guest_id, *found]))
                .order_by(Guest.id)
            )
        )
        found.extend(merged)
        frontier = merged
    return found


async def withdraw_consents(session: AsyncSession, *, guest_id: uuid.UUID, now: datetime) -> None:
    """Withdraw every marketing consent of the guest, as the erasure's doing.

    The erasure workflow then deletes them from the mailing provider.
    """
    await withdraw_all(session, guest_id=guest_id, via="erasure", now=now)


async def anonymise(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    now: datetime,
    action: str = "erased",
    staff_id: uuid.UUID | None = None,
) -> bool:
    """Anonymise the guest everywhere in the session's transaction.

    False (and nothing written) when the guest is unknown or was erased before: a
    second erasure is a no-op, audited once. The row is locked first so two
    erasures of the same guest cannot interleave.
    """
    guest = await session.scalar(select(Guest).where(Guest.id == guest_id).with_for_update())
    if guest is None or guest.erased_at is not None:
        return False
    reservation_ids = list(
        await session.scalars(select(Reservation.id).where(Reservation.guest_id == guest_id))
    )
    entry_ids = list(
        await session.scalars(select(WaitlistEntry.id).where(WaitlistEntry.guest_id == guest_id))
    )
    await _scrub_provider_events(session, guest=guest, reservation_ids=reservation_ids)
    await _anonymise_identity(guest, now=now)
    await session.execute(
        update(GuestRelationship)
        .where(GuestRelationship.guest_id == guest_id)
        .values(
            blocked_reason=None, tags=[], preferred_areas=[], dietary_restrictions=[], allergies=[]
        )
    )
    await session.execute(
        update(GuestNote).where(GuestNote.guest_id == guest_id).values(body=ERASED_TEXT)
    )
    await session.execute(delete(BookingNotes).where(BookingNotes.guest_id == guest_id))
    # unused links go; spent ones stay (a hash and a date) so a second click is told 410
    await session.execute(
        delete(DataExportRequest)
        .where(DataExportRequest.guest_id == guest_id)
        .where(DataExportRequest.used_at.is_(None))
    )
    await _anonymise_bookings(session, reservation_ids)
    await session.execute(
        update(WaitlistEntry).where(WaitlistEntry.guest_id == guest_id).values(notes=None)
    )
    await erase_messages(
        session,
        where=or_(
            Notification.guest_id == guest_id,
            Notification.reservation_id.in_(reservation_ids),
            Notification.waitlist_entry_id.in_(entry_ids),
        ),
        recipient=placeholder_email(guest_id),
    )
    await session.execute(
        update(ThreadMessage)
        .where(ThreadMessage.reservation_id.in_(reservation_ids))
        .values(body=ERASED_TEXT)
    )
    await withdraw_consents(session, guest_id=guest_id, now=now)
    session.add(
        GuestAudit(guest_id=guest_id, staff_id=staff_id, action=action, details={}, created_at=now)
    )
    await session.flush()
    return True


async def _anonymise_identity(guest: Guest, *, now: datetime) -> None:
    guest.email = placeholder_email(guest.id)
    guest.first_name = ERASED_NAME
    guest.last_name = None
    guest.search_name = ERASED_NAME.lower()
    guest.phone = None
    guest.dietary_requirements = None
    guest.email_notifications = False
    guest.sms_notifications = False
    guest.marketing_opt_in = False
    guest.erased_at = now


async def _anonymise_bookings(session: AsyncSession, reservation_ids: Sequence[uuid.UUID]) -> None:
    """Free text on the guest's bookings goes; dates, sizes, references and amounts stay."""
    if not reservation_ids:
        return
    await session.execute(
        update(Reservation)
        .where(Reservation.id.in_(reservation_ids))
        .values(
            seating_preference=None,
            special_requests=None,
            occasion=None,
            dietary_requirements=None,
            internal_notes=None,
            cancellation_reason=None,
        )
    )
    # partner rows: the Google user and what POS systems sent about the check
    await session.execute(
        update(GoogleBooking)
        .where(GoogleBooking.reservation_id.in_(reservation_ids))
        .values(user_id=None)
    )
    await session.execute(
        update(PosEvent)
        .where(PosEvent.reservation_id.in_(reservation_ids))
        .values(payload={}, detail=None)
    )


async def _scrub_provider_events(
    session: AsyncSession, *, guest: Guest, reservation_ids: Sequence[uuid.UUID]
) -> None:
    """Empty the kept payloads of provider webhooks that name the guest.

    Adyen's notifications carry the booking's reference (and may carry the shopper's
    email), a marketplace's booking events the guest's email and phone, Twilio's
    status reports the number. The event ids stay, so a redelivery is still known.
    """
    references = await session.scalars(
        select(Reservation.reference).where(Reservation.id.in_(reservation_ids))
    )
    psp = await session.scalars(
        select(Payment.psp_reference).where(
            Payment.reservation_id.in_(reservation_ids), Payment.psp_reference.is_not(None)
        )
    )
    needles = {n.lower() for n in (guest.email, guest.phone, *references, *psp) if n}
    if not needles:
        return
    payload_text = func.lower(cast(ProcessedWebhookEvent.payload, Text))
    await session.execute(
        update(ProcessedWebhookEvent)
        .where(or_(*(payload_text.contains(n, autoescape=True) for n in sorted(needles))))
        .values(payload={})
        .execution_options(synchronize_session=False)
    )


async def erase_messages(session: AsyncSession, *, where: Any, recipient: str | None) -> int:
    """Empty the bodies of the outbox rows `where` selects (and their recipient, when given)."""
    values: dict[str, Any] = {
        "subject": None,
        "body": ERASED_TEXT,
        "html_body": None,
        "last_error": None,
    }
    if recipient is not None:
        values["recipient"] = recipient
    result = await session.execute(update(Notification).where(where).values(**values))
    return int(result.rowcount)  # type: ignore[attr-defined]
