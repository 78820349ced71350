"""A restaurant's guests as CSV: identity, the restaurant's relationship and statistics.

Cells that a spreadsheet would read as a formula are defused with a leading quote.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


def to_csv(rows: Iterable[list[str]], *, header: bool = True) -> str:
    """`rows` as CSV text, after the header unless told not to."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


EXPORT_PAGE = 500  # guests read per query while an export streams


async def restaurant_guests_csv(
    sessions: async_sessionmaker[AsyncSession], *, restaurant_id: uuid.UUID
) -> AsyncIterator[str]:
    """Every guest the restaurant itself has a relationship with (not its group's), by
    name, as CSV text in pieces: a page of guests per query, each in a short session,
    so a large export holds neither the whole file nor a connection while it is sent."""
    yield to_csv([])
    after: tuple[str, uuid.UUID] | None = None
    while True:
        query = (
            select(Guest, GuestRelationship)
            .join(GuestRelationship, GuestRelationship.guest_id == Guest.id)
            .where(GuestRelationship.restaurant_id == restaurant_id)
            .where(Guest.merged_into_id.is_(None))
            .order_by(Guest.search_name, Guest.id)
            .limit(EXPORT_PAGE)
        )
        if after is not None:
            query = query.where(tuple_(Guest.search_name, Guest.id) > after)
        async with sessions() as session:
            page = (await session.execute(query)).all()
        if not page:
            return
        yield to_csv((_row(guest, rel) for guest, rel in page), header=False)
        last = page[-1][0]
        after = (last.search_name, last.id)
        if len(page) < EXPORT_PAGE:
            return
