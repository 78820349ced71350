"""Staff notes about a guest: each belongs to the restaurant that wrote it; the sharing
circle reads them, only the writing restaurant changes or deletes them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import GuestNoteType
from models.orm import GuestNote, Restaurant
from models.schemas.guests import NoteIn, NoteOut, NotePatch
from services.crm.visibility import ensure_relationship
from services.errors import NotFoundError


def _out(note: GuestNote, restaurant_name: str | None, *, acting_for: uuid.UUID) -> NoteOut:
    return NoteOut(
        id=note.id,
        guest_id=note.guest_id,
        restaurant_id=note.restaurant_id,
        restaurant_name=restaurant_name,
        author_id=note.author_id,
        body=note.body,
        note_type=GuestNoteType(note.note_type),
        is_alert=note.is_alert,
        created_at=note.created_at,
        updated_at=note.updated_at,
        editable=note.restaurant_id == acting_for,
    )


async def visible_notes(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    circle: frozenset[uuid.UUID],
) -> list[NoteOut]:
    """The notes the circle's restaurants keep about the guest: alerts first, newest first."""
    rows = await session.execute(
        select(GuestNote, Restaurant.name)
        .join(Restaurant, Restaurant.id == GuestNote.restaurant_id)
        .where(GuestNote.guest_id == guest_id)
        .where(GuestNote.restaurant_id.in_(circle))
        .order_by(GuestNote.is_alert.desc(), GuestNote.created_at.desc(), GuestNote.id)
    )
    return [_out(note, name, acting_for=restaurant_id) for note, name in rows]


async def _restaurant_name(session: AsyncSession, restaurant_id: uuid.UUID) -> str | None:
    return await session.scalar(select(Restaurant.name).where(Restaurant.id == restaurant_id))


async def add_note(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    author_id: uuid.UUID,
    data: NoteIn,
    now: datetime,
) -> NoteOut:
    """Keep a note for `restaurant_id` (the caller has checked the circle knows the guest)."""
    await ensure_relationship(session, guest_id=guest_id, restaurant_id=restaurant_id)
    note = GuestNote(
        id=uuid.uuid4(),
        guest_id=guest_id,
        restaurant_id=restaurant_id,
        author_id=author_id,
        body=data.body,
        note_type=data.note_type.value,
        is_alert=data.is_alert,
        created_at=now,
    )
    session.add(note)
    await session.flush()
    return _out(note, await _restaurant_name(session, restaurant_id), acting_for=restaurant_id)


async def _own_note(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID, note_id: uuid.UUID
) -> GuestNote:
    # a sibling's note is read-only even in a sharing group: "not found" to change it
    note = await session.scalar(
        select(GuestNote)
        .where(GuestNote.id == note_id)
        .where(GuestNote.guest_id == guest_id)
        .where(GuestNote.restaurant_id == restaurant_id)
    )
    if note is None:
        raise NotFoundError(f"note {note_id} not found")
    return note


async def update_note(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    note_id: uuid.UUID,
    data: NotePatch,
    now: datetime,
) -> NoteOut:
    """Change one of the restaurant's own notes (only the fields given)."""
    note = await _own_note(session, guest_id=guest_id, restaurant_id=restaurant_id, note_id=note_id)
    if data.body is not None:
        note.body = data.body
    if data.note_type is not None:
        note.note_type = data.note_type.value
    if data.is_alert is not None:
        note.is_alert = data.is_alert
    note.updated_at = now
    await session.flush()
    return _out(note, await _restaurant_name(session, restaurant_id), acting_for=restaurant_id)


async def delete_note(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID, note_id: uuid.UUID
) -> None:
    """Delete one of the restaurant's own notes."""
    note = await _own_note(session, guest_id=guest_id, restaurant_id=restaurant_id, note_id=note_id)
    await session.delete(note)
    await session.flush()
