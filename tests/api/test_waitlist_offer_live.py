"""A cancelled booking's table goes to the waitlist and an accepted offer becomes a booking.

Real activities, a real database and the Temporal dev server: the cancellation's
transition tells the restaurant-day's dispatcher, which holds the table for the
first waiting entry; the guest accepts and the offer's reservation is taken over
by its own ReservationWorkflow (`hold_booking` finds the reservation and carries on).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from models.enums import ReservationSource, ReservationStatus, WaitlistStatus
from models.orm import Guest, Notification, Reservation, RestaurantTable, WaitlistEntry
from models.schemas.waitlist import (
    NotifyRequest,
    OfferAnswer,
    SeatRequest,
    WaitlistInput,
    WaitlistKind,
    dispatcher_workflow_id,
    entry_workflow_id,
)
from reservations.db import transaction
from services.waitlist.entries import create_entry, entry_expires_at
from tests.api.conftest import LiveApi, eventually
from tests.api.test_reservation_lifecycle import (
    BASE,
    booking,
    booking_day,
    payload_bytes,
    restaurant,
)
from workflows.reservation import ReservationWorkflow
from workflows.waitlist import WaitlistWorkflow


@pytest.mark.parametrize("deposit", [False, True], ids=["nothing_due", "deposit_due"])
async def test_a_cancelled_table_is_offered_and_the_accepted_offer_is_booked(
    live: LiveApi, admin: dict[str, str], deposit: bool
) -> None:
    money: dict[str, Any] = (
        {"payment_mode": "deposit", "payment_fixed_minor": 2500} if deposit else {}
    )
    rid = await restaurant(live, admin, tables=1, **money)
    created = await live.client.post(f"{BASE}/reservations", json=booking(rid, at="19:00"))
    assert created.status_code == 201, created.text
    first = created.json()
    day = booking_day()
    now = datetime.now(UTC)
    async with transaction(live.db.sessions) as session:
        guest_email = f"w-{uuid.uuid4().hex[:8]}@example.com"
        guest = Guest(email=guest_email, first_name="Wim")
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

    # exactly as a direct booking: confirmed, or held with a checkout when a deposit is due
    expected = ReservationStatus.HELD if deposit else ReservationStatus.CONFIRMED

    async def booked() -> bool:
        booking_state = await reservation.query(ReservationWorkflow.state)
        return booking_state.status is expected and booking_state.hold is not None

    await eventually(booked, "the accepted offer taken over by its ReservationWorkflow")
    assert (await handle.result()).status is WaitlistStatus.ACCEPTED
    if deposit:
        taken_over = await reservation.query(ReservationWorkflow.state)
        assert taken_over.payment_session is not None
        async with live.db.sessions() as session:
            held = await session.get(Reservation, offer_id)
            assert held is not None and held.deposit_amount_minor == 2500

        async def asked_to_pay() -> list[str]:
            async with live.db.sessions() as session:
                return list(
                    await session.scalars(
                        select(Notification.template).where(Notification.reservation_id == offer_id)
                    )
                )

        assert "deposit_request" in await eventually(asked_to_pay, "the deposit request")
        return

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
    # no personal data in the entry's or the dispatcher's history
    dispatcher = live.env.client.get_workflow_handle(dispatcher_workflow_id(uuid.UUID(rid), day))
    for history_of in (handle, dispatcher):
        history = await history_of.fetch_history()
        stored = b"".join(data for event in history.events for data in payload_bytes(event))
        assert stored  # the payloads were read
        for text in ("Wim", guest_email, "Ann", "ann@example.com"):
            assert text.encode() not in stored, text


async def _walk_in(live: LiveApi, rid: str) -> tuple[uuid.UUID, WorkflowHandle[Any, Any]]:
    now = datetime.now(UTC)
    day = now.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    async with transaction(live.db.sessions) as session:
        guest = Guest(email=f"w-{uuid.uuid4().hex[:8]}@example.com", first_name="Wim")
        session.add(guest)
        await session.flush()
        expires = entry_expires_at(
            kind=WaitlistKind.WALK_IN,
            day=day,
            time_from=None,
            time_to=None,
            timezone="Europe/Amsterdam",
        )
        entry, _ = await create_entry(
            session,
            restaurant_id=uuid.UUID(rid),
            guest_id=guest.id,
            kind=WaitlistKind.WALK_IN,
            day=day,
            time_from=None,
            time_to=None,
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
            kind=WaitlistKind.WALK_IN,
            date=day,
            party_size=2,
            expires_at=expires,
            offer_minutes=2,
        ),
        id=entry_workflow_id(entry_id),
        task_queue=live.task_queue,
    )
    await handle.execute_update(WaitlistWorkflow.create)
    return entry_id, handle


async def test_walk_ins_are_told_their_table_is_ready_and_seated(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=2, all_day=True)
    staff = uuid.uuid4()
    # the first party: staff notify it, its table is held two minutes, then it sits there
    first_id, first = await _walk_in(live, rid)

    async def offered() -> bool:
        state = await first.query(WaitlistWorkflow.state)
        return state.status is WaitlistStatus.OFFERED

    # joining already asked the dispatcher: a free table is offered without staff asking
    await eventually(offered, "a free table offered to the walk-in")
    state = await first.query(WaitlistWorkflow.state)
    assert state.offer is not None
    assert state.offer.expires_at - datetime.now(UTC) <= timedelta(minutes=2)
    seated = await first.execute_update(WaitlistWorkflow.seat, SeatRequest(staff_id=staff))
    assert seated.status is WaitlistStatus.SEATED
    assert seated.reservation_id == state.offer.reservation_id
    # the second party is seated by staff on the tables they choose: the offer's hold moves
    # there (never let go in between) and becomes a seated booking
    second_id, second = await _walk_in(live, rid)
    await eventually(lambda: _status(second, WaitlistStatus.OFFERED), "second offered")
    offer = (await second.query(WaitlistWorkflow.state)).offer
    assert offer is not None
    async with live.db.sessions() as session:
        pinned = await session.scalar(
            select(RestaurantTable.id).where(
                RestaurantTable.restaurant_id == uuid.UUID(rid),
                RestaurantTable.number == offer.table_numbers[0],
            )
        )
    assert pinned is not None
    left = await second.execute_update(
        WaitlistWorkflow.seat, SeatRequest(staff_id=staff, table_ids=[pinned])
    )
    assert left.status is WaitlistStatus.SEATED
    assert left.reservation_id == offer.reservation_id
    for entry_id, reservation_id in (
        (first_id, seated.reservation_id),
        (second_id, left.reservation_id),
    ):
        booking = live.env.client.get_workflow_handle_for(
            ReservationWorkflow.run, f"reservation-{reservation_id}"
        )

        async def is_seated(h: WorkflowHandle[Any, Any] = booking) -> bool:
            return (await h.query(ReservationWorkflow.state)).status is ReservationStatus.SEATED

        await eventually(is_seated, "the walk-in's booking seated")
        async with live.db.sessions() as session:
            row = await session.get(WaitlistEntry, entry_id)
            assert row is not None and row.status is WaitlistStatus.SEATED
            assert row.seated_at is not None and row.reservation_id == reservation_id
    # a third party finds no table: "we will call you", and it keeps waiting
    third_id, third = await _walk_in(live, rid)
    waiting = await third.execute_update(WaitlistWorkflow.notify, NotifyRequest(staff_id=staff))
    assert waiting.status is WaitlistStatus.WAITING

    async def told() -> list[str]:
        async with live.db.sessions() as session:
            return list(
                await session.scalars(
                    select(Notification.template).where(Notification.waitlist_entry_id == third_id)
                )
            )

    assert "waitlist_call_you" in await eventually(told, "we will call you")
    # staff cannot seat it either: both tables are taken (the refusal fails the update only)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await third.execute_update(WaitlistWorkflow.seat, SeatRequest(staff_id=staff))
    assert "NotAvailable" in repr(refused.value.cause)
    assert await _status(third, WaitlistStatus.WAITING)


async def _status(handle: WorkflowHandle[Any, Any], status: WaitlistStatus) -> bool:
    return (await handle.query(WaitlistWorkflow.state)).status is status
