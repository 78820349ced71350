"""The SQL invariant checks find what they promise to find: each is shown a healthy
database (no rows) and then the breakage it exists for (negative controls)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text
from typer.testing import CliRunner

from models.enums import (
    AllocationStatus,
    DepositStatus,
    PaymentKind,
    PaymentState,
    ReservationStatus,
)
from models.orm import Guest, Payment, Reservation, Restaurant, RestaurantTable, TableAllocation
from reservations.cli import app
from services.ops.invariants import CHECKS, check_invariants
from tests.conftest import Database

runner = CliRunner()
STARTS = datetime(2031, 3, 5, 18, 0, tzinfo=UTC)


class Floor:
    """One restaurant with one table and one guest, and builders of bookings on it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.restaurant_id = uuid.uuid4()
        self.table_id = uuid.uuid4()
        self.guest_id = uuid.uuid4()
        self.count = 0

    async def create(self) -> None:
        async with self.db.sessions() as session, session.begin():
            session.add(Restaurant(id=self.restaurant_id, name="Checks", slug="checks",
                                   timezone="Europe/Amsterdam", currency="EUR"))  # fmt: skip
            await session.flush()
            session.add(RestaurantTable(id=self.table_id, restaurant_id=self.restaurant_id,
                                        number="1", min_capacity=1, max_capacity=4))  # fmt: skip
            session.add(Guest(id=self.guest_id, email="checks@example.com", first_name="C"))

    async def booking(
        self,
        *,
        status: ReservationStatus = ReservationStatus.CONFIRMED,
        allocation: AllocationStatus | None = AllocationStatus.BOOKED,
        offset_minutes: int = 0,
        deposit: DepositStatus = DepositStatus.NOT_REQUIRED,
    ) -> uuid.UUID:
        """A reservation on the table at STARTS + offset for 90 minutes."""
        self.count += 1
        starts = STARTS + timedelta(minutes=offset_minutes)
        rid = uuid.uuid4()
        async with self.db.sessions() as session, session.begin():
            session.add(
                Reservation(
                    id=rid, reference=f"RES-2031-{self.count:06d}",
                    restaurant_id=self.restaurant_id, guest_id=self.guest_id, party_size=2,
                    reservation_date=date(2031, 3, 5), reservation_time=time(19),
                    starts_at=starts, ends_at=starts + timedelta(minutes=90),
                    duration_minutes=90, status=status, currency="EUR", deposit_status=deposit,
                )
            )  # fmt: skip
            await session.flush()
            if allocation is not None:
                session.add(
                    TableAllocation(
                        reservation_id=rid, restaurant_id=self.restaurant_id,
                        table_id=self.table_id, starts_at=starts,
                        ends_at=starts + timedelta(minutes=90), covers=2, status=allocation,
                        created_at=datetime.now(UTC),
                    )
                )  # fmt: skip
        return rid

    async def payment(
        self, reservation_id: uuid.UUID, kind: PaymentKind, amount: int = 2500
    ) -> None:
        async with self.db.sessions() as session, session.begin():
            session.add(
                Payment(
                    reservation_id=reservation_id, provider="local", kind=kind,
                    amount_minor=amount, currency="EUR", status=PaymentState.SUCCEEDED,
                    idempotency_key=uuid.uuid4().hex, psp_reference=uuid.uuid4().hex[:16],
                )
            )  # fmt: skip

    async def failing(self) -> set[str]:
        """The names of the checks that find offending rows."""
        async with self.db.sessions() as session:
            return {r.check.name for r in await check_invariants(session) if not r.ok}


async def floor_of(db: Database) -> Floor:
    floor = Floor(db)
    await floor.create()
    return floor


async def test_a_healthy_database_passes_every_check(db: Database) -> None:
    floor = await floor_of(db)
    await floor.booking()
    await floor.booking(offset_minutes=90)  # back to back: touching, not overlapping
    await floor.booking(offset_minutes=30, status=ReservationStatus.CANCELLED_BY_GUEST,
                        allocation=AllocationStatus.RELEASED)  # fmt: skip
    paid = await floor.booking(offset_minutes=180, deposit=DepositStatus.PAID)
    await floor.payment(paid, PaymentKind.DEPOSIT)
    refunded = await floor.booking(
        offset_minutes=200, status=ReservationStatus.CANCELLED_BY_GUEST,
        allocation=AllocationStatus.RELEASED, deposit=DepositStatus.REFUNDED,
    )  # fmt: skip
    await floor.payment(refunded, PaymentKind.DEPOSIT)
    await floor.payment(refunded, PaymentKind.REFUND)
    assert await floor.failing() == set()


async def test_overlapping_blocks_on_one_table_are_found(db: Database) -> None:
    floor = await floor_of(db)
    if db.kind == "postgres":
        # the database itself refuses the overlap: lift its guard in this scratch database
        async with db.engine.begin() as conn:
            await conn.execute(text("ALTER TABLE table_allocations "
                                    "DROP CONSTRAINT ex_table_allocations_no_overlap"))  # fmt: skip
    await floor.booking()
    await floor.booking(offset_minutes=45, status=ReservationStatus.HELD,
                        allocation=AllocationStatus.HELD)  # fmt: skip
    assert await floor.failing() == {"no_overlapping_blocks"}


async def test_a_cancelled_booking_still_holding_its_table_is_found(db: Database) -> None:
    floor = await floor_of(db)
    await floor.booking(status=ReservationStatus.CANCELLED_BY_RESTAURANT)
    assert await floor.failing() == {"ended_bookings_hold_no_tables"}


async def test_a_confirmed_booking_without_a_table_is_found(db: Database) -> None:
    floor = await floor_of(db)
    await floor.booking(allocation=AllocationStatus.RELEASED)
    assert await floor.failing() == {"live_bookings_hold_tables"}


async def test_an_orphan_deposit_is_found_until_it_is_refunded(db: Database) -> None:
    floor = await floor_of(db)
    cancelled = await floor.booking(
        status=ReservationStatus.CANCELLED_BY_GUEST, allocation=AllocationStatus.RELEASED,
        deposit=DepositStatus.PAID,
    )  # fmt: skip
    await floor.payment(cancelled, PaymentKind.DEPOSIT)
    assert await floor.failing() == {"paid_deposits_held_or_refunded"}
    await floor.payment(cancelled, PaymentKind.REFUND)
    assert await floor.failing() == set()


async def test_a_live_booking_that_does_not_know_it_was_paid_is_found(db: Database) -> None:
    floor = await floor_of(db)
    unaware = await floor.booking(deposit=DepositStatus.PENDING)
    await floor.payment(unaware, PaymentKind.DEPOSIT)
    assert await floor.failing() == {"paid_deposits_held_or_refunded"}


async def test_money_moved_twice_is_found(db: Database) -> None:
    floor = await floor_of(db)
    twice = await floor.booking(deposit=DepositStatus.PAID)
    await floor.payment(twice, PaymentKind.DEPOSIT)
    await floor.payment(twice, PaymentKind.DEPOSIT)
    assert await floor.failing() == {"deposits_taken_once"}
    # the second payment refunded (a guest who paid in two tabs): one deposit kept
    await floor.payment(twice, PaymentKind.REFUND)
    assert await floor.failing() == set()
    # a third, kept: two deposits' worth held
    await floor.payment(twice, PaymentKind.DEPOSIT)
    assert await floor.failing() == {"deposits_taken_once"}
    await floor.payment(twice, PaymentKind.REFUND)

    over = await floor.booking(
        offset_minutes=120, status=ReservationStatus.CANCELLED_BY_GUEST,
        allocation=AllocationStatus.RELEASED, deposit=DepositStatus.REFUNDED,
    )  # fmt: skip
    await floor.payment(over, PaymentKind.DEPOSIT)
    await floor.payment(over, PaymentKind.REFUND)
    await floor.payment(over, PaymentKind.REFUND)
    assert await floor.failing() == {"refunds_within_deposits"}


async def test_the_cli_reports_each_check_and_fails_on_a_broken_one(db: Database) -> None:
    floor = await floor_of(db)
    await floor.booking()
    env = {"DATABASE_URL": db.url, "JWT_SECRET": "c" * 48}
    healthy = await asyncio.to_thread(runner.invoke, app, ["check-invariants"], env=env)
    assert healthy.exit_code == 0, healthy.output
    assert healthy.output.count("ok ") == len(CHECKS)

    await floor.booking(status=ReservationStatus.CANCELLED_BY_GUEST, offset_minutes=200)
    broken = await asyncio.to_thread(runner.invoke, app, ["check-invariants"], env=env)
    assert broken.exit_code == 1
    assert "FAIL  ended_bookings_hold_no_tables: 1 rows" in broken.output
