"""What the host must know when a guest's booking comes up: alert notes, allergies, VIP.

Read as the reservation's restaurant sees the guest (its sharing circle), for a whole
page of reservations in a fixed number of queries, never one per reservation.
Staff answers only: guest, partner and Google answers never carry them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import GuestNoteType
from models.orm import GuestNote, GuestRelationship, Reservation
from services.crm.visibility import sharing_circle


@dataclass(frozen=True, slots=True)
class GuestAlert:
    """One thing to tell the host: an alert note, an allergy note or a recorded allergy."""

    kind: str  # "note" (an alert or allergy note) or "allergy" (from the relationship)
    note_type: str | None
    text: str
    restaurant_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class GuestFlags:
    """A booking's guest as the host sees them."""

    alerts: tuple[GuestAlert, ...] = ()
    vip: bool = False


NO_FLAGS = GuestFlags()


async def flags_by_reservation(
    session: AsyncSession, *, restaurant_id: uuid.UUID, reservation_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, GuestFlags]:
    """Each reservation's guest flags, as `restaurant_id`'s staff may see them."""
    if not reservation_ids:
        return {}
    ids = list(reservation_ids)
    circle = await sharing_circle(session, restaurant_id)
    guest_of = dict(
        (
            await session.execute(
                select(Reservation.id, Reservation.guest_id).where(Reservation.id.in_(ids))
            )
        ).all()
    )
    guests = set(guest_of.values())
    notes = await session.scalars(
        select(GuestNote)
        .where(GuestNote.guest_id.in_(guests), GuestNote.restaurant_id.in_(circle))
        .where(or_(GuestNote.is_alert.is_(True), GuestNote.note_type == GuestNoteType.ALLERGY))
        .order_by(GuestNote.created_at, GuestNote.id)
    )
    alerts: dict[uuid.UUID, list[GuestAlert]] = defaultdict(list)
    for note in notes:
        assert note.restaurant_id is not None
        alerts[note.guest_id].append(
            GuestAlert("note", note.note_type, note.body, note.restaurant_id)
        )
    relationships = await session.scalars(
        select(GuestRelationship)
        .where(GuestRelationship.guest_id.in_(guests), GuestRelationship.restaurant_id.in_(circle))
        .order_by(GuestRelationship.restaurant_id)
    )
    vip: set[uuid.UUID] = set()
    for rel in relationships:
        if rel.restaurant_id == restaurant_id and rel.is_vip:
            vip.add(rel.guest_id)
        for allergy in rel.allergies or []:
            alerts[rel.guest_id].append(GuestAlert("allergy", None, allergy, rel.restaurant_id))
    return {
        rid: GuestFlags(tuple(alerts.get(gid, ())), gid in vip) for rid, gid in guest_of.items()
    }
