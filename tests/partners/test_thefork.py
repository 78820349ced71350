"""TheFork's side of the conversation: signed reservation events, in order and out of it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from models.enums import ReservationSource, ReservationStatus
from models.orm import ProcessedWebhookEvent, Reservation
from services.partners.marketplace import sign
from tests.api.conftest import LiveApi
from tests.partners.helpers import BASE, body_bytes, now_iso, restaurant, slot, unix_now

URL = f"{BASE}/webhooks/thefork"


class TheFork:
    """Plays TheFork: holds the partner key and HMAC secret, signs what it sends."""

    def __init__(self, live: LiveApi, key: str, secret: str, restaurant_id: str) -> None:
        self.live, self.key, self.secret, self.rid = live, key, secret, restaurant_id
        # booking ids are TheFork's, unique across its restaurants (and across tests here,
        # which share one Temporal server: the reservation id derives from the booking id)
        self.tag = uuid.uuid4().hex[:8]

    def event(
        self,
        kind: str,
        booking_id: str,
        *,
        at: tuple[str, str] | None = None,
        party: int = 2,
        offset: int = 0,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        booking_id = f"{booking_id}-{self.tag}"
        reservation: dict[str, Any] = {"reservationId": booking_id, "restaurantId": self.rid}
        if kind != "RESERVATION_CANCELLED":
            day, time = at or slot(3)
            reservation |= {
                "mealDate": day,
                "mealTime": time,
                "partySize": party,
                "customer": {"firstName": "Lou", "email": f"{booking_id}@example.com"},
            }
        return {
            "eventId": event_id or f"evt-{uuid.uuid4().hex[:12]}",
            "eventType": kind,
            "occurredAt": now_iso(offset),
            "reservation": reservation,
        }

    async def send(
        self, payload: dict[str, Any] | bytes, *, secret: str | None = None, ts: int | None = None
    ) -> Any:
        body = payload if isinstance(payload, bytes) else body_bytes(payload)
        stamp = ts if ts is not None else unix_now()
        headers = {
            "content-type": "application/json",
            "x-partner-key": self.key,
            "x-thefork-timestamp": str(stamp),
            "x-thefork-signature": sign(body=body, secret=secret or self.secret, timestamp=stamp),
        }
        return await self.live.client.post(URL, content=body, headers=headers)


@pytest.fixture
async def fork(live: LiveApi, admin: dict[str, str]) -> TheFork:
    rid = await restaurant(live, admin, tables=1)
    key = await live.client.post(f"{BASE}/partner-keys", json={"name": "TheFork"}, headers=admin)
    assert key.status_code == 201, key.text
    issued = await live.client.post(
        f"{BASE}/partner-keys/{key.json()['id']}/marketplace/thefork", headers=admin
    )
    assert issued.status_code == 200, issued.text
    return TheFork(live, key.json()["api_key"], issued.json()["hmac_secret"], rid)


async def _reservation(live: LiveApi, reservation_id: str) -> Reservation:
    async with live.db.sessions() as session:
        found = await session.get(Reservation, uuid.UUID(reservation_id))
        assert found is not None
        return found


async def test_created_updated_cancelled(fork: TheFork, live: LiveApi) -> None:
    created = await fork.send(fork.event("RESERVATION_CREATED", "tf-1", at=slot(3)))
    assert created.status_code == 200, created.text
    assert created.json()["status"] == "booked"
    rid = created.json()["reservation_id"]
    booked = await _reservation(live, rid)
    assert booked.source is ReservationSource.THEFORK
    assert booked.status is ReservationStatus.CONFIRMED

    moved = await fork.send(
        fork.event("RESERVATION_UPDATED", "tf-1", at=slot(4), party=3, offset=1)
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "modified"
    assert (await _reservation(live, rid)).party_size == 3

    cancel = await fork.send(fork.event("RESERVATION_CANCELLED", "tf-1", offset=2))
    assert cancel.status_code == 200, cancel.text
    assert (await _reservation(live, rid)).status is ReservationStatus.CANCELLED_BY_GUEST
    again = await fork.send(fork.event("RESERVATION_CANCELLED", "tf-1", offset=3))
    assert again.status_code == 200 and again.json()["status"] == "cancelled"


async def test_duplicates_and_replays_are_handled_once(fork: TheFork, live: LiveApi) -> None:
    event = fork.event("RESERVATION_CREATED", "tf-dup")
    first = await fork.send(event)
    second = await fork.send(event)
    assert first.status_code == 200 and second.status_code == 200
    assert second.json()["status"] == "duplicate"
    async with live.db.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Reservation)
            .where(Reservation.source == ReservationSource.THEFORK)
        )
        seen = await session.scalar(
            select(func.count())
            .select_from(ProcessedWebhookEvent)
            .where(ProcessedWebhookEvent.event_id.endswith(f":{event['eventId']}"))
        )
    assert count == 1 and seen == 1


async def test_out_of_order(fork: TheFork, live: LiveApi) -> None:
    # an update before its create books the booking as the update describes it
    update = fork.event("RESERVATION_UPDATED", "tf-ooo", at=slot(5), party=3, offset=10)
    create = fork.event("RESERVATION_CREATED", "tf-ooo", at=slot(3), party=2, offset=0)
    first = await fork.send(update)
    assert first.status_code == 200 and first.json()["status"] == "booked", first.text
    late = await fork.send(create)
    assert late.status_code == 200 and late.json()["status"] == "stale"
    assert (await _reservation(live, first.json()["reservation_id"])).party_size == 3

    # a cancellation before its create: 404 unknown, and the late create is refused
    gone = await fork.send(fork.event("RESERVATION_CANCELLED", "tf-never"))
    assert gone.status_code == 404 and gone.json()["code"] == "unknown_booking"
    refused = await fork.send(fork.event("RESERVATION_CREATED", "tf-never", offset=-5))
    assert refused.status_code == 409 and refused.json()["code"] == "booking_cancelled"


async def test_refusal_when_full(fork: TheFork) -> None:
    at = slot(6)
    assert (await fork.send(fork.event("RESERVATION_CREATED", "tf-a", at=at))).status_code == 200
    full = await fork.send(fork.event("RESERVATION_CREATED", "tf-b", at=at))
    assert full.status_code == 409, full.text
    body = full.json()
    assert body["code"] == "no_availability" and body["reason"]
    assert isinstance(body["alternatives"], list) and body["alternatives"]
    # the partner offers another time: the same booking id books now
    other = body["alternatives"][0]
    retry = await fork.send(
        fork.event("RESERVATION_UPDATED", "tf-b", at=(other["date"], other["time"]), offset=1)
    )
    assert retry.status_code == 200 and retry.json()["status"] == "booked", retry.text


async def test_bad_input_is_a_clean_4xx(fork: TheFork, live: LiveApi) -> None:
    event = fork.event("RESERVATION_CREATED", "tf-bad")
    assert (await fork.send(event, secret="not-the-secret")).status_code == 401
    assert (await fork.send(event, ts=unix_now() - 600)).status_code == 401  # stale
    no_key = await live.client.post(URL, content=body_bytes(event))
    assert no_key.status_code == 401
    malformed = await fork.send(b'{"eventId": "x", "eventType": ')
    assert malformed.status_code == 422
    wrong_type = await fork.send(
        {**event, "reservation": {**event["reservation"], "partySize": True}}
    )
    assert wrong_type.status_code == 422
    nul = await fork.send({**event, "eventId": "evt-\u0000"})
    assert nul.status_code == 422
    huge = await fork.send(b"{" + b" " * (1024 * 1024) + b"}")
    assert huge.status_code == 413
    unknown = await fork.send(fork.event("RESERVATION_CANCELLED", "tf-unknown"))
    assert unknown.status_code == 404
    # nothing of the refused requests was booked or remembered
    async with live.db.sessions() as session:
        assert not await session.scalar(
            select(func.count())
            .select_from(ProcessedWebhookEvent)
            .where(ProcessedWebhookEvent.event_id.endswith(f":{event['eventId']}"))
        )
    ok = await fork.send(event)
    assert ok.status_code == 200 and ok.json()["status"] == "booked"


async def _bound_fork(live: LiveApi, admin: dict[str, str], *restaurants: str) -> TheFork:
    """Another TheFork key with its own secret, bound to `restaurants`."""
    key = await live.client.post(
        f"{BASE}/partner-keys",
        json={"name": "TheFork bound", "restaurant_ids": list(restaurants), "channel": "thefork"},
        headers=admin,
    )
    assert key.status_code == 201, key.text
    issued = await live.client.post(
        f"{BASE}/partner-keys/{key.json()['id']}/marketplace/thefork", headers=admin
    )
    assert issued.status_code == 200, issued.text
    return TheFork(live, key.json()["api_key"], issued.json()["hmac_secret"], restaurants[0])


async def test_a_key_touches_only_its_restaurants_and_its_own_bookings(
    live: LiveApi, admin: dict[str, str]
) -> None:
    r1, r2, r3 = [await restaurant(live, admin, tables=2) for _ in range(3)]
    mine = await _bound_fork(live, admin, r1)
    other = await _bound_fork(live, admin, r2, r3)  # two restaurants: no single one
    other.tag = mine.tag  # the same booking ids, as an attacker would guess them

    # a key bound to two restaurants cannot book at a third
    elsewhere = fork_event_at(other, "RESERVATION_CREATED", "tf-x", r1)
    refused = await other.send(elsewhere)
    assert refused.status_code == 404, refused.text

    made = await mine.send(mine.event("RESERVATION_CREATED", "tf-own", at=slot(3)))
    assert made.status_code == 200 and made.json()["status"] == "booked", made.text
    reservation_id = made.json()["reservation_id"]
    # the other key names the same booking id at its own restaurant: not its booking
    for kind in ("RESERVATION_UPDATED", "RESERVATION_CANCELLED"):
        meddled = await other.send(fork_event_at(other, kind, "tf-own", r2, offset=5))
        assert meddled.status_code == 404, meddled.text
        assert meddled.json()["code"] == "unknown_booking"
    taken = await other.send(fork_event_at(other, "RESERVATION_CREATED", "tf-own", r2))
    assert taken.status_code == 409 and taken.json()["code"] == "booking_id_taken", taken.text
    kept = await _reservation(live, reservation_id)
    assert kept.status is ReservationStatus.CONFIRMED and kept.party_size == 2

    # event ids are each sender's own: the same id from two keys is two events
    same_id = "evt-shared-1"
    first = await mine.send(mine.event("RESERVATION_CREATED", "tf-e1", event_id=same_id))
    second = await other.send(
        fork_event_at(other, "RESERVATION_CREATED", "tf-e2", r2, event_id=same_id)
    )
    assert first.json()["status"] == "booked", first.text
    assert second.json()["status"] == "booked", second.text


async def test_an_update_as_old_as_the_create_applies_and_the_future_is_refused(
    fork: TheFork, live: LiveApi
) -> None:
    stamp = now_iso()
    created = fork.event("RESERVATION_CREATED", "tf-same", at=slot(3))
    updated = fork.event("RESERVATION_UPDATED", "tf-same", at=slot(3), party=3)
    created["occurredAt"] = updated["occurredAt"] = stamp
    made = await fork.send(created)
    assert made.status_code == 200 and made.json()["status"] == "booked", made.text
    moved = await fork.send(updated)
    assert moved.status_code == 200 and moved.json()["status"] == "modified", moved.text
    assert (await _reservation(live, made.json()["reservation_id"])).party_size == 3
    # an hour ahead of our clock would freeze the booking: every real event after it
    # would be older
    ahead = await fork.send(
        fork.event("RESERVATION_UPDATED", "tf-same", at=slot(3), party=4, offset=3600)
    )
    assert ahead.status_code == 422 and ahead.json()["field"] == "occurredAt", ahead.text


def fork_event_at(
    fork: TheFork, kind: str, booking_id: str, restaurant_id: str, **kwargs: Any
) -> dict[str, Any]:
    """An event of `fork` naming `restaurant_id` rather than its first restaurant."""
    event = fork.event(kind, booking_id, **kwargs)
    event["reservation"]["restaurantId"] = restaurant_id
    return event
