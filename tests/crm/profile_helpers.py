"""Building blocks for the staff CRM tests: restaurants and groups made over HTTP,
guests and their history inserted with the ORM (only the CRM side matters there)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import ReservationStatus, StaffRole
from models.orm import GuestNote, Reservation
from models.schemas.reservation import GuestIn
from services.crm.visibility import ensure_relationship
from services.guests import upsert_guest
from tests.conftest import Api

BASE = "/api/v1/reservations"


async def make_restaurant(api: Api, admin: dict[str, str], name: str) -> uuid.UUID:
    """A restaurant created by an admin over HTTP."""
    body = {
        "name": f"{name} {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
    }
    response = await api.client.post(f"{BASE}/restaurants", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def make_group(
    api: Api, admin: dict[str, str], *, shares: bool, members: list[uuid.UUID]
) -> uuid.UUID:
    """A restaurant group with `members`, made over HTTP."""
    created = await api.client.post(
        f"{BASE}/restaurant-groups",
        json={"name": f"Group {uuid.uuid4().hex[:6]}", "shares_guest_profiles": shares},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    group_id = created.json()["id"]
    for restaurant_id in members:
        joined = await api.client.put(
            f"{BASE}/restaurants/{restaurant_id}/group",
            json={"group_id": group_id},
            headers=admin,
        )
        assert joined.status_code == 200, joined.text
    return uuid.UUID(group_id)


async def make_guest(
    sessions: async_sessionmaker[AsyncSession],
    *,
    known_at: list[uuid.UUID],
    email: str | None = None,
    first_name: str = "Ann",
    last_name: str | None = "Smit",
    phone: str | None = None,
) -> uuid.UUID:
    """A guest with a relationship at each of `known_at` (as a first booking leaves one)."""
    async with sessions() as session:
        guest = await upsert_guest(
            session,
            data=GuestIn(
                email=email or f"guest-{uuid.uuid4().hex[:10]}@example.com",
                first_name=first_name,
                last_name=last_name,
                phone=phone,
            ),
        )
        for restaurant_id in known_at:
            await ensure_relationship(session, guest_id=guest.id, restaurant_id=restaurant_id)
        await session.commit()
        return guest.id


async def add_note(
    sessions: async_sessionmaker[AsyncSession],
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    body: str,
    is_alert: bool = False,
) -> uuid.UUID:
    """A note kept by `restaurant_id`, inserted directly."""
    async with sessions() as session:
        note = GuestNote(
            id=uuid.uuid4(),
            guest_id=guest_id,
            restaurant_id=restaurant_id,
            body=body,
            note_type="general",
            is_alert=is_alert,
            created_at=datetime.now(UTC),
        )
        session.add(note)
        await session.commit()
        return note.id


async def add_reservations(
    sessions: async_sessionmaker[AsyncSession],
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    count: int,
    first_day: date = date(2031, 1, 1),
    status: ReservationStatus = ReservationStatus.COMPLETED,
) -> list[uuid.UUID]:
    """`count` past reservations of the guest at the restaurant, one a day from `first_day`."""
    ids: list[uuid.UUID] = []
    async with sessions() as session:
        for n in range(count):
            day = first_day + timedelta(days=n)
            starts = datetime.combine(day, time(18), UTC)
            reservation = Reservation(
                id=uuid.uuid4(),
                reference=f"RES-{uuid.uuid4().hex[:16]}",
                restaurant_id=restaurant_id,
                guest_id=guest_id,
                party_size=2,
                reservation_date=day,
                reservation_time=time(19),
                starts_at=starts,
                ends_at=starts + timedelta(minutes=90),
                duration_minutes=90,
                status=status,
                currency="EUR",
            )
            session.add(reservation)
            ids.append(reservation.id)
        await session.commit()
    return ids


@dataclass
class World:
    """Two groups and a lone restaurant, a guest known at A1 and B1, and their staff.

    Group S shares profiles (A1, A2); group N does not (B1, B2); C is in no group.
    """

    admin: dict[str, str]
    a1: uuid.UUID
    a2: uuid.UUID
    b1: uuid.UUID
    b2: uuid.UUID
    c: uuid.UUID
    guest: uuid.UUID
    a1_note: uuid.UUID
    b1_note: uuid.UUID
    staff: dict[str, dict[str, str]]

    def auth(self, who: str) -> dict[str, str]:
        return self.staff[who]


async def build_world(api: Api, admin: dict[str, str]) -> World:
    a1, a2, b1, b2, c = [
        await make_restaurant(api, admin, name) for name in ("A1", "A2", "B1", "B2", "C")
    ]
    await make_group(api, admin, shares=True, members=[a1, a2])
    await make_group(api, admin, shares=False, members=[b1, b2])
    guest = await make_guest(
        api.db.sessions,
        known_at=[a1, b1],
        email="ann.smit@example.com",
        phone="+31612345678",
    )
    a1_note = await add_note(
        api.db.sessions, guest_id=guest, restaurant_id=a1, body="A1: peanut allergy", is_alert=True
    )
    b1_note = await add_note(
        api.db.sessions, guest_id=guest, restaurant_id=b1, body="B1: likes the window"
    )
    staff: dict[str, dict[str, str]] = {}
    for name, restaurant in (("a1", a1), ("a2", a2), ("b1", b1), ("b2", b2), ("c", c)):
        staff[f"host_{name}"] = await api.token_for(StaffRole.HOST, [restaurant])
        staff[f"manager_{name}"] = await api.token_for(StaffRole.MANAGER, [restaurant])
    return World(
        admin=admin,
        a1=a1,
        a2=a2,
        b1=b1,
        b2=b2,
        c=c,
        guest=guest,
        a1_note=a1_note,
        b1_note=b1_note,
        staff=staff,
    )


def guest_url(guest_id: uuid.UUID, tail: str = "") -> str:
    return f"{BASE}/guests/{guest_id}{tail}"


def problem_field(response: Any) -> str | None:
    """The field a problem+json answer names."""
    body: dict[str, Any] = response.json()
    field = body.get("field")
    return str(field) if field is not None else None
