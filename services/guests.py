"""Guests: one row per normalised email, upserted when they book."""

from __future__ import annotations

import uuid

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Guest
from models.schemas.reservation import GuestIn
from reservations.db import upsert_insert


def normalise_email(email: str) -> str:
    """The form under which a guest is unique: validated syntax, lower case throughout."""
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return checked.normalized.lower()


def search_name_of(first_name: str, last_name: str | None) -> str:
    """The lower-cased full name staff search runs on."""
    return " ".join(f"{first_name} {last_name or ''}".split()).lower()


async def upsert_guest(session: AsyncSession, *, data: GuestIn) -> Guest:
    """Find the guest by normalised email or create them; missing details are filled in.

    Uses INSERT ... ON CONFLICT DO NOTHING so two first bookings by the same new
    guest at the same moment end up on one row.
    """
    email = normalise_email(str(data.email))
    values = {
        "id": uuid.uuid4(),
        "email": email,
        "first_name": data.first_name,
        "last_name": data.last_name,
        "search_name": search_name_of(data.first_name, data.last_name),
        "phone": data.phone,
        "preferred_language": data.preferred_language,
        "email_notifications": data.email_notifications,
        "sms_notifications": data.sms_notifications,
    }
    # a new guest comes back from the insert; a known one (a conflict) is read
    guest: Guest | None = await session.scalar(
        upsert_insert(session)(Guest)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Guest.email])
        .returning(Guest)
    )
    if guest is None:
        guest = await session.scalar(select(Guest).where(Guest.email == email))
    assert guest is not None
    # whoever books with an email has not proved they own it: a booking may fill in
    # what is missing, never overwrite the contact details a guest already has
    if not guest.last_name and data.last_name:
        guest.last_name = data.last_name
        guest.search_name = search_name_of(guest.first_name, guest.last_name)
    if not guest.phone and data.phone:
        guest.phone = data.phone
    await session.flush()
    return guest
