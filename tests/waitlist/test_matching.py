"""Matching and offers on both databases: first come first served, real holds, one offer per capacity."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from models.enums import (
    AllocationStatus,
    DepositStatus,
    PaymentMode,
    ReservationSource,
    ReservationStatus,
    WaitlistStatus,
)
from models.orm import Reservation, TableAllocation
from models.schemas.waitlist import WaitlistKind
from services.errors import ConflictError, InvalidError
from services.waitlist import matching, offers
from services.waitlist.entries import create_entry, list_entries, validate_join
from tests.allocation.helpers import DAY, NOW, Db, make_guest, make_restaurant, overlapping_pairs
from tests.waitlist.helpers import book, cancel, join, offers_per_entry, status_of


async def test_a_freed_table_is_offered_once_to_the_first_entry_that_fits(db: Db) -> None:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=1, capacity=2)
        rid = restaurant.id
        booked = await book(session, restaurant_id=rid, guest_id=(await make_guest(session)).id)
        # joined first, but no table seats six: the next in line gets the offer
        big = await join(session, restaurant_id=rid, guest_id=(await make_guest(session)).id,
                         order=1, party_size=6)  # fmt: skip
        a = await join(session, restaurant_id=rid, guest_id=(await make_guest(session)).id, order=2)
        b = await join(session, restaurant_id=rid, guest_id=(await make_guest(session)).id, order=3)
        assert await matching.match_waitlist(session, restaurant_id=rid, day=DAY, now=NOW) == []

    async with db.sessions() as session, session.begin():
        await cancel(session, booked)
        made = await matching.match_waitlist(session, restaurant_id=rid, day=DAY, now=NOW)
    assert [m.entry_id for m in made] == [a.id]
    offer = made[0].facts
    assert offer.table_numbers == ["1"]
    assert offer.expires_at == NOW + timedelta(minutes=10)

    async with db.sessions() as session, session.begin():
        held = await session.get(Reservation, offer.reservation_id)
        assert held is not None
        assert held.status is ReservationStatus.HELD
        assert held.source is ReservationSource.WAITLIST
        rows = list(
            await session.scalars(
                select(TableAllocation).where(TableAllocation.reservation_id == held.id)
            )
        )
        assert [r.status for r in rows] == [AllocationStatus.HELD]
        assert await status_of(session, a.id) is WaitlistStatus.OFFERED
        # matching again offers the held capacity to nobody else (A's offer is listed again)
        again = await matching.match_waitlist(session, restaurant_id=rid, day=DAY, now=NOW)
        assert [m.facts.offer_id for m in again] == [offer.offer_id]
        assert await status_of(session, b.id) is WaitlistStatus.WAITING
        assert await status_of(session, big.id) is WaitlistStatus.WAITING

    # A declines: the hold is released and the capacity goes to B
    async with db.sessions() as session, session.begin():
        released = await offers.release_offer(
            session, reservation_id=offer.reservation_id, reason="declined", now=NOW
        )
        assert released is not None
        await offers.record_status(session, entry_id=a.id, status=WaitlistStatus.CANCELLED, at=NOW)
        made = await matching.match_waitlist(session, restaurant_id=rid, day=DAY, now=NOW)
    assert [m.entry_id for m in made] == [b.id]

    # B accepts: with nothing to pay the booking is confirmed and its tables booked
    async with db.sessions() as session, session.begin():
        booking = await offers.accept_offer(
            session,
            entry_id=b.id,
            reservation_id=made[0].facts.reservation_id,
            now=NOW + timedelta(minutes=5),
            hold_minutes=15,
        )
        assert booking.status is ReservationStatus.CONFIRMED
        assert await status_of(session, b.id) is WaitlistStatus.ACCEPTED
        statuses = set(
            await session.scalars(
                select(TableAllocation.status).where(TableAllocation.reservation_id == booking.id)
            )
        )
        assert statuses == {AllocationStatus.BOOKED}
        assert await overlapping_pairs(session) == 0 if db.kind == "postgres" else True
        assert set((await offers_per_entry(session)).values()) == {1}


async def test_an_accept_after_the_offer_expired_is_refused(db: Db) -> None:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=1, capacity=2)
        a = await join(
            session, restaurant_id=restaurant.id, guest_id=(await make_guest(session)).id, order=1
        )
        made = await matching.match_waitlist(session, restaurant_id=restaurant.id, day=DAY, now=NOW)
    (offer,) = made
    with pytest.raises(ConflictError) as refused:
        async with db.sessions() as session, session.begin():
            await offers.accept_offer(
                session,
                entry_id=a.id,
                reservation_id=offer.facts.reservation_id,
                now=offer.facts.expires_at + timedelta(seconds=1),
                hold_minutes=15,
            )
    assert refused.value.reason == "offer_expired"
    # an expired hold blocks nothing: the next match may offer the table again
    async with db.sessions() as session, session.begin():
        held = await session.get(Reservation, offer.facts.reservation_id)
        assert held is not None and held.status is ReservationStatus.HELD


async def test_a_guest_with_a_booking_that_day_is_not_offered_another(db: Db) -> None:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=2, capacity=2)
        guest = await make_guest(session)
        await book(session, restaurant_id=restaurant.id, guest_id=guest.id, at=time(17, 0))
        mine = await join(session, restaurant_id=restaurant.id, guest_id=guest.id, order=1)
        other = await join(
            session, restaurant_id=restaurant.id, guest_id=(await make_guest(session)).id, order=2
        )
        made = await matching.match_waitlist(session, restaurant_id=restaurant.id, day=DAY, now=NOW)
        assert [m.entry_id for m in made] == [other.id]
        assert await status_of(session, mine.id) is WaitlistStatus.WAITING


async def test_joining_is_idempotent_and_listed_in_order(db: Db) -> None:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=1)
        guest = await make_guest(session)
        first = await join(session, restaurant_id=restaurant.id, guest_id=guest.id, order=1)
        again, created = await create_entry(
            session,
            restaurant_id=restaurant.id,
            guest_id=guest.id,
            kind=WaitlistKind.FUTURE,
            day=DAY,
            time_from=time(19, 0),
            time_to=time(19, 0),
            party_size=2,
            expires_at=NOW + timedelta(days=3),
            now=NOW,
        )
        assert not created and again.id == first.id
        second = await join(
            session, restaurant_id=restaurant.id, guest_id=(await make_guest(session)).id, order=2
        )
        page, total = await list_entries(session, restaurant_id=restaurant.id, day=DAY, limit=1)
        assert total == 2 and [e.id for e in page] == [first.id]
        page, _ = await list_entries(session, restaurant_id=restaurant.id, limit=1, offset=1)
        assert [e.id for e in page] == [second.id]


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"party_size": 30}, "party_size", "party_too_large"),
        ({"time_from": time(10, 0), "time_to": time(11, 0)}, "time_from", None),
        ({"day": DAY - timedelta(days=30)}, "date", "in_the_past"),
    ],
)
async def test_joining_is_refused_when_waiting_could_never_succeed(
    db: Db, changes: dict[str, object], field: str, reason: str | None
) -> None:
    args: dict[str, object] = {
        "day": DAY, "time_from": time(19, 0), "time_to": time(20, 0), "party_size": 2,
    }  # fmt: skip
    args.update(changes)
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=1)
        with pytest.raises(InvalidError) as refused:
            await validate_join(
                session,
                restaurant_id=restaurant.id,
                seating_area=None,
                now=NOW,
                **args,  # type: ignore[arg-type]
            )
    assert refused.value.field == field
    if reason is not None:
        assert refused.value.reason == reason


async def test_a_full_day_is_what_the_waitlist_is_for(db: Db) -> None:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=1)
        await book(session, restaurant_id=restaurant.id, guest_id=(await make_guest(session)).id)
        await validate_join(
            session,
            restaurant_id=restaurant.id,
            day=DAY,
            time_from=time(19, 0),
            time_to=time(19, 0),
            party_size=2,
            seating_area=None,
            now=NOW,
        )


async def test_an_accepted_offer_with_a_deposit_due_stays_held_with_a_fresh_hold(db: Db) -> None:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=1, capacity=2)
        restaurant.payment_mode = PaymentMode.DEPOSIT
        restaurant.payment_fixed_minor = 2500
        a = await join(
            session, restaurant_id=restaurant.id, guest_id=(await make_guest(session)).id, order=1
        )
        (made,) = await matching.match_waitlist(
            session, restaurant_id=restaurant.id, day=DAY, now=NOW
        )
    accepted_at = NOW + timedelta(minutes=9)
    async with db.sessions() as session, session.begin():
        booking = await offers.accept_offer(
            session,
            entry_id=a.id,
            reservation_id=made.facts.reservation_id,
            now=accepted_at,
            hold_minutes=15,
        )
        # exactly as a direct booking with a deposit: held until the guest pays
        assert booking.status is ReservationStatus.HELD
        assert booking.deposit_status is DepositStatus.PENDING
        assert booking.deposit_amount_minor == 2500
        assert booking.hold_expires_at == accepted_at + timedelta(minutes=15)
        expiries = set(
            await session.scalars(
                select(TableAllocation.hold_expires_at).where(
                    TableAllocation.reservation_id == booking.id
                )
            )
        )
        assert expiries == {accepted_at + timedelta(minutes=15)}
        assert await status_of(session, a.id) is WaitlistStatus.ACCEPTED


async def test_an_ended_entry_keeps_its_end_when_a_late_status_arrives(db: Db) -> None:
    # the dispatcher's clean-up for an offer whose entry already finished writes EXPIRED
    async with db.sessions() as session, session.begin():
        rid = (await make_restaurant(session)).id
        guest = (await make_guest(session)).id
        entry = await join(session, restaurant_id=rid, guest_id=guest, order=1)
        await offers.record_status(session, entry_id=entry.id, status=WaitlistStatus.SEATED, at=NOW)
        await offers.record_status(
            session, entry_id=entry.id, status=WaitlistStatus.EXPIRED, at=NOW + timedelta(minutes=1)
        )
        assert await status_of(session, entry.id) is WaitlistStatus.SEATED
        await offers.record_status(
            session, entry_id=entry.id, status=WaitlistStatus.CANCELLED, at=NOW
        )
        assert await status_of(session, entry.id) is WaitlistStatus.SEATED
