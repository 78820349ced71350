"""Partner webhooks: from a partner's POST to the workflow's answer, p50 and p99.

The API runs under uvicorn in its own process; the Temporal dev server and the
worker run beside it, on PostgreSQL. A restaurant open all day with 40 tables is
connected to TheFork (partner key + HMAC secret) and to a generic POS (each
table mapped). Phases, one request at a time, each timed from send to answer:

1. TheFork RESERVATION_CREATED -> update-with-start (the booking path),
2. TheFork RESERVATION_UPDATED (party size) -> the `modify` update,
3. generic POS check.opened on each table -> the `check_in` update,
4. generic POS check.closed with a total -> the `complete` update (spend recorded),
5. the same check.closed again -> answered from pos_events, no workflow reached.

Run: python -m benchmarks.partner_webhooks [--bookings 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from benchmarks import ZONE, fresh_database, percentile
from benchmarks.booking_latency import JWT_SECRET, start_api, start_dev_server, wait_healthy
from benchmarks.in_process_workers import InProcessWorkers
from models.enums import ReservationSource
from models.schemas.floor import TableCreate
from models.schemas.restaurant import BookingSettings, RestaurantCreate, ServiceHours
from reservations.cache import MemoryCache
from reservations.db import create_engine, session_factory
from reservations.logging import configure_logging
from reservations.settings import Settings
from services.floor import create_table
from services.partners import marketplace, pos
from services.partners.keys import Scope, create_partner_key
from services.restaurants import create_restaurant
from worker.deps import WorkerDeps

API = "/api/v1/reservations"
SECRET = "bench-thefork-secret"
POS_SECRET = "bench-generic-pos-secret"


async def seed(url: str, tables: int) -> tuple[uuid.UUID, str]:
    """The restaurant, its TheFork key (returned in clear) and its POS connection."""
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        restaurant = await create_restaurant(
            session,
            data=RestaurantCreate(
                name="Partner webhooks",
                timezone=ZONE,
                currency="EUR",
                settings=BookingSettings(min_notice_minutes=0, default_seating_minutes=90),
                services=[
                    ServiceHours(
                        weekday=d,
                        opens_at=time(0),
                        closes_at=time(23, 59),
                        last_seating_at=time(23, 45),
                    )
                    for d in range(7)
                ],
            ),
        )
        for i in range(tables):
            table = await create_table(
                session,
                restaurant_id=restaurant.id,
                data=TableCreate(number=str(i + 1), min_capacity=1, max_capacity=4),
            )
            await pos.set_mapping(
                session,
                restaurant_id=restaurant.id,
                system="generic",
                external_table_id=f"T{i + 1}",
                table_id=table.id,
            )
        key, clear = await create_partner_key(
            session,
            name="TheFork",
            restaurant_ids=[restaurant.id],
            scopes=[Scope.BOOKINGS_WRITE],
            channel=ReservationSource.THEFORK,
            created_by=None,
        )
        await marketplace.set_credential(
            session, partner_key_id=key.id, marketplace="thefork", hmac_secret=SECRET
        )
        await pos.set_connection(
            session,
            restaurant_id=restaurant.id,
            system="generic",
            external_location_id=None,
            signing_secret=POS_SECRET,
        )
    await engine.dispose()
    return restaurant.id, clear


def _slot() -> tuple[str, str]:
    local = datetime.now(ZoneInfo(ZONE)) + timedelta(minutes=15)
    local += timedelta(minutes=-local.minute % 15)
    return local.date().isoformat(), local.strftime("%H:%M")


async def timed(
    client: httpx.AsyncClient, path: str, body: bytes, headers: dict[str, str]
) -> float:
    start = clock.perf_counter()
    answer = await client.post(path, content=body, headers=headers)
    elapsed = (clock.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
    return elapsed


def fork_request(key: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    stamp = int(clock.time())
    return body, {
        "content-type": "application/json",
        "x-partner-key": key,
        "x-thefork-timestamp": str(stamp),
        "x-thefork-signature": marketplace.sign(body=body, secret=SECRET, timestamp=stamp),
    }


def pos_request(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {
        "content-type": "application/json",
        "x-pos-signature": pos.sign_generic(body, POS_SECRET),
    }


async def main(bookings: int) -> None:
    configure_logging("WARNING")
    async with fresh_database("bench_partner") as url:
        rid, key = await seed(url, bookings)
        env = await start_dev_server()
        queue = f"bench-partner-{uuid.uuid4().hex[:6]}"
        settings = Settings(database_url=url, jwt_secret=JWT_SECRET, temporal_task_queue=queue)
        engine = create_engine(url)
        deps = WorkerDeps(
            settings=settings, engine=engine, sessions=session_factory(engine), cache=MemoryCache()
        )
        worker = InProcessWorkers(env.client, settings, deps)
        server, port = start_api(url, queue, env, redis_url=None)
        phases: dict[str, list[float]] = {}
        try:
            async with (
                worker,
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client,
            ):
                await wait_healthy(client, server)
                day, at = _slot()
                tag = uuid.uuid4().hex[:6]
                fork = f"{API}/webhooks/thefork"
                for phase, party in (
                    ("TheFork created -> booked", 2),
                    ("TheFork updated -> modify", 3),
                ):
                    kind = "RESERVATION_CREATED" if party == 2 else "RESERVATION_UPDATED"
                    for i in range(bookings):
                        payload = {
                            "eventId": f"{tag}-{kind}-{i}",
                            "eventType": kind,
                            "occurredAt": datetime.now(UTC).isoformat(),
                            "reservation": {
                                "reservationId": f"bench-{tag}-{i}",
                                "restaurantId": str(rid),
                                "mealDate": day,
                                "mealTime": at,
                                "partySize": party,
                                "customer": {
                                    "firstName": "Bench",
                                    "email": f"b{i}-{tag}@example.com",
                                },
                            },
                        }
                        body, headers = fork_request(key, payload)
                        phases.setdefault(phase, []).append(
                            await timed(client, fork, body, headers)
                        )
                posp = f"{API}/webhooks/pos/generic"
                # the third phase sends the second's events again: duplicates
                for phase, kind in (
                    ("POS check.opened -> check_in", "check.opened"),
                    ("POS check.closed -> complete", "check.closed"),
                    ("POS check.closed again (duplicate)", "check.closed"),
                ):
                    for i in range(bookings):
                        event: dict[str, Any] = {
                            "eventId": f"{tag}-{kind}-{i}",
                            "type": kind,
                            "restaurantId": str(rid),
                            "tableId": f"T{i + 1}",
                            "occurredAt": datetime.now(UTC).isoformat(),
                            "totalMinor": 4200,
                        }
                        body, headers = pos_request(event)
                        phases.setdefault(phase, []).append(
                            await timed(client, posp, body, headers)
                        )
        finally:
            server.terminate()
            server.wait()
            await engine.dispose()
            await env.shutdown()
    print(f"partner webhooks, {bookings} bookings, one request at a time")
    for phase, values in phases.items():
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"  {phase:<38} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=40)
    asyncio.run(main(parser.parse_args().bookings))
