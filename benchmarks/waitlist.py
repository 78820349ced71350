"""The waitlist end to end: how fast a cancellation becomes an offer, and how much of a
cancelled evening the waitlist fills again.

The API runs under uvicorn in its own process; the Temporal dev server runs beside it
and the worker in this process, on PostgreSQL (and Redis unless BENCH_REDIS_URL= is
empty). Everything a guest does goes over HTTP: book, join the waitlist, cancel,
accept or decline. The benchmark reads the database only to see when things happened.

1. Latency. A restaurant with one table; on each of `--rounds` days a booking fills
   the table at 19:00 and a guest joins the waitlist for 18:30-19:30. The clock starts
   when the cancel POST is sent and stops when the entry is `offered` (the dispatcher
   held the table for it) and when the offer message's outbox row is `sent`.
2. A simulated evening. A restaurant of `--tables` tables (half two-tops, half
   four-tops) is booked full for dinner; `--waiting` guests join its waitlist with
   random windows and party sizes; then `--cancel` of the bookings are cancelled at
   random moments over `--spread` seconds. Each offered guest answers after 0.2-2 s:
   yes with probability `--accept`, otherwise no. When everything has settled: the
   share of freed covers refilled = covers booked through accepted offers / covers of
   the cancelled bookings (above 100 % when a bigger party takes a table a smaller
   one left), the share of freed seats filled (/ the seats of the cancelled bookings'
   tables) and the share of cancelled bookings replaced.

Run: python -m benchmarks.waitlist [--rounds 40] [--tables 16] [--waiting 40]
     [--cancel 0.25] [--spread 20] [--accept 0.75] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time as clock
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks import ZONE, fresh_database, percentile
from benchmarks.booking_latency import (
    JWT_SECRET,
    REDIS_URL,
    start_api,
    start_dev_server,
    wait_healthy,
)
from benchmarks.in_process_workers import InProcessWorkers
from models.enums import NotificationStatus, WaitlistStatus
from models.orm import Notification, WaitlistEntry
from models.schemas.floor import TableCreate
from models.schemas.restaurant import BookingSettings, RestaurantCreate, ServiceHours
from reservations.cache import MemoryCache, create_cache
from reservations.db import create_engine, session_factory
from reservations.logging import configure_logging
from reservations.settings import Settings
from services.floor import create_table
from services.restaurants import create_restaurant
from worker.deps import WorkerDeps

BASE = "/api/v1/reservations"
SENT = (NotificationStatus.SENT, NotificationStatus.DELIVERED)
DINNER = [time(17, 0), time(18, 45), time(20, 30)]  # three 90-minute turns a table


async def seed_restaurant(
    sessions: async_sessionmaker[AsyncSession], name: str, capacities: list[int]
) -> uuid.UUID:
    """A restaurant open for dinner every day, bookable two years ahead with no notice."""
    async with sessions() as session, session.begin():
        restaurant = await create_restaurant(
            session,
            data=RestaurantCreate(
                name=name,
                timezone=ZONE,
                currency="EUR",
                settings=BookingSettings(
                    min_notice_minutes=0, advance_booking_days=730, default_seating_minutes=90
                ),
                services=[
                    ServiceHours(
                        weekday=d,
                        opens_at=time(17),
                        closes_at=time(23),
                        last_seating_at=time(21, 30),
                    )
                    for d in range(7)
                ],
            ),
        )
        for i, capacity in enumerate(capacities):
            await create_table(
                session,
                restaurant_id=restaurant.id,
                data=TableCreate(number=str(i + 1), min_capacity=1, max_capacity=capacity),
            )
    return restaurant.id


def guest(n: int | str) -> dict[str, Any]:
    return {"email": f"guest-{n}@example.com", "first_name": "Bench", "phone": "+31612345678"}


async def book(
    http: httpx.AsyncClient, rid: uuid.UUID, day: date, at: time, party: int
) -> dict[str, Any] | None:
    """A booking over HTTP; None when refused (the slot is full)."""
    key = uuid.uuid4().hex
    r = await http.post(
        f"{BASE}/reservations",
        headers={"Idempotency-Key": key},
        json={
            "restaurant_id": str(rid),
            "date": day.isoformat(),
            "time": at.strftime("%H:%M"),
            "party_size": party,
            "guest": guest(key[:12]),
        },
    )
    if r.status_code == 409:
        return None
    r.raise_for_status()
    body: dict[str, Any] = r.json()
    return body


async def join(
    http: httpx.AsyncClient,
    rid: uuid.UUID,
    day: date,
    window: tuple[time, time],
    party: int,
    who: int | str,
) -> dict[str, Any]:
    r = await http.post(
        f"{BASE}/waitlist",
        json={
            "restaurant_id": str(rid),
            "date": day.isoformat(),
            "time_from": window[0].strftime("%H:%M"),
            "time_to": window[1].strftime("%H:%M"),
            "party_size": party,
            "guest": guest(who),
        },
    )
    r.raise_for_status()
    body: dict[str, Any] = r.json()
    return body


async def cancel(http: httpx.AsyncClient, booking: dict[str, Any]) -> None:
    r = await http.post(
        f"{BASE}/reservations/{booking['id']}/cancel",
        headers={"X-Manage-Token": booking["manage_token"]},
        json={"reason": "benchmark"},
    )
    r.raise_for_status()


# ---- 1. latency --------------------------------------------------------------------------


@dataclass
class Latency:
    offered: list[float] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)
    missed: int = 0


async def _until(probe: Any, deadline: float) -> float | None:
    while clock.perf_counter() < deadline:
        if await probe():
            return clock.perf_counter()
        await asyncio.sleep(0.005)
    return None


async def latency(
    http: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], rid: uuid.UUID, rounds: int
) -> Latency:
    out = Latency()
    first = datetime.now(UTC).date() + timedelta(days=3)
    for i in range(rounds):
        day = first + timedelta(days=i)
        made = await book(http, rid, day, time(19), 2)
        assert made is not None, "the table should be free"
        joined = await join(http, rid, day, (time(18, 30), time(19, 30)), 2, f"lat-{i}")
        entry_id = uuid.UUID(joined["id"])

        async def offered(entry_id: uuid.UUID = entry_id) -> bool:
            async with sessions() as session:
                status = await session.scalar(
                    select(WaitlistEntry.status).where(WaitlistEntry.id == entry_id)
                )
            return status is WaitlistStatus.OFFERED

        async def sent(entry_id: uuid.UUID = entry_id) -> bool:
            async with sessions() as session:
                found = await session.scalar(
                    select(Notification.id).where(
                        Notification.waitlist_entry_id == entry_id,
                        Notification.template == "waitlist_offer",
                        Notification.status.in_(SENT),
                    )
                )
            return found is not None

        started = clock.perf_counter()
        await cancel(http, made)
        deadline = started + 30
        at_offer = await _until(offered, deadline)
        at_sent = await _until(sent, deadline) if at_offer else None
        if at_offer is None or at_sent is None:
            out.missed += 1
            continue
        out.offered.append((at_offer - started) * 1000)
        out.sent.append((at_sent - started) * 1000)
    return out


# ---- 2. a simulated evening --------------------------------------------------------------


@dataclass
class Evening:
    bookings: int = 0
    booked_covers: int = 0
    cancelled: int = 0
    freed_covers: int = 0
    freed_seats: int = 0
    waiting: int = 0
    offers: int = 0
    accepted: int = 0
    declined: int = 0
    refilled_covers: int = 0
    refilled_bookings: int = 0
    seconds: float = 0.0


async def fill_evening(
    http: httpx.AsyncClient, rid: uuid.UUID, day: date, rng: random.Random
) -> list[dict[str, Any]]:
    """Book every turn of every table: parties of 1-4 until each turn refuses three times."""
    made: list[dict[str, Any]] = []
    for at in DINNER:
        refusals = 0
        while refusals < 3:
            booking = await book(http, rid, day, at, rng.choice([1, 2, 2, 2, 3, 4, 4]))
            if booking is None:
                refusals += 1
            else:
                made.append(booking)
    return made


def random_window(rng: random.Random) -> tuple[time, time]:
    start = 17 * 60 + 15 * rng.randrange(0, 15)  # 17:00-20:30
    end = min(start + rng.choice([60, 90, 120]), 21 * 60 + 30)
    return time(start // 60, start % 60), time(end // 60, end % 60)


async def evening(
    http: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    rid: uuid.UUID,
    capacities: list[int],
    *,
    waiting: int,
    cancel_share: float,
    spread: float,
    accept: float,
    rng: random.Random,
) -> Evening:
    day = datetime.now(UTC).date() + timedelta(days=200)
    out = Evening()
    made = await fill_evening(http, rid, day, rng)
    out.bookings = len(made)
    out.booked_covers = sum(b["party_size"] for b in made)
    tokens: dict[str, str] = {}
    for n in range(waiting):
        joined = await join(
            http, rid, day, random_window(rng), rng.choice([2, 2, 2, 3, 4]), f"eve-{n}"
        )
        tokens[joined["id"]] = joined["manage_token"]
    out.waiting = len(tokens)

    doomed = rng.sample(made, round(len(made) * cancel_share))
    out.cancelled = len(doomed)
    out.freed_covers = sum(b["party_size"] for b in doomed)
    # the seats those bookings held: a party of 2 cancelled from a four-top frees 4
    out.freed_seats = sum(
        capacities[int(number) - 1] for b in doomed for number in b["table_numbers"]
    )
    started = clock.perf_counter()

    async def cancel_later(booking: dict[str, Any]) -> None:
        await asyncio.sleep(rng.uniform(0, spread))
        await cancel(http, booking)

    answered: set[tuple[uuid.UUID, uuid.UUID | None]] = set()
    answers: list[asyncio.Task[None]] = []

    async def answer(entry_id: uuid.UUID, yes: bool) -> None:
        await asyncio.sleep(rng.uniform(0.2, 2.0))
        action = "accept" if yes else "decline"
        await http.post(
            f"{BASE}/waitlist/{entry_id}/{action}",
            headers={"X-Manage-Token": tokens[str(entry_id)]},
        )  # a 409 (the offer lapsed meanwhile) is part of the game

    cancelling = asyncio.gather(*(cancel_later(b) for b in doomed))
    quiet_since: float | None = None
    deadline = clock.perf_counter() + spread + 180
    while clock.perf_counter() < deadline:
        async with sessions() as session:
            rows = (
                await session.execute(
                    select(WaitlistEntry.id, WaitlistEntry.offer_reservation_id).where(
                        WaitlistEntry.restaurant_id == rid,
                        WaitlistEntry.status == WaitlistStatus.OFFERED,
                    )
                )
            ).all()
        for entry_id, offer_id in rows:
            if (entry_id, offer_id) not in answered:
                answered.add((entry_id, offer_id))
                yes = rng.random() < accept
                out.accepted += yes
                out.declined += not yes
                answers.append(asyncio.create_task(answer(entry_id, yes)))
        busy = bool(rows) or not cancelling.done() or any(not t.done() for t in answers)
        now = clock.perf_counter()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since > 5:  # nothing offered for 5 s after the last answer
            break
        await asyncio.sleep(0.05)
    await cancelling
    await asyncio.gather(*answers)
    out.seconds = clock.perf_counter() - started
    out.offers = len(answered)
    async with sessions() as session:
        refilled = (
            await session.execute(
                select(WaitlistEntry.party_size).where(
                    WaitlistEntry.restaurant_id == rid,
                    WaitlistEntry.status == WaitlistStatus.ACCEPTED,
                )
            )
        ).all()
    out.refilled_bookings = len(refilled)
    out.refilled_covers = sum(p for (p,) in refilled)
    return out


# ---- running it --------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    rng = random.Random(args.seed)
    async with fresh_database("waitlist") as url:
        engine = create_engine(url)
        sessions = session_factory(engine)
        one = await seed_restaurant(sessions, "Waitlist latency", [4])
        half = args.tables // 2
        capacities = [2] * half + [4] * (args.tables - half)
        many = await seed_restaurant(sessions, "Waitlist evening", capacities)
        env = await start_dev_server()
        redis_url = REDIS_URL or None
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        settings = cast(Any, Settings)(
            _env_file=None, database_url=url, redis_url=redis_url, jwt_secret=JWT_SECRET,
            temporal_task_queue=queue, log_level="WARNING",
        )  # fmt: skip
        worker_engine = create_engine(url)
        deps = WorkerDeps(
            settings=settings, engine=worker_engine, sessions=session_factory(worker_engine),
            cache=create_cache(redis_url) if redis_url else MemoryCache(),
        )  # fmt: skip
        worker = InProcessWorkers(env.client, settings, deps)
        running = asyncio.create_task(worker.run())
        server, port = start_api(url, queue, env, redis_url=redis_url)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                await wait_healthy(http, server)
                lat = await latency(http, sessions, one, args.rounds)
                eve = await evening(
                    http, sessions, many, capacities, waiting=args.waiting,
                    cancel_share=args.cancel, spread=args.spread, accept=args.accept, rng=rng,
                )  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=10)
            await worker.shutdown()
            await running
            await deps.aclose()
            await env.shutdown()
            await engine.dispose()
    backing = "Redis" if REDIS_URL else "in-process cache"
    print(
        "waitlist: Temporal dev server, worker in-process, uvicorn subprocess, "
        f"PostgreSQL, {backing}"
    )
    print(f"cancellation -> offer, {len(lat.offered)} rounds ({lat.missed} missed):")
    for name, values in (("entry offered", lat.offered), ("offer message sent", lat.sent)):
        if values:
            print(
                f"  {name:20s} p50 {percentile(values, 50):8.1f} ms   "
                f"p99 {percentile(values, 99):8.1f} ms   max {max(values):8.1f} ms"
            )
    covers = eve.refilled_covers / eve.freed_covers if eve.freed_covers else 0.0
    seats = eve.refilled_covers / eve.freed_seats if eve.freed_seats else 0.0
    turns = eve.refilled_bookings / eve.cancelled if eve.cancelled else 0.0
    print(
        f"simulated evening: {args.tables} tables, {eve.bookings} bookings "
        f"({eve.booked_covers} covers), {eve.waiting} waiting, {eve.cancelled} cancelled over "
        f"{args.spread:.0f} s ({eve.freed_covers} covers, {eve.freed_seats} seats freed)"
    )
    print(
        f"  offers {eve.offers} (answered yes {eve.accepted}, no {eve.declined}); "
        f"booked through the waitlist: {eve.refilled_bookings} parties, "
        f"{eve.refilled_covers} covers"
    )
    print(
        f"  freed covers refilled: {covers:.0%} ({eve.refilled_covers}/{eve.freed_covers}; "
        f"larger parties may fill tables smaller ones left); freed seats filled: {seats:.0%} "
        f"({eve.refilled_covers}/{eve.freed_seats}); cancelled bookings replaced: {turns:.0%} "
        f"({eve.refilled_bookings}/{eve.cancelled}); settled in {eve.seconds:.1f} s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=40, help="timed cancellations")
    parser.add_argument("--tables", type=int, default=16, help="tables of the evening")
    parser.add_argument("--waiting", type=int, default=40, help="guests on the waitlist")
    parser.add_argument("--cancel", type=float, default=0.25, help="share of bookings cancelled")
    parser.add_argument("--spread", type=float, default=20.0, help="seconds the cancels span")
    parser.add_argument("--accept", type=float, default=0.75, help="chance a guest says yes")
    parser.add_argument("--seed", type=int, default=7)
    asyncio.run(main(parser.parse_args()))
