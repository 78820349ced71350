"""Candidate duplicate profiles for staff to merge (never merged automatically).

A phone number proves nothing: anyone can type someone else's, so a booking is
attached by email only, and two profiles sharing a phone are only *candidates*.
Candidates are pairs of live profiles (not merged, not erased) that the restaurant's
sharing circle knows, with the same E.164 phone, or the same full name and the same
email local part (``ann.smit@a.example`` and ``ann.smit@b.example``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.orm import Guest, GuestRelationship
from services.crm.visibility import sharing_circle

SAME_PHONE = "same_phone"
SAME_NAME_AND_EMAIL_NAME = "same_name_and_email_local_part"


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """Two profiles that may be one person, and why they look alike."""

    first: Guest
    second: Guest
    reason: str


def _local_part(email: str) -> str:
    return email.rsplit("@", 1)[0]


async def candidate_pairs(
    session: AsyncSession, *, restaurant_id: uuid.UUID
) -> list[CandidatePair]:
    """Every candidate pair the restaurant's circle knows, phone matches first."""
    circle = await sharing_circle(session, restaurant_id)
    known = (
        select(GuestRelationship.guest_id)
        .where(GuestRelationship.restaurant_id.in_(circle))
        .distinct()
        .scalar_subquery()
    )
    one, two = aliased(Guest), aliased(Guest)

    def pairs_on(*conditions: object) -> Select[Guest, Guest]:
        return (
            select(one, two)
            .join(two, one.id < two.id)
            .where(*conditions)  # type: ignore[arg-type]
            .where(one.id.in_(known), two.id.in_(known))
            .where(one.merged_into_id.is_(None), two.merged_into_id.is_(None))
            .where(one.erased_at.is_(None), two.erased_at.is_(None))
            .order_by(one.id, two.id)
        )

    found: list[CandidatePair] = []
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    by_phone = await session.execute(pairs_on(one.phone.is_not(None), one.phone == two.phone))
    for a, b in by_phone.all():
        seen.add((a.id, b.id))
        found.append(CandidatePair(a, b, SAME_PHONE))
    by_name = await session.execute(
        pairs_on(one.search_name != "", one.search_name == two.search_name)
    )
    for a, b in by_name.all():
        if (a.id, b.id) not in seen and _local_part(a.email) == _local_part(b.email):
            found.append(CandidatePair(a, b, SAME_NAME_AND_EMAIL_NAME))
    return found
