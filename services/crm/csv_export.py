"""A restaurant's guests as CSV: identity, the restaurant's relationship and statistics.

Cells that a spreadsheet would read as a formula are defused with a leading quote.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Guest, GuestRelationship

COLUMNS = (
    "guest_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "preferred_language",
    "is_vip",
    "blocked",
    "blocked_reason",
    "tags",
    "preferred_areas",
    "dietary_restrictions",
    "allergies",
    "bookings",
    "visits",
    "covers",
    "no_shows",
    "cancellations",
    "late_cancellations",
    "first_visit_at",
    "last_visit_at",
    "average_party_size",
    "spend_minor",
)
# what Excel, LibreOffice and Google Sheets start a formula with (OWASP's list)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LIST_SEPARATOR = "; "


def safe_cell(value: object) -> str:
    """The cell as text, prefixed with ' when it would otherwise start a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _row(guest: Guest, rel: GuestRelationship) -> list[str]:
    average = round(rel.covers / rel.visits, 2) if rel.visits else None
    values: list[object] = [
        guest.id,
        guest.first_name,
        guest.last_name,
        guest.email,
        guest.phone,
        guest.preferred_language,
        rel.is_vip,
        rel.blocked_at is not None,
        rel.blocked_reason,
        _LIST_SEPARATOR.join(rel.tags),
        _LIST_SEPARATOR.join(rel.preferred_areas),
        _LIST_SEPARATOR.join(rel.dietary_restrictions),
        _LIST_SEPARATOR.join(rel.allergies),
        rel.bookings,
        rel.visits,
        rel.covers,
        rel.no_shows,
        rel.cancellations,
        rel.late_cancellations,
        rel.first_visit_at.isoformat() if rel.first_visit_at else None,
        rel.last_visit_at.isoformat() if rel.last_visit_at else None,
        average,
        rel.spend_minor,
    ]
    return [safe_cell(v) for v in values]


def to_csv(rows: Iterable[list[str]]) -> str:
    """The header and `rows` as one CSV document."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


async def restaurant_guests_csv(session: AsyncSession, *, restaurant_id: uuid.UUID) -> str:
    """Every guest the restaurant itself has a relationship with (not its group's), by name."""
    result = await session.execute(
        select(Guest, GuestRelationship)
        .join(GuestRelationship, GuestRelationship.guest_id == Guest.id)
        .where(GuestRelationship.restaurant_id == restaurant_id)
        .where(Guest.merged_into_id.is_(None))
        .order_by(Guest.search_name, Guest.id)
    )
    rows = [_row(guest, rel) for guest, rel in result]
    return to_csv(rows)
