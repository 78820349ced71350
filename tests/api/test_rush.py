"""The release rush: a surely full time is refused without starting a workflow.

Over HTTP against a real worker on the Temporal dev server. The pre-check may only
refuse what the hold would refuse: a day with a free table still books, a stale
"full" in the cache is checked against the database, and a replayed key still
reaches its booking.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import update
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from api.lifecycle import reservation_id_for, workflow_id
from models.enums import AllocationStatus, StaffRole
from models.orm import TableAllocation
from reservations.cache import MemoryCache, RedisCache
from services.guests import normalise_email
from tests.api.conftest import LiveApi, live_api_on
from tests.api.test_reservation_lifecycle import BASE, booking_day, restaurant
from tests.conftest import Database
from tests.minutes import early_in_a_minute

DAY = booking_day()


def _booking(rid: str, email: str, at: str = "19:00") -> dict[str, Any]:
    return {
        "restaurant_id": rid,
        "date": DAY.isoformat(),
        "time": at,
        "party_size": 2,
        "guest": {"email": email, "first_name": "Rush"},
    }


async def _post(live: LiveApi, rid: str, email: str, key: str) -> Any:
    return await live.client.post(
        f"{BASE}/reservations",
        json=_booking(rid, email),
        headers={"Idempotency-Key": key},
    )


async def _workflow_started(live: LiveApi, rid: str, email: str, key: str) -> bool:
    reservation_id = reservation_id_for(key, scope=f"{rid}:{normalise_email(email)}")
    try:
        await live.env.client.get_workflow_handle(workflow_id(reservation_id)).describe()
    except RPCError as exc:
        assert exc.status == RPCStatusCode.NOT_FOUND, exc
        return False
    return True


async def _alternatives_offered(live: LiveApi, rid: str) -> list[dict[str, Any]]:
    """The public availability answer's alternatives for 19:00, as the hold offers them."""
    answer = await live.client.get(
        f"{BASE}/restaurants/{rid}/availability",
        params={"date": DAY.isoformat(), "party_size": 2, "time": "19:00"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["requested"]["reason"] == "no_table_fits"
    return [
        {k: a[k] for k in ("date", "time", "starts_at", "table_numbers")}
        for a in body["alternatives"]
    ]


async def test_a_full_time_is_refused_without_a_workflow(live: LiveApi) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=2)
    # a day with one free table still books, though the cache was asked first
    for n in range(2):
        booked = await _post(live, rid, f"first{n}@example.com", f"first-{n}")
        assert booked.status_code == 201, booked.text
        assert await _workflow_started(live, rid, f"first{n}@example.com", f"first-{n}")
    refused = await _post(live, rid, "late@example.com", "late-1")
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["reason"] == "no_table_fits"
    assert body["alternatives"] and body["alternatives"] == await _alternatives_offered(live, rid)
    # Temporal never heard of it: no workflow, so no lock wait either
    assert not await _workflow_started(live, rid, "late@example.com", "late-1")


async def test_a_replayed_key_still_reaches_its_booking(live: LiveApi) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)
    first = await _post(live, rid, "Once@Example.com", "once")
    assert first.status_code == 201, first.text
    # the day is full now, with this very booking: its replay is not a refusal
    again = await _post(live, rid, "once@example.com", "once")
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("lagging", [True, False])
async def test_a_stale_full_in_the_cache_is_checked_against_the_database(
    live: LiveApi, lagging: bool
) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)
    first = await _post(live, rid, "gone@example.com", "gone")
    assert first.status_code == 201, first.text
    await _alternatives_offered(live, rid)  # the cache now says 19:00 is full
    if lagging:
        # the table is freed and its invalidation has not arrived yet
        async with live.db.sessions() as session, session.begin():
            await session.execute(
                update(TableAllocation)
                .where(TableAllocation.reservation_id == uuid.UUID(first.json()["id"]))
                .values(status=AllocationStatus.RELEASED)
            )
    second = await _post(live, rid, "next@example.com", "next")
    if lagging:
        # the cache said full, the database said free: the workflow books it
        assert second.status_code == 201, second.text
    else:
        assert second.status_code == 409, second.text
    assert await _workflow_started(live, rid, "next@example.com", "next") is lagging


async def test_a_crowd_reaches_the_workflow_a_few_at_a_time(live: LiveApi) -> None:
    from api.booking_flow import _TURNS

    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)
    crowd = _TURNS.per_day + 4
    answers = await asyncio.gather(
        *(_post(live, rid, f"crowd{n}@example.com", f"crowd-{n}") for n in range(crowd))
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * (crowd - 1), [a.text for a in answers]
    assert all(a.json()["alternatives"] for a in answers if a.status_code == 409)
    started = [
        await _workflow_started(live, rid, f"crowd{n}@example.com", f"crowd-{n}")
        for n in range(crowd)
    ]
    # no more than one turn's worth started a workflow: the rest waited, then saw it full
    assert 1 <= sum(started) <= _TURNS.per_day, started


async def test_a_refusal_offers_the_same_day_as_the_database_has_it(live: LiveApi) -> None:
    # the refusal is confirmed on the requested day only; that day's alternatives come
    # from the same read, so a stale cache cannot hide a freed time on that day
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)
    booked = {}
    for at in ("17:30", "19:00", "20:30"):
        r = await live.client.post(
            f"{BASE}/reservations",
            json=_booking(rid, f"at{at[:2]}@example.com", at),
            headers={"Idempotency-Key": f"at-{at}"},
        )
        assert r.status_code == 201, r.text
        booked[at] = uuid.UUID(r.json()["id"])
    stale = await _alternatives_offered(live, rid)  # the cache now says 19:00 is full
    assert all(a["date"] != DAY.isoformat() for a in stale), stale
    # 20:30 is freed and its invalidation has not arrived yet
    async with live.db.sessions() as session, session.begin():
        await session.execute(
            update(TableAllocation)
            .where(TableAllocation.reservation_id == booked["20:30"])
            .values(status=AllocationStatus.RELEASED)
        )
    refused = await _post(live, rid, "late@example.com", "late")
    assert refused.status_code == 409, refused.text
    alternatives = refused.json()["alternatives"]
    same_day = [a["time"] for a in alternatives if a["date"] == DAY.isoformat()]
    assert same_day and same_day[0].startswith("20:30"), alternatives
    # the other days' "same time" suggestions are the cached ones
    assert [a for a in alternatives if a["date"] != DAY.isoformat()] == stale
    assert not await _workflow_started(live, rid, "late@example.com", "late")


@contextlib.asynccontextmanager
async def _live_without_redis(
    db: Database, dev_server: WorkflowEnvironment
) -> AsyncIterator[LiveApi]:
    """The API and a worker whose shared cache is a Redis nobody listens to."""
    cache = RedisCache("redis://127.0.0.1:1/0")  # every read a miss, every bump lost
    try:
        async with live_api_on(cache, db, dev_server) as live:
            yield live
    finally:
        await cache.close()


async def test_with_redis_down_the_database_decides(
    db: Database, dev_server: WorkflowEnvironment
) -> None:
    async with _live_without_redis(db, dev_server) as live:
        admin = await live.token_for(StaffRole.ADMIN)
        rid = await restaurant(live, admin, tables=1)
        first = await _post(live, rid, "one@example.com", "one")
        assert first.status_code == 201, first.text
        refused = await _post(live, rid, "two@example.com", "two")
        assert refused.status_code == 409, refused.text
        assert refused.json()["alternatives"]
        assert not await _workflow_started(live, rid, "two@example.com", "two")
        # the table is freed; no invalidation can reach anyone: the next guest books it
        async with live.db.sessions() as session, session.begin():
            await session.execute(
                update(TableAllocation)
                .where(TableAllocation.reservation_id == uuid.UUID(first.json()["id"]))
                .values(status=AllocationStatus.RELEASED)
            )
        booked = await _post(live, rid, "three@example.com", "three")
        assert booked.status_code == 201, booked.text


@pytest.mark.parametrize("change", [{"is_active": False}, {"accepts_reservations": False}])
async def test_a_restaurant_not_taking_bookings_is_still_named_as_such(
    live: LiveApi, change: dict[str, bool]
) -> None:
    # the pre-check reads no restaurant; a closed door is still told apart from "full"
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)
    await _ask_availability(live, rid)  # an answer cached from before the change
    patched = await live.client.patch(f"{BASE}/restaurants/{rid}", json=change, headers=admin)
    assert patched.status_code == 200, patched.text
    answer = await _post(live, rid, "door@example.com", "door")
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "restaurant_id", answer.text
    unknown = await _post(live, str(uuid.uuid4()), "door@example.com", "door")
    assert unknown.status_code == 404, unknown.text


async def _ask_availability(live: LiveApi, rid: str) -> None:
    answer = await live.client.get(
        f"{BASE}/restaurants/{rid}/availability",
        params={"date": DAY.isoformat(), "party_size": 2, "time": "19:00"},
    )
    assert answer.status_code == 200, answer.text


async def test_a_crowd_at_a_full_time_shares_its_checks(
    live: LiveApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api import booking_flow

    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)
    kept = await _post(live, rid, "kept@example.com", "kept")
    assert kept.status_code == 201, kept.text
    checks: list[int] = []
    check = booking_flow._check

    async def counted(*args: Any, **kwargs: Any) -> Any:
        checks.append(len(args[3]))  # the asks this one read answers
        return await check(*args, **kwargs)

    monkeypatch.setattr(booking_flow, "_check", counted)
    crowd = 30
    answers = await asyncio.gather(
        _post(live, rid, "kept@example.com", "kept"),  # a replay inside the crowd
        *(_post(live, rid, f"many{n}@example.com", f"many-{n}") for n in range(crowd)),
    )
    replay, *rest = answers
    assert replay.status_code == 201, replay.text
    assert replay.json()["id"] == kept.json()["id"]
    assert [a.status_code for a in rest] == [409] * crowd, [a.text for a in rest]
    assert all(a.json()["alternatives"] for a in rest)
    # each refusal answered by one check, shared with the others who asked meanwhile;
    # the replay asks once: its turn comes at once, so it reaches its booking unchecked
    assert sum(checks) == crowd + 1, checks
    assert len(checks) <= 4, checks
    assert not any(
        [await _workflow_started(live, rid, f"many{n}@example.com", f"many-{n}") for n in range(3)]
    )


async def test_a_booking_never_waits_for_a_worker_thread(
    live: LiveApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FastAPI runs a plain `def` dependency in a worker thread; in a rush a thousand
    # requests would queue for forty threads just to read app.state
    import anyio.to_thread

    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)
    hops: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__qualname__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    booked = await _post(live, rid, "first@example.com", "first")
    assert booked.status_code == 201, booked.text
    refused = await _post(live, rid, "second@example.com", "second")
    assert refused.status_code == 409, refused.text
    await _ask_availability(live, rid)
    dashboard = await live.client.get(
        f"{BASE}/analytics/restaurant/{rid}/dashboard",
        params={"date_from": DAY.isoformat(), "date_to": DAY.isoformat()},
        headers=admin,
    )
    assert dashboard.status_code == 200, dashboard.text
    assert hops == []


async def test_a_free_the_hold_contradicts_is_not_trusted_again(
    live: LiveApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    import activities.reservations

    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)
    await early_in_a_minute()  # the stale answer below must still be this minute's
    await _ask_availability(live, rid)  # the cache says 19:00 is free

    async def lost(*_: Any, **__: Any) -> None:
        return None  # the winner's invalidation never arrives (a Redis hiccup)

    monkeypatch.setattr(activities.reservations, "invalidate_day", lost)
    first = await _post(live, rid, "first@example.com", "first")
    assert first.status_code == 201, first.text
    monkeypatch.undo()
    # the stale "free" sends the next guest to the workflow, whose hold says full...
    second = await _post(live, rid, "second@example.com", "second")
    assert second.status_code == 409, second.text
    assert await _workflow_started(live, rid, "second@example.com", "second")
    # ...after which the cache is not trusted: the next one is refused without a workflow
    third = await _post(live, rid, "third@example.com", "third")
    assert third.status_code == 409, third.text
    assert third.json()["alternatives"]
    assert not await _workflow_started(live, rid, "third@example.com", "third")


async def test_a_booking_check_stores_no_answer_and_a_refusal_stores_the_full_day(
    live: LiveApi,
) -> None:
    # the booking after a "free" bumps the day's version at once: an answer stored by
    # its check could never be read; a crowd refused at a full time reads it again
    cache = live.deps.cache
    assert isinstance(cache, MemoryCache)
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)

    def stored_days() -> set[str]:
        return {key.split(":")[2] for key in cache._data if key.startswith(f"avail:{rid}:")}

    booked = await _post(live, rid, "first@example.com", "first")
    assert booked.status_code == 201, booked.text
    assert stored_days() == set()
    refused = await _post(live, rid, "second@example.com", "second")
    assert refused.status_code == 409, refused.text
    assert DAY.isoformat() in stored_days()
