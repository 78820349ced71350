"""Payment rows under two attempts of one money activity at once (PostgreSQL).

Temporal starts another attempt when one outlives its timeout; both may reach the
row's INSERT before either commits. The second must find the first's row (the same
idempotency key is the same movement), not fail as a conflict that counts the refund
as refused.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from models.orm import Payment
from models.schemas.lifecycle import MoneyMove
from services import payments
from tests.allocation.helpers import Db, make_guest, make_reservation, make_restaurant


async def test_two_attempts_of_one_refund_share_its_row(pg_db: Db) -> None:
    async with pg_db.sessions.begin() as session:
        restaurant = await make_restaurant(session)
        guest = await make_guest(session)
        reservation_id = await make_reservation(
            session, restaurant_id=restaurant.id, guest_id=guest.id
        )
    move = MoneyMove(
        reservation_id=reservation_id,
        kind="refund",
        key=f"{reservation_id}:refund:PSP-1",
        amount_minor=2500,
        currency="EUR",
        payment_psp_reference="PSP-1",
    )
    first = pg_db.sessions()
    second = pg_db.sessions()
    try:
        await first.begin()
        mine = await payments.move_payment(first, move, provider="adyen")
        # the other attempt's INSERT waits on the first's uncommitted row
        other = asyncio.create_task(payments.move_payment(second, move, provider="adyen"))
        await asyncio.sleep(0.3)
        assert not other.done()
        await first.commit()
        theirs = await asyncio.wait_for(other, 10)
        await second.commit()
    finally:
        await first.close()
        await second.close()
    assert theirs.id == mine.id
    async with pg_db.sessions() as session:
        rows = await session.scalar(
            select(func.count()).select_from(Payment).where(Payment.idempotency_key == move.key)
        )
    assert rows == 1
