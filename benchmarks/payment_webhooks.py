"""The money path: a deposit booking's answer, then its payment webhook to confirmation.

The API runs under uvicorn in its own process; the Temporal dev server and the
worker (local payment provider, outbox message providers) run beside it, on
PostgreSQL. Each phase books deposit bookings (POST -> 201 with the checkout
session), then posts one HMAC-signed AUTHORISATION webhook per booking, as Adyen
would, and times the webhook's answer ([accepted]) and the time until the booking
reads back confirmed. A second delivery of every webhook is then timed: it must be
answered without reaching the workflow again.

Run: python -m benchmarks.payment_webhooks [--bookings 200] [--clients 20]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import time as clock
import uuid
from typing import Any, cast

import httpx
from sqlalchemy import update

from benchmarks import fresh_database, percentile
from benchmarks.booking_latency import (
    JWT_SECRET,
    Slots,
    drive,
    seed,
    start_api,
    start_dev_server,
    wait_healthy,
)
from benchmarks.in_process_workers import InProcessWorkers
from models.enums import PaymentMode
from models.orm import Restaurant
from payments.config import webhook_credentials
from payments.notifications import signed_notification
from reservations.cache import MemoryCache
from reservations.db import create_engine, session_factory
from reservations.logging import configure_logging
from reservations.settings import Settings
from worker.deps import WorkerDeps

API = "/api/v1/reservations"
DEPOSIT = 2500


def _line(name: str, values: list[float], seconds: float) -> str:
    rate = len(values) / seconds if seconds else 0.0
    return (
        f"  {name:38s} {len(values):4d}  p50 {percentile(values, 50):7.1f}  "
        f"p90 {percentile(values, 90):7.1f}  p99 {percentile(values, 99):7.1f} ms  {rate:6.1f}/s"
    )


async def phase(
    http: httpx.AsyncClient, settings: Settings, rid: uuid.UUID, slots: Slots, *,
    clients: int, count: int,
) -> list[str]:  # fmt: skip
    credentials = webhook_credentials(settings)
    auth = base64.b64encode(f"{credentials.username}:{credentials.password}".encode()).decode()
    booked: list[dict[str, Any]] = []
    plan = slots.take(count)

    async def book(i: int) -> tuple[float, bool]:
        day, at = plan[i]
        body = {
            "restaurant_id": str(rid), "date": day.isoformat(), "time": at.isoformat("minutes"),
            "party_size": 2, "guest": {"email": f"pay-{uuid.uuid4().hex[:8]}@example.com",
                                       "first_name": "Bench"},
        }  # fmt: skip
        started = clock.perf_counter()
        answer = await http.post(f"{API}/reservations", json=body)
        elapsed = (clock.perf_counter() - started) * 1000
        if answer.status_code != 201:
            return elapsed, False
        assert answer.json()["payment"]["session_id"], answer.text
        booked.append(answer.json())
        return elapsed, True

    booking_ms, booking_s, _ = await drive(clients, count, book)
    bodies = [
        signed_notification(
            hmac_key_hex=credentials.hmac_key_hex,
            event_code="AUTHORISATION",
            success=True,
            psp_reference=f"BENCH{uuid.uuid4().hex[:11].upper()}",
            merchant_reference=b["reference"],
            merchant_account=credentials.merchant_account,
            amount_minor=DEPOSIT,
            currency="EUR",
        )
        for b in booked
    ]
    accepted: list[float] = []

    async def notify(i: int) -> tuple[float, bool]:
        started = clock.perf_counter()
        answer = await http.post(
            f"{API}/webhooks/adyen", json=bodies[i], headers={"Authorization": f"Basic {auth}"}
        )
        accepted.append((clock.perf_counter() - started) * 1000)
        assert answer.text == "[accepted]", answer.text
        b = booked[i]
        while True:
            state = await http.get(
                f"{API}/reservations/{b['id']}", params={"token": b["manage_token"]}
            )
            if state.json()["status"] == "confirmed":
                return (clock.perf_counter() - started) * 1000, True
            await asyncio.sleep(0.01)

    confirmed_ms, confirmed_s, _ = await drive(clients, len(booked), notify)
    hook_s = confirmed_s
    again: list[float] = []

    async def redeliver(i: int) -> tuple[float, bool]:
        started = clock.perf_counter()
        answer = await http.post(
            f"{API}/webhooks/adyen", json=bodies[i], headers={"Authorization": f"Basic {auth}"}
        )
        again.append((clock.perf_counter() - started) * 1000)
        return again[-1], answer.text == "[accepted]"

    _, again_s, refused = await drive(clients, len(booked), redeliver)
    assert refused == 0
    return [
        _line(f"deposit booking POST->201, {clients} cl.", booking_ms, booking_s),
        _line(f"webhook POST->[accepted], {clients} cl.", accepted, hook_s),
        _line(f"webhook POST->confirmed, {clients} cl.", confirmed_ms, confirmed_s),
        _line(f"redelivered webhook, {clients} cl.", again, again_s),
    ]


async def main(bookings: int, clients: int) -> None:
    configure_logging("WARNING")  # the outbox providers log every message at INFO
    async with fresh_database("payhooks") as url:
        engine = create_engine(url, pool_size=clients, max_overflow=0)
        sessions = session_factory(engine)
        rid, _ = await seed(sessions)
        async with sessions() as session, session.begin():
            await session.execute(
                update(Restaurant).where(Restaurant.id == rid)
                .values(payment_mode=PaymentMode.DEPOSIT, payment_fixed_minor=DEPOSIT)
            )  # fmt: skip
        env = await start_dev_server()
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        settings = cast(Any, Settings)(
            _env_file=None, database_url=url, jwt_secret=JWT_SECRET, temporal_task_queue=queue,
            log_level="WARNING",
        )  # fmt: skip
        deps = WorkerDeps(settings=settings, engine=engine, sessions=sessions, cache=MemoryCache())
        worker = InProcessWorkers(env.client, settings, deps)
        running = asyncio.create_task(worker.run())
        server, port = start_api(url, queue, env, redis_url=None)
        lines: list[str] = []
        try:
            slots = Slots(per_day=10)
            limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits
            ) as http:
                await wait_healthy(http, server)
                await phase(http, settings, rid, slots, clients=clients, count=clients)  # warm
                lines += await phase(http, settings, rid, slots, clients=1, count=bookings // 4)
                lines += await phase(http, settings, rid, slots, clients=clients, count=bookings)
        finally:
            server.terminate()
            server.wait(timeout=10)
            await worker.shutdown()
            await running
            await env.shutdown()
            await engine.dispose()
    print(
        "payment webhooks: local provider, Temporal dev server, worker in-process, "
        "uvicorn subprocess, PostgreSQL"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.bookings, args.clients))
