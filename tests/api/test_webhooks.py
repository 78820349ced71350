"""Outbound webhooks end to end: the API, a real worker on the dev server, and a local
subscriber that verifies every signature with the `standardwebhooks` package."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from models.enums import ReservationStatus, StaffRole, WebhookDeliveryStatus
from models.orm import WebhookDelivery, WebhookEvent
from models.schemas.lifecycle import Transition
from reservations.cache import MemoryCache
from reservations.db import transaction
from rules.state_machine import ReservationAction
from services.webhooks import events
from tests import conftest as shared
from tests.api.conftest import LiveApi, eventually, live_api
from tests.api.test_reservation_lifecycle import BASE, booking, restaurant
from tests.api.webhook_subscriber import WebhookSubscriber
from tests.conftest import JWT_SECRET, Api, Database

FAST = {
    "webhook_first_retry_seconds": 1,
    "webhook_allow_private_urls": True,
    "webhook_timeout_seconds": 0.5,
}


@pytest.fixture
async def hooks(db: Database, dev_server: WorkflowEnvironment) -> AsyncIterator[LiveApi]:
    async with live_api(db, dev_server, webhook_disable_after_failures=2, **FAST) as api:
        yield api


@pytest.fixture
async def subscriber() -> AsyncIterator[WebhookSubscriber]:
    async with WebhookSubscriber() as server:
        yield server


async def subscribe(
    live: Api, rid: str, headers: dict[str, str], url: str, events: list[str]
) -> dict[str, Any]:
    r = await live.client.post(
        f"{BASE}/restaurants/{rid}/webhooks", json={"url": url, "events": events}, headers=headers
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert body["secret"].startswith("whsec_")
    return body


async def deliveries(live: Api, rid: str, sid: str, headers: dict[str, str]) -> list[Any]:
    r = await live.client.get(
        f"{BASE}/restaurants/{rid}/webhooks/{sid}/deliveries", headers=headers
    )
    assert r.status_code == 200, r.text
    items: list[Any] = r.json()["items"]
    return items


async def test_a_booking_is_told_signed_without_personal_data(
    hooks: LiveApi, admin: dict[str, str], subscriber: WebhookSubscriber
) -> None:
    rid = await restaurant(hooks, admin)
    manager = await hooks.token_for(StaffRole.MANAGER, [rid])
    sub = await subscribe(
        hooks,
        rid,
        manager,
        subscriber.url,
        ["reservation.created", "reservation.confirmed", "reservation.cancelled"],
    )
    subscriber.secret = sub["secret"]
    listed = await hooks.client.get(f"{BASE}/restaurants/{rid}/webhooks", headers=manager)
    assert listed.json()["total"] == 1 and "secret" not in listed.json()["items"][0]

    created = await hooks.client.post(f"{BASE}/reservations", json=booking(rid))
    assert created.status_code == 201, created.text
    reservation = created.json()

    async def both() -> list[str] | None:
        types = subscriber.types()
        return types if len(types) >= 2 else None

    assert sorted(await eventually(both, "created and confirmed")) == [
        "reservation.confirmed",
        "reservation.created",
    ]
    assert subscriber.bad_signatures == 0
    confirmed = next(r for r in subscriber.received if r.payload["type"] == "reservation.confirmed")
    data = confirmed.payload["data"]
    assert data["reservation_id"] == reservation["id"]
    assert data["reference"] == reservation["reference"]
    assert data["restaurant"]["id"] == rid
    assert data["status"] == "confirmed" and data["party_size"] == 2 and data["time"] == "19:00"
    text = str(confirmed.payload).lower()
    for personal in ("ann", "smit", "example.com", "+3161"):
        assert personal not in text, personal
    assert confirmed.webhook_id.startswith("msg_")

    async def recorded() -> list[Any] | None:
        items = await deliveries(hooks, rid, sub["id"], manager)
        return items if {i["status"] for i in items} == {"delivered"} else None

    items = await eventually(recorded, "both deliveries recorded as delivered")
    assert all(len(i["attempts"]) == 1 and i["attempts"][0]["http_status"] == 200 for i in items)

    # another restaurant's manager sees nothing of it; a host may not manage webhooks
    other = await hooks.token_for(StaffRole.MANAGER, [await restaurant(hooks, admin)])
    for path in ("", f"/{sub['id']}", f"/{sub['id']}/deliveries"):
        r = await hooks.client.get(f"{BASE}/restaurants/{rid}/webhooks{path}", headers=other)
        assert r.status_code == 404, (path, r.text)
    host = await hooks.token_for(StaffRole.HOST, [rid])
    r = await hooks.client.get(f"{BASE}/restaurants/{rid}/webhooks", headers=host)
    assert r.status_code == 403


async def test_a_slow_subscriber_does_not_hold_up_the_booking(
    db: Database, dev_server: WorkflowEnvironment, admin: dict[str, str]
) -> None:
    settings = {**FAST, "webhook_timeout_seconds": 8.0}
    async with live_api(db, dev_server, **settings) as live, WebhookSubscriber() as subscriber:
        rid = await restaurant(live, admin)
        manager = await live.token_for(StaffRole.MANAGER, [rid])
        sub = await subscribe(
            live, rid, manager, subscriber.url, ["reservation.created", "reservation.confirmed"]
        )
        subscriber.secret = sub["secret"]
        subscriber.stall_next(seconds=6)
        subscriber.stall_next(seconds=6)
        started = asyncio.get_running_loop().time()
        created = await live.client.post(f"{BASE}/reservations", json=booking(rid))
        took = asyncio.get_running_loop().time() - started
        assert created.status_code == 201, created.text
        # the booking answered while its deliveries were still waiting on the subscriber
        assert took < 6, took
        async with live.db.sessions() as session:
            done = await session.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.status != WebhookDeliveryStatus.PENDING)
            )
        assert done == 0


async def test_a_failing_subscriber_is_retried_until_it_answers(
    hooks: LiveApi, admin: dict[str, str], subscriber: WebhookSubscriber
) -> None:
    rid = await restaurant(hooks, admin)
    manager = await hooks.token_for(StaffRole.MANAGER, [rid])
    sub = await subscribe(hooks, rid, manager, subscriber.url, ["reservation.created"])
    subscriber.secret = sub["secret"]
    subscriber.answer_next(500)
    subscriber.stall_next(seconds=2)  # past the 0.5 s timeout: retried too

    created = await hooks.client.post(f"{BASE}/reservations", json=booking(rid))
    assert created.status_code == 201, created.text

    async def delivered() -> list[Any] | None:
        items = await deliveries(hooks, rid, sub["id"], manager)
        return items if items and items[0]["status"] == "delivered" else None

    [item] = await eventually(delivered, "delivered on the third attempt", seconds=30)
    attempts = item["attempts"]
    assert [a["http_status"] for a in attempts] == [500, None, 200]
    assert "timed out" in attempts[1]["error"]
    assert attempts[0]["next_retry_at"] and attempts[1]["next_retry_at"]
    assert attempts[2]["next_retry_at"] is None
    # the same message id on every try, so the subscriber can de-duplicate
    assert len({r.webhook_id for r in subscriber.received}) == 1


async def test_a_gone_subscriber_is_not_retried(
    hooks: LiveApi, admin: dict[str, str], subscriber: WebhookSubscriber
) -> None:
    rid = await restaurant(hooks, admin)
    manager = await hooks.token_for(StaffRole.MANAGER, [rid])
    sub = await subscribe(hooks, rid, manager, subscriber.url, ["reservation.created"])
    subscriber.secret = sub["secret"]
    subscriber.answer_next(410)
    created = await hooks.client.post(f"{BASE}/reservations", json=booking(rid))
    assert created.status_code == 201, created.text

    async def failed() -> list[Any] | None:
        items = await deliveries(hooks, rid, sub["id"], manager)
        return items if items and items[0]["status"] == "failed" else None

    [item] = await eventually(failed, "the delivery failed for good")
    assert [a["http_status"] for a in item["attempts"]] == [410]
    assert item["attempts"][0]["next_retry_at"] is None
    assert "410" in item["last_error"]
    assert len(subscriber.received) == 1


async def test_a_failure_streak_disables_and_tells_the_managers(
    hooks: LiveApi, admin: dict[str, str], subscriber: WebhookSubscriber
) -> None:
    rid = await restaurant(hooks, admin, tables=4)
    manager = await hooks.token_for(StaffRole.MANAGER, [rid])
    sub = await subscribe(hooks, rid, manager, subscriber.url, ["reservation.created"])
    subscriber.secret = sub["secret"]
    subscriber.answer_always(400)
    for n in range(2):  # webhook_disable_after_failures=2
        r = await hooks.client.post(
            f"{BASE}/reservations", json=booking(rid, email=f"g{n}@example.com")
        )
        assert r.status_code == 201, r.text

    async def disabled() -> dict[str, Any] | None:
        r = await hooks.client.get(
            f"{BASE}/restaurants/{rid}/webhooks/{sub['id']}", headers=manager
        )
        body: dict[str, Any] = r.json()
        return body if body["is_active"] is False else None

    state = await eventually(disabled, "the subscription disabled")
    assert "2 deliveries failed in a row" in state["disabled_reason"]
    notices = await hooks.client.get(f"{BASE}/restaurants/{rid}/webhooks/notices", headers=manager)
    [notice] = notices.json()["items"]
    assert notice["kind"] == "webhook_subscription_disabled"
    assert notice["subscription_id"] == sub["id"]

    # disabled: a new booking writes no event for it
    r = await hooks.client.post(f"{BASE}/reservations", json=booking(rid, email="g3@example.com"))
    assert r.status_code == 201
    async with hooks.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookEvent)) == 2

    enabled = await hooks.client.post(
        f"{BASE}/restaurants/{rid}/webhooks/{sub['id']}/enable", headers=manager
    )
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["is_active"] is True and enabled.json()["failure_streak"] == 0

    gone = await hooks.client.delete(
        f"{BASE}/restaurants/{rid}/webhooks/{sub['id']}", headers=manager
    )
    assert gone.status_code == 204
    again = await hooks.client.get(
        f"{BASE}/restaurants/{rid}/webhooks/{sub['id']}", headers=manager
    )
    assert again.status_code == 404


@pytest.fixture
async def production_api(db: Database) -> AsyncIterator[Api]:
    """The API with production settings: private subscriber addresses are refused."""
    import httpx

    settings = shared.test_settings(db.url, environment="production", jwt_secret=JWT_SECRET)
    app = create_app(settings, engine=db.engine, cache=MemoryCache())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(client=client, db=db)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/hook", "events": ["reservation.created"]}, "url"),
        ({"url": "javascript:alert(1)", "events": ["reservation.created"]}, "url"),
        ({"url": "http://127.0.0.1:9/hook", "events": ["reservation.created"]}, "url"),
        ({"url": "http://10.0.0.7/hook", "events": ["reservation.created"]}, "url"),
        ({"url": "http://[::1]/hook", "events": ["reservation.created"]}, "url"),
        ({"url": "http://169.254.169.254/latest", "events": ["reservation.created"]}, "url"),
        ({"url": "http://localhost/hook", "events": ["reservation.created"]}, "url"),
        ({"url": "http://[::ffff:127.0.0.1]/hook", "events": ["reservation.created"]}, "url"),
        ({"url": "http://0.0.0.0/hook", "events": ["reservation.created"]}, "url"),
        ({"url": "http://192.168.1.1:8080/hook", "events": ["reservation.created"]}, "url"),
        ({"url": "https://user:pw@example.com/hook", "events": ["reservation.created"]}, "url"),
        ({"url": "https://example.com/hook", "events": ["reservation.exploded"]}, "events"),
        ({"url": "https://example.com/hook", "events": []}, "events"),
        ({"url": "https://example.com/h\u0000ook", "events": ["reservation.created"]}, "url"),
        (
            {
                "url": "https://example.com/hook",
                "events": ["reservation.created"],
                "description": "a\u0000b",
            },
            "description",
        ),
        ({"url": "https://example.com/hook", "events": ["reservation.created"], "x": 1}, "x"),
    ],
)
async def test_bad_subscriptions_are_422_naming_the_field(
    production_api: Api, body: dict[str, Any], field: str
) -> None:
    admin = await production_api.token_for(StaffRole.ADMIN)
    r = await production_api.client.post(
        f"{BASE}/restaurants",
        json={"name": "Hooks", "timezone": "Europe/Amsterdam", "currency": "EUR"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = await production_api.client.post(
        f"{BASE}/restaurants/{rid}/webhooks", json=body, headers=admin
    )
    assert r.status_code == 422, r.text
    assert field in r.text, r.text


async def test_waitlist_and_availability_event_names_are_accepted(
    production_api: Api,
) -> None:
    admin = await production_api.token_for(StaffRole.ADMIN)
    r = await production_api.client.post(
        f"{BASE}/restaurants",
        json={"name": "Hooks", "timezone": "Europe/Amsterdam", "currency": "EUR"},
        headers=admin,
    )
    rid = r.json()["id"]
    events = ["waitlist.offered", "waitlist.offer_expired", "availability.changed"]
    r = await production_api.client.post(
        f"{BASE}/restaurants/{rid}/webhooks",
        # a public address literal: nothing is resolved and nothing is called
        json={"url": "https://93.184.215.14/hooks", "events": events},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert sorted(r.json()["events"]) == sorted(events)


async def test_a_retried_activity_writes_one_event_and_starts_one_delivery(
    hooks: LiveApi, admin: dict[str, str], subscriber: WebhookSubscriber
) -> None:
    rid = await restaurant(hooks, admin)
    manager = await hooks.token_for(StaffRole.MANAGER, [rid])
    sub = await subscribe(hooks, rid, manager, subscriber.url, ["reservation.seated"])
    subscriber.secret = sub["secret"]
    created = await hooks.client.post(f"{BASE}/reservations", json=booking(rid))
    assert created.status_code == 201, created.text
    transition = Transition(
        reservation_id=uuid.UUID(created.json()["id"]),
        action=ReservationAction.CHECK_IN,
        status=ReservationStatus.SEATED,
        at=datetime.now(UTC),
    )
    dispatch = events.Dispatch(task_queue=hooks.task_queue, first_retry_seconds=1)
    seen: list[list[events.PendingDelivery]] = []
    for _ in range(2):  # the activity ran twice (its first completion was lost)
        async with transaction(hooks.db.sessions) as session:
            emitted = await events.transition_recorded(
                session, transition=transition, recorded=True, dispatch=dispatch, key="run/1"
            )
        await emitted.start(hooks.env.client)
        seen.append(emitted.deliveries)
    assert len(seen[0]) == 1 and seen[0] == seen[1]
    async with hooks.db.sessions() as session:
        keys = list(await session.scalars(select(WebhookEvent.key)))
    assert keys == ["run/1/reservation.seated"]

    async def told() -> list[str] | None:
        return subscriber.types() or None

    assert await eventually(told, "the seated event") == ["reservation.seated"]
    await asyncio.sleep(1.5)
    assert len(subscriber.received) == 1  # started once, delivered once


async def test_waitlist_offers_are_told_when_made_and_accepted(
    hooks: LiveApi, admin: dict[str, str], subscriber: WebhookSubscriber
) -> None:
    rid = await restaurant(hooks, admin, tables=1)
    manager = await hooks.token_for(StaffRole.MANAGER, [rid])
    sub = await subscribe(
        hooks, rid, manager, subscriber.url, ["waitlist.offered", "waitlist.offer_accepted"]
    )
    subscriber.secret = sub["secret"]
    made = await hooks.client.post(f"{BASE}/reservations", json=booking(rid))
    assert made.status_code == 201, made.text
    first = made.json()
    joined = await hooks.client.post(
        f"{BASE}/waitlist",
        json={
            "restaurant_id": rid,
            "date": first["date"],
            "time_from": "19:00",
            "time_to": "19:30",
            "party_size": 2,
            "guest": {"email": "wanda@example.com", "first_name": "Wanda"},
        },
    )
    assert joined.status_code == 201, joined.text
    entry = joined.json()
    cancelled = await hooks.client.post(
        f"{BASE}/reservations/{first['id']}/cancel",
        headers={"X-Manage-Token": first["manage_token"]},
    )
    assert cancelled.status_code == 200, cancelled.text

    async def offered() -> str | None:
        types = subscriber.types()
        return "yes" if "waitlist.offered" in types else None

    await eventually(offered, "the offer told to the subscriber")
    accepted = await hooks.client.post(
        f"{BASE}/waitlist/{entry['id']}/accept", headers={"X-Manage-Token": entry["manage_token"]}
    )
    assert accepted.status_code == 200, accepted.text

    async def taken() -> str | None:
        return "yes" if "waitlist.offer_accepted" in subscriber.types() else None

    await eventually(taken, "the accepted offer told to the subscriber")
    assert subscriber.bad_signatures == 0
    told = {r.payload["type"]: r.payload["data"] for r in subscriber.received}
    offer = told["waitlist.offered"]
    assert offer["reservation_id"] == told["waitlist.offer_accepted"]["reservation_id"]
    assert offer["source"] == "waitlist" and "Wanda" not in str(told)
