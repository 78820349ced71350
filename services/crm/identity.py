"""Corrections to a guest's platform-wide identity (name, email, phone, language)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Guest, GuestAudit
from models.schemas.guests import ContactPatch
from services.errors import ConflictError
from services.guests import normalise_email, search_name_of


async def correct_contact(
    session: AsyncSession,
    *,
    guest: Guest,
    restaurant_id: uuid.UUID,
    staff_id: uuid.UUID,
    data: ContactPatch,
    now: datetime,
) -> None:
    """Apply the fields given; audited with the names of the fields changed (not values).

    An email that another profile already has is a conflict: the two are the same
    person, and merging them (a manager action) is the way to join them.
    """
    if guest.erased_at is not None:
        raise ConflictError("the guest's personal data has been erased", reason="erased")
    changed: list[str] = []
    if data.email is not None:
        email = normalise_email(str(data.email))
        if email != guest.email:
            taken = await session.scalar(
                select(Guest.id).where(Guest.email == email).where(Guest.id != guest.id)
            )
            if taken is not None:
                raise ConflictError(
                    "another guest profile has this email; merge the two profiles instead",
                    field="email",
                    reason="duplicate_guest",
                )
            guest.email = email
            changed.append("email")
    if data.phone is not None and data.phone != guest.phone:
        guest.phone = data.phone
        changed.append("phone")
    if data.first_name is not None and data.first_name != guest.first_name:
        guest.first_name = data.first_name
        changed.append("first_name")
    if "last_name" in data.model_fields_set and data.last_name != guest.last_name:
        guest.last_name = data.last_name or None
        changed.append("last_name")
    if data.preferred_language is not None and data.preferred_language != guest.preferred_language:
        guest.preferred_language = data.preferred_language
        changed.append("preferred_language")
    guest.search_name = search_name_of(guest.first_name, guest.last_name)
    if changed:
        session.add(
            GuestAudit(
                id=uuid.uuid4(),
                guest_id=guest.id,
                restaurant_id=restaurant_id,
                staff_id=staff_id,
                action="contact_corrected",
                details={"fields": changed},
                created_at=now,
            )
        )
    await session.flush()
