"""Shared set-up of the privacy tests: restaurants, a guest known to them, links from the outbox."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from models.orm import Guest, GuestNote, GuestRelationship, Notification, Restaurant
from services.guests import search_name_of
from tests.conftest import Database

BASE = "/api/v1/reservations"


@dataclass
class Known:
    guest_id: uuid.UUID
    email: str
    restaurants: list[uuid.UUID]


async def guest_known_to(
    db: Database, *, names: list[str], email: str | None = None, phone: str = "+31687654321"
) -> Known:
    """A guest with a relationship and an alert note at each of the new restaurants `names`."""
    email = email or f"mira.{uuid.uuid4().hex[:8]}@example.org"
    async with db.sessions() as session:
        guest = Guest(
            email=email,
            first_name="Mirabelle",
            last_name="Quastenhof",
            search_name=search_name_of("Mirabelle", "Quastenhof"),
            phone=phone,
        )
        session.add(guest)
        ids = []
        for name in names:
            restaurant = Restaurant(
                name=name, slug=f"r-{uuid.uuid4().hex[:8]}", timezone="UTC", currency="EUR"
            )
            session.add(restaurant)
            await session.flush()
            ids.append(restaurant.id)
            session.add(
                GuestRelationship(
                    guest_id=guest.id,
                    restaurant_id=restaurant.id,
                    is_vip=True,
                    tags=["regular"],
                    preferred_areas=[],
                    dietary_restrictions=[],
                    allergies=["peanuts"],
                    visits=3,
                )
            )
            session.add(
                GuestNote(
                    guest_id=guest.id,
                    restaurant_id=restaurant.id,
                    body=f"{name}: Mirabelle Quastenhof likes the corner table",
                    note_type="preference",
                    is_alert=True,
                )
            )
        await session.commit()
        return Known(guest_id=guest.id, email=email, restaurants=ids)


async def links_sent(db: Database, guest_id: uuid.UUID, template: str) -> list[str]:
    """The tokens of the privacy links queued for the guest, oldest first."""
    async with db.sessions() as session:
        bodies = await session.scalars(
            select(Notification.body)
            .where(Notification.guest_id == guest_id)
            .where(Notification.template == template)
            .order_by(Notification.created_at)
        )
        return [m.group(1) for body in bodies if (m := re.search(r"/privacy/\w+/([\w-]+)", body))]
