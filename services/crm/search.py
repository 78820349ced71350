"""Staff search for guests a restaurant's circle knows: by name (substring), email
(prefix) or phone (E.164 digits prefix).

The same SQL runs on both databases. On PostgreSQL the name and email patterns use the
trigram indexes of migration 0010 and the phone prefix a range over its b-tree, so the
answers are the same on SQLite, only faster.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Guest, GuestRelationship
from models.schemas.guests import GuestHitOut
from services.crm.visibility import sharing_circle

# what a phone query may look like: digits with the usual separators
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
MIN_PHONE_DIGITS = 3
_ESCAPE = "\\"


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def normalised_query(q: str) -> str:
    """Lower case with single spaces, as `Guest.search_name` and emails are stored."""
    return " ".join(q.split()).lower()


def phone_digits(q: str) -> str | None:
    """The digits of a phone-like query (international 00 read as +), or None."""
    text = q.strip()
    if not _PHONE_LIKE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and digits.startswith("00"):
        digits = digits[2:]
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def _phone_prefix(prefix: str) -> ColumnElement[bool]:
    """Phones starting `prefix` ("+" and digits): a range the b-tree index can scan, and
    the LIKE that decides (the range alone would depend on the collation)."""
    starts = Guest.phone.like(f"{prefix}%")
    head = prefix.rstrip("9")
    if head == "+":
        return and_(Guest.phone >= prefix, starts)
    # the smallest string above every phone starting `prefix`: "+3129" -> "+313"
    above = head[:-1] + chr(ord(head[-1]) + 1)
    return and_(Guest.phone >= prefix, Guest.phone < above, starts)


def matches(q: str) -> ColumnElement[bool]:
    """The guests `q` finds: name substring, email prefix, phone digits prefix.

    A query of digits and separators only is read as a phone number (or an email's
    start), never as part of a name, which keeps the name index out of phone lookups.
    """
    text = normalised_query(q)
    if not text:
        return false()
    email = Guest.email.like(f"{_escape_like(text)}%", escape=_ESCAPE)
    digits = phone_digits(q)
    if digits is not None:
        # digits and separators only: a phone number (or an email starting so), not a name
        return or_(_phone_prefix(f"+{digits}"), email)
    return or_(Guest.search_name.like(f"%{_escape_like(text)}%", escape=_ESCAPE), email)


def known_matches(circle: frozenset[uuid.UUID], q: str) -> tuple[ColumnElement[bool], ...]:
    """The conditions of a search: `q` matches, the circle knows them, not merged away."""
    known = select(GuestRelationship.guest_id).where(GuestRelationship.restaurant_id.in_(circle))
    return (Guest.merged_into_id.is_(None), Guest.id.in_(known), matches(q))


async def search_guests(
    session: AsyncSession, *, restaurant_id: uuid.UUID, q: str, limit: int, offset: int
) -> tuple[list[GuestHitOut], int]:
    """One page of the guests matching `q` that the restaurant's circle knows, by name."""
    where = known_matches(await sharing_circle(session, restaurant_id), q)
    total = await session.scalar(select(func.count()).select_from(Guest).where(*where))
    rows = await session.execute(
        select(Guest, GuestRelationship)
        .outerjoin(
            GuestRelationship,
            and_(
                GuestRelationship.guest_id == Guest.id,
                GuestRelationship.restaurant_id == restaurant_id,
            ),
        )
        .where(*where)
        .order_by(Guest.search_name, Guest.id)
        .limit(limit)
        .offset(offset)
    )
    hits = [
        GuestHitOut(
            id=guest.id,
            first_name=guest.first_name,
            last_name=guest.last_name,
            email=guest.email,
            phone=guest.phone,
            is_vip=own is not None and own.is_vip,
            blocked=own is not None and own.blocked_at is not None,
            visits=own.visits if own is not None else 0,
            last_visit_at=own.last_visit_at if own is not None else None,
        )
        for guest, own in rows
    ]
    return hits, int(total or 0)
