"""The booking path's extra cost of webhooks: the event write and the workflow start.

Each reservation activity makes one call inside its transaction (`transition_recorded`
here) and, after the commit, starts one WebhookDelivery workflow per delivery. This
times both on PostgreSQL and the Temporal dev server, against a baseline transaction
that records the same state change without the hook, with 0, 1 and 5 subscribers.
The deliveries themselves run elsewhere (no worker polls the queue here), which is
the point: a slow subscriber costs the booking path nothing beyond these figures.

Run: python -m benchmarks.webhooks [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks import DAY, fresh_database, percentile
from benchmarks.booking_latency import seed, start_dev_server
from models.enums import ReservationStatus
from models.orm import Reservation, WebhookSubscription
from models.schemas.lifecycle import Transition
from reservations.db import create_engine, session_factory, transaction
from rules.state_machine import ReservationAction
from services.webhooks import events
from services.webhooks.subscriptions import new_secret


async def _reservation(
    sessions: async_sessionmaker[AsyncSession], restaurant_id: uuid.UUID, guest_id: uuid.UUID
) -> uuid.UUID:
    starts = datetime.combine(DAY, time(18), tzinfo=UTC)
    async with transaction(sessions) as session:
        reservation = Reservation(
            reference=f"BENCH{uuid.uuid4().hex[:8].upper()}",
            restaurant_id=restaurant_id,
            guest_id=guest_id,
            party_size=2,
            reservation_date=DAY,
            reservation_time=time(19),
            starts_at=starts,
            ends_at=starts + timedelta(minutes=90),
            duration_minutes=90,
            status=ReservationStatus.CONFIRMED,
            currency="EUR",
        )
        session.add(reservation)
    return reservation.id


async def _subscribe(
    sessions: async_sessionmaker[AsyncSession], restaurant_id: uuid.UUID, count: int
) -> None:
    async with transaction(sessions) as session:
        await session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.restaurant_id == restaurant_id)
            .values(is_active=False)
        )
        for n in range(count):
            session.add(
                WebhookSubscription(
                    restaurant_id=restaurant_id,
                    url=f"https://subscriber-{n}.example.com/hooks",
                    events=["reservation.confirmed"],
                    secret=new_secret(),
                )
            )


async def run(rounds: int) -> None:
    env = await start_dev_server()
    try:
        async with fresh_database("webhooks") as url:
            engine = create_engine(url)
            sessions = session_factory(engine)
            try:
                restaurant_id, guest_id = await seed(sessions)
                reservation_id = await _reservation(sessions, restaurant_id, guest_id)
                dispatch = events.Dispatch(task_queue=f"bench-{uuid.uuid4().hex[:8]}")
                transition = Transition(
                    reservation_id=reservation_id,
                    action=ReservationAction.CONFIRM,
                    status=ReservationStatus.CONFIRMED,
                    at=datetime.now(UTC),
                )
                print(
                    "webhook events on the booking path: PostgreSQL, Temporal dev server "
                    f"(start only), {rounds} rounds each"
                )
                # the same transaction without the hook: the state change alone
                base: list[float] = []
                for _ in range(rounds):
                    t0 = clock.perf_counter()
                    async with transaction(sessions) as session:
                        row = await session.get(Reservation, reservation_id, with_for_update=True)
                        assert row is not None
                        row.confirmed_at = datetime.now(UTC)
                    base.append((clock.perf_counter() - t0) * 1000)
                print(
                    f"  {'baseline transaction (no hook)':40s} p50 {percentile(base, 50):6.2f} ms"
                )
                for subscribers in (0, 1, 5):
                    await _subscribe(sessions, restaurant_id, subscribers)
                    write: list[float] = []
                    start: list[float] = []
                    whole: list[float] = []
                    for n in range(rounds):
                        t0 = clock.perf_counter()
                        async with transaction(sessions) as session:
                            row = await session.get(
                                Reservation, reservation_id, with_for_update=True
                            )
                            assert row is not None
                            row.confirmed_at = datetime.now(UTC)
                            t1 = clock.perf_counter()
                            emitted = await events.transition_recorded(
                                session,
                                transition=transition,
                                recorded=True,
                                dispatch=dispatch,
                                key=f"bench/{subscribers}/{n}",
                            )
                            t2 = clock.perf_counter()
                        t3 = clock.perf_counter()
                        await emitted.start(env.client)
                        t4 = clock.perf_counter()
                        assert len(emitted.deliveries) == subscribers
                        write.append((t2 - t1) * 1000)
                        start.append((t4 - t3) * 1000)
                        whole.append((t4 - t0) * 1000)
                    extra = [w - percentile(base, 50) for w in whole]
                    print(
                        f"  {subscribers} subscriber(s): "
                        f"event write p50 {percentile(write, 50):6.2f}"
                        f"  workflow start p50 {percentile(start, 50):6.2f}"
                        f"  extra over baseline p50 {percentile(extra, 50):6.2f}"
                        f"  p90 {percentile(extra, 90):6.2f} ms"
                    )
            finally:
                await engine.dispose()
    finally:
        await env.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.rounds))


if __name__ == "__main__":
    main()
