"""A cancelled booking's table goes to the waitlist and an accepted offer becomes a booking.

Real activities, a real database and the Temporal dev server: the cancellation's
transition tells the restaurant-day's dispatcher, which holds the table for the
first waiting entry; the guest accepts and the offer's reservation is taken over
by its own ReservationWorkflow (`hold_booking` finds the reservation and carries on).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

from sqlalchemy import select

from models.enums import ReservationSource, ReservationStatus, WaitlistStatus
from models.orm import Guest, Notification, Reservation, WaitlistEntry
from models.schemas.waitlist import (
    OfferAnswer,
    WaitlistInput,
    WaitlistKind,
    entry_workflow_id,
)
from reservations.db import transaction
from services.waitlist.entries import create_entry, entry_expires_at
from tests.api.conftest import LiveApi, eventually
from tests.api.test_reservation_lifecycle import BASE, booking, booking_day, restaurant
from workflows.reservation import ReservationWorkflow
from workflows.waitlist import WaitlistWorkflow


async def test_a_cancelled_table_is_offered_and_the_accepted_offer_is_booked(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=1)
    created = await live.client.post(f"{BASE}/reservations", json=booking(rid, at="19:00"))
    assert created.status_code == 201, created.text
    first = created.json()
    day = booking_day()
    now = datetime.now(UTC)
    async with transaction(live.db.sessions) as session:
        guest = Guest(email=f"w-{uuid.uuid4().hex[:8]}@example.com", first_name="Wim")
        session.add(guest)
        await session.flush()
        expires = entry_expires_at(
            kind=WaitlistKind.FUTURE,
            day=day,
            time_from=time(19, 0),
            time_to=time(19, 0),
            timezone="Europe/Amsterdam",
        )
        entry, _ = await create_entry(
            session,
            restaurant_id=uuid.UUID(rid),
            guest_id=guest.id,
            kind=WaitlistKind.FUTURE,
            day=day,
            time_from=time(19, 0),
            time_to=time(19, 0),
            party_size=2,
            expires_at=expires,
            now=now,
        )
        entry_id = entry.id
    handle = await live.env.client.start_workflow(
        WaitlistWorkflow.run,
        WaitlistInput(
            entry_id=entry_id,
            restaurant_id=uuid.UUID(rid),
            kind=WaitlistKind.FUTURE,
            date=day,
            party_size=2,
            expires_at=expires,
        ),
        id=entry_workflow_id(entry_id),
        task_queue=live.task_queue,
    )
    joined = await handle.execute_update(WaitlistWorkflow.create)
    assert joined.status is WaitlistStatus.WAITING

    cancelled = await live.client.post(
        f"{BASE}/reservations/{first['id']}/cancel", params={"token": first["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text

    async def offered() -> bool:
        state = await handle.query(WaitlistWorkflow.state)
        return state.status is WaitlistStatus.OFFERED

    await eventually(offered, "the freed table offered to the waiting entry")
    state = await handle.query(WaitlistWorkflow.state)
    assert state.offer is not None and state.offer.table_numbers == ["1"]
    offer_id = state.offer.reservation_id
    async with live.db.sessions() as session:
        held = await session.get(Reservation, offer_id)
        assert held is not None
        assert held.status is ReservationStatus.HELD
        assert held.source is ReservationSource.WAITLIST

    accepted = await handle.execute_update(WaitlistWorkflow.accept, OfferAnswer(via="link"))
    assert accepted.status is WaitlistStatus.ACCEPTED and accepted.reservation_id == offer_id
    reservation = live.env.client.get_workflow_handle_for(
        ReservationWorkflow.run, f"reservation-{offer_id}"
    )

    async def booked() -> bool:
        booking_state = await reservation.query(ReservationWorkflow.state)
        return booking_state.status is ReservationStatus.CONFIRMED

    await eventually(booked, "the accepted offer confirmed by its ReservationWorkflow")
    assert (await handle.result()).status is WaitlistStatus.ACCEPTED

    async def confirmation_queued() -> list[str]:
        async with live.db.sessions() as session:
            return list(
                await session.scalars(
                    select(Notification.template).where(Notification.reservation_id == offer_id)
                )
            )

    assert "confirmation" in await eventually(confirmation_queued, "the booking's confirmation")
    async with live.db.sessions() as session:
        row = await session.get(WaitlistEntry, entry_id)
        assert row is not None and row.status is WaitlistStatus.ACCEPTED
        assert row.reservation_id == offer_id
        waitlist_mail = set(
            await session.scalars(
                select(Notification.template).where(Notification.waitlist_entry_id == entry_id)
            )
        )
        assert {"waitlist_joined", "waitlist_offer"} <= waitlist_mail
        confirmed = await session.get(Reservation, offer_id)
        assert confirmed is not None and confirmed.status is ReservationStatus.CONFIRMED
