"""The waitlist over HTTP, against a real worker on the Temporal dev server (PostgreSQL).

A guest joins the waitlist of a full evening; a booking is cancelled; the
restaurant-day's dispatcher offers the freed table; the guest accepts by link,
by the API or by SMS, or declines and the next guest gets it. Hosts keep
today's walk-in queue: add a party with a quote, seat it, skip it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from temporalio import workflow
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import (
    Interceptor,
    SignalExternalWorkflowInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)
from twilio.request_validator import RequestValidator

from activities.capacity import tell_dispatcher
from api import waitlist_lifecycle
from api.lifecycle import workflow_id
from messaging.catalog.waitlist_page import WAITLIST_PAGE_WORDS
from messaging.render import SUPPORTED_LANGUAGES
from models.enums import ReservationStatus, StaffRole, WaitlistStatus
from models.orm import Reservation, RestaurantTable, TableAllocation, WaitlistEntry, WebhookEvent
from models.schemas.waitlist import ReleaseOffer, dispatcher_workflow_id, entry_workflow_id
from reservations.db import transaction
from services.waitlist import matching, offers
from tests.api.conftest import LiveApi, eventually, live_api
from tests.api.test_reservation_lifecycle import BASE, booking, booking_day, restaurant
from tests.conftest import Database
from tests.messaging.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGING_SERVICE_SID,
    FakeTwilio,
)
from worker.registry import activity_functions
from workflows.waitlist import WaitlistWorkflow

PUBLIC = "https://book.example.test"
SMS_PATH = f"{BASE}/webhooks/twilio/sms"
WAITLIST = f"{BASE}/waitlist"


@dataclass
class Site:
    live: LiveApi
    admin: dict[str, str]
    sms: FakeTwilio


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def site(
    pg_db: Database, dev_server: WorkflowEnvironment, twilio: FakeTwilio
) -> AsyncIterator[Site]:
    async with live_api(
        pg_db,
        dev_server,
        public_base_url=PUBLIC,
        sms_provider="twilio",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_messaging_service_sid=MESSAGING_SERVICE_SID,
        twilio_api_url=twilio.url,
    ) as live:
        admin = await live.token_for(StaffRole.ADMIN)
        yield Site(live=live, admin=admin, sms=twilio)


# ---- helpers -----------------------------------------------------------------------------


def join_body(
    rid: str,
    *,
    email: str = "wanda@example.com",
    phone: str = "+31687654321",
    party: int = 2,
    day: date | None = None,
    # the booked 19:00 blocks every start in this window; a freed table fits one party
    time_from: str = "19:00",
    time_to: str = "19:30",
) -> dict[str, Any]:
    return {
        "restaurant_id": rid,
        "date": (day or booking_day()).isoformat(),
        "time_from": time_from,
        "time_to": time_to,
        "party_size": party,
        "guest": {"email": email, "first_name": "Wanda", "phone": phone},
    }


async def full_evening(s: Site) -> tuple[str, dict[str, Any]]:
    """A restaurant with one table, booked at 19:00 on the booking day."""
    rid = await restaurant(s.live, s.admin, tables=1)
    made = await s.live.client.post(f"{BASE}/reservations", json=booking(rid))
    assert made.status_code == 201, made.text
    return rid, made.json()


async def join(s: Site, rid: str, **fields: Any) -> dict[str, Any]:
    r = await s.live.client.post(WAITLIST, json=join_body(rid, **fields))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    await settled(s, rid, date.fromisoformat(body["date"]))
    return body


async def settled(s: Site, rid: str, day: date) -> None:
    """Wait until the restaurant-day's dispatcher has nothing in hand.

    Joining signals the dispatcher; a test that frees a table while that match is
    still running would race it (which entry a freed table goes to then depends on
    timing), so steps that free capacity wait for the dispatcher first.
    """
    handle = s.live.env.client.get_workflow_handle(dispatcher_workflow_id(uuid.UUID(rid), day))
    quiet = 0
    for _ in range(200):
        try:
            raw = (await handle.describe()).raw_description
        except RPCError:
            return  # no dispatcher (yet): nothing in hand
        busy = bool(raw.pending_activities) or raw.HasField("pending_workflow_task")
        quiet = 0 if busy else quiet + 1
        if quiet >= 3:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the dispatcher of {rid} on {day} stayed busy")


async def entry(s: Site, joined: dict[str, Any]) -> dict[str, Any]:
    r = await s.live.client.get(
        f"{WAITLIST}/{joined['id']}", headers={"X-Manage-Token": joined["manage_token"]}
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def offered(s: Site, joined: dict[str, Any]) -> dict[str, Any]:
    """Poll the entry until it holds an offer, and its workflow has taken the offer.

    The dispatcher records the hold before the entry's workflow receives it; the
    guest's message (and so the guest's answer) only follows the workflow.
    """

    async def probe() -> dict[str, Any] | None:
        now = await entry(s, joined)
        if now["status"] != "offered" or not now["offer"]:
            return None
        return now if await workflow_offered(s, joined["id"]) else None

    return await eventually(probe, f"an offer for entry {joined['id']}")


async def workflow_offered(s: Site, entry_id: str) -> bool:
    """Whether the entry's workflow holds an offer (its query, not the database)."""
    handle = s.live.env.client.get_workflow_handle_for(
        WaitlistWorkflow.run, entry_workflow_id(uuid.UUID(entry_id))
    )
    state = await handle.query(WaitlistWorkflow.state)
    return state.status is WaitlistStatus.OFFERED


async def cancel(s: Site, made: dict[str, Any]) -> None:
    r = await s.live.client.post(
        f"{BASE}/reservations/{made['id']}/cancel",
        json={"reason": "plans changed"},
        headers={"X-Manage-Token": made["manage_token"]},
    )
    assert r.status_code == 200, r.text


def token_of(joined: dict[str, Any]) -> dict[str, str]:
    return {"X-Manage-Token": joined["manage_token"]}


# ---- the future waitlist -----------------------------------------------------------------


async def test_join_is_idempotent_and_private(site: Site) -> None:
    rid, _ = await full_evening(site)
    first = await join(site, rid)
    assert first["status"] == "waiting"
    assert first["kind"] == "future"
    assert first["party_size"] == 2
    assert first["manage_token"]
    # the same guest for the same day and window: the same entry
    again = await join(site, rid, email="WANDA@example.com")
    assert again["id"] == first["id"]

    client = site.live.client
    assert (await client.get(f"{WAITLIST}/{first['id']}")).status_code == 401
    # another entry's token does not open this one
    other = await join(site, rid, email="otto@example.com", phone="+31611111111")
    r = await client.get(f"{WAITLIST}/{first['id']}", headers=token_of(other))
    assert r.status_code == 404
    # staff of another restaurant: 404 on every route
    elsewhere = await restaurant(site.live, site.admin, tables=1)
    outsider = await site.live.token_for(StaffRole.MANAGER, [elsewhere])
    entry_routes = [
        ("GET", f"{WAITLIST}/{first['id']}", None),
        ("DELETE", f"{WAITLIST}/{first['id']}", None),
        ("POST", f"{WAITLIST}/{first['id']}/accept", None),
        ("POST", f"{WAITLIST}/{first['id']}/decline", None),
        ("POST", f"{WAITLIST}/{first['id']}/notify", None),
        ("POST", f"{WAITLIST}/{first['id']}/seat", {}),
        ("POST", f"{WAITLIST}/{first['id']}/skip", None),
        ("GET", f"{WAITLIST}/restaurant/{rid}", None),
        ("POST", f"{BASE}/restaurants/{rid}/walk-in-queue", {"party_size": 2, "first_name": "X"}),
        ("GET", f"{BASE}/restaurants/{rid}/walk-in-queue/quote?party_size=2", None),
    ]
    for method, path, body in entry_routes:
        r = await client.request(method, path, json=body, headers=outsider)
        assert r.status_code == 404, (method, path, r.status_code, r.text)

    # staff of the restaurant list its entries, filtered by date and status
    staff = await site.live.token_for(StaffRole.HOST, [rid])
    listed = await client.get(
        f"{WAITLIST}/restaurant/{rid}",
        params={"date": booking_day().isoformat(), "status": "waiting", "limit": 1},
        headers=staff,
    )
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == 2 and page["limit"] == 1 and page["offset"] == 0
    assert len(page["items"]) == 1
    assert page["items"][0]["id"] == first["id"]  # first come, first listed
    none = await client.get(
        f"{WAITLIST}/restaurant/{rid}", params={"status": "seated"}, headers=staff
    )
    assert none.json()["total"] == 0


async def test_a_cancellation_becomes_an_offer_and_accepting_books(site: Site) -> None:
    rid, made = await full_evening(site)
    joined = await join(site, rid)
    # nothing to accept yet
    early = await site.live.client.post(
        f"{WAITLIST}/{joined['id']}/accept", headers=token_of(joined)
    )
    assert early.status_code == 409, early.text
    assert early.headers["content-type"].startswith("application/problem+json")
    assert early.json()["detail"] == "there is no open offer: the entry is waiting"
    assert early.json()["error"] == "IllegalTransition"

    await cancel(site, made)
    now = await offered(site, joined)
    assert now["offer"]["table_numbers"] == ["1"]

    # the links in the offer message: a GET shows buttons and accepts nothing
    for link in (f"{WAITLIST}/{joined['id']}/accept", f"/manage/waitlist/{joined['id']}"):
        page = await site.live.client.get(link, params={"token": joined["manage_token"]})
        assert page.status_code == 200, page.text
        assert '<form method="post"' in page.text and "/accept" in page.text
    forged = await site.live.client.get(
        f"{WAITLIST}/{joined['id']}/accept", params={"token": made["manage_token"]}
    )
    assert forged.status_code == 404  # a reservation's token is not the entry's
    assert (await entry(site, joined))["status"] == "offered"
    # the offered table is ten days away: staff cannot seat the party now (as for a
    # check-in), and the offer stays the guest's to accept
    host = await site.live.token_for(StaffRole.HOST, [rid])
    seat = await site.live.client.post(f"{WAITLIST}/{joined['id']}/seat", json={}, headers=host)
    assert seat.status_code == 409 and "too early" in seat.json()["detail"], seat.text
    assert (await entry(site, joined))["status"] == "offered"

    accepted = await site.live.client.post(
        f"{WAITLIST}/{joined['id']}/accept", headers=token_of(joined)
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted"
    reservation_id = body["reservation_id"]
    assert reservation_id

    staff = await site.live.token_for(StaffRole.HOST, [rid])
    booked = await site.live.client.get(
        f"{BASE}/restaurants/{rid}/reservations/{reservation_id}", headers=staff
    )
    assert booked.status_code == 200, booked.text
    assert booked.json()["status"] == "confirmed"
    assert booked.json()["table_numbers"] == ["1"]
    # the booking lives on in a workflow of its own
    handle = site.live.env.client.get_workflow_handle(workflow_id(uuid.UUID(reservation_id)))
    described = await handle.describe()
    assert described.workflow_type == "ReservationWorkflow"

    # accepting again is refused: the offer is gone
    twice = await site.live.client.post(
        f"{WAITLIST}/{joined['id']}/accept", headers=token_of(joined)
    )
    assert twice.status_code == 409, twice.text


class _LateOffers(Interceptor):
    """Workers whose dispatcher signals an offer to its entry 2 s after recording it."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        return _LateOffersInbound


class _LateOffersInbound(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_LateOffersOutbound(outbound))


class _LateOffersOutbound(WorkflowOutboundInterceptor):
    async def signal_external_workflow(self, input: SignalExternalWorkflowInput) -> None:
        if input.signal == "offer":
            await workflow.sleep(2)  # the moment the database shows an offer the entry lacks
        await super().signal_external_workflow(input)


async def test_an_accept_sent_as_the_database_shows_the_offer_books(site: Site) -> None:
    await site.live.stop_worker()
    site.live.start_worker(interceptors=[_LateOffers()])
    rid, made = await full_evening(site)
    joined = await join(site, rid)
    await cancel(site, made)

    async def in_database() -> bool | None:
        return (await entry(site, joined))["status"] == "offered" or None

    # at once, before the entry's workflow has the offer (a guest answering the offer
    # e-mail, or an integrator told by the waitlist.offered webhook)
    await eventually(in_database, "the offer in the database")
    assert not await workflow_offered(site, joined["id"])
    accepted = await site.live.client.post(
        f"{WAITLIST}/{joined['id']}/accept", headers=token_of(joined)
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"


async def test_an_offer_that_never_reaches_the_workflow_is_refused_after_the_wait(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waitlist_lifecycle, "OFFER_ARRIVAL_SECONDS", 0.5)
    rid, _ = await full_evening(site)
    joined = await join(site, rid)
    async with transaction(site.live.db.sessions) as session:
        row = await session.get(WaitlistEntry, uuid.UUID(joined["id"]))
        assert row is not None
        row.status = WaitlistStatus.OFFERED  # as if an offer were on its way
    refused = await site.live.client.post(
        f"{WAITLIST}/{joined['id']}/accept", headers=token_of(joined)
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "IllegalTransition"


async def test_declining_passes_the_table_to_the_next_guest(site: Site) -> None:
    rid, made = await full_evening(site)
    first = await join(site, rid)
    second = await join(site, rid, email="otto@example.com", phone="+31611111111")
    await cancel(site, made)
    await offered(site, first)
    assert (await entry(site, second))["status"] == "waiting"

    # declined from the guest page's button (a POST, as a phone sends it)
    page = await site.live.client.post(
        f"/manage/waitlist/{first['id']}/decline",
        data={"token": first["manage_token"]},
    )
    assert page.status_code == 303, page.text
    assert (await entry(site, first))["status"] in {"waiting", "cancelled", "expired"}
    await offered(site, second)


async def test_an_offer_released_by_an_attempt_cut_short_still_reaches_the_next_guest(
    site: Site,
) -> None:
    """The release's first attempt committed, then its worker died before telling the
    dispatcher; the retry finds nothing left to release and must still tell it."""
    rid, made = await full_evening(site)
    first = await join(site, rid)
    second = await join(site, rid, email="otto@example.com", phone="+31611111111")
    await cancel(site, made)
    offer_id = uuid.UUID((await offered(site, first))["offer"]["reservation_id"])
    async with transaction(site.live.db.sessions) as session:
        await offers.release_offer(
            session, reservation_id=offer_id, reason="declined", now=datetime.now(UTC)
        )
    release = next(
        f for f in activity_functions(site.live.deps) if f.__name__ == "release_waitlist_offer"
    )
    await ActivityEnvironment(site.live.env.client).run(
        release,
        ReleaseOffer(entry_id=uuid.UUID(first["id"]), reservation_id=offer_id, reason="declined"),
    )
    await offered(site, second)


async def test_an_offer_that_expired_before_its_entry_heard_of_it_is_made_again(
    site: Site,
) -> None:
    """A round of the dispatcher held a table for the entry, then its worker died with the
    answer and stayed down past the offer's window. The next round lists the lapsed offer
    too: the entry, told late, waits again and is offered the table afresh."""
    rid, _ = await full_evening(site)
    first = await join(site, rid)
    day = date.fromisoformat(first["date"])
    async with transaction(site.live.db.sessions) as session:
        session.add(
            RestaurantTable(
                restaurant_id=uuid.UUID(rid), number="2", min_capacity=1, max_capacity=4
            )
        )
        await session.flush()
        (lost,) = await matching.match_waitlist(
            session,
            restaurant_id=uuid.UUID(rid),
            day=day,
            now=datetime.now(UTC) - timedelta(hours=1),
            entry_id=uuid.UUID(first["id"]),
            limit=1,
        )
    assert (await entry(site, first))["status"] == "offered"
    assert not await workflow_offered(site, first["id"])
    await tell_dispatcher(
        site.live.env.client,
        restaurant_id=uuid.UUID(rid),
        day=day,
        reason="retried",
        event_id="retried-round",
        task_queue=site.live.task_queue,
    )
    again = await offered(site, first)
    assert again["offer"]["reservation_id"] != str(lost.facts.reservation_id)
    assert again["offer"]["table_numbers"] == ["2"]


async def test_leaving_the_list(site: Site) -> None:
    rid, made = await full_evening(site)
    joined = await join(site, rid)
    left = await site.live.client.delete(f"{WAITLIST}/{joined['id']}", headers=token_of(joined))
    assert left.status_code == 200, left.text
    assert left.json()["status"] == "cancelled"
    # a left entry is not offered the freed table, and cannot accept
    await cancel(site, made)
    r = await site.live.client.post(f"{WAITLIST}/{joined['id']}/accept", headers=token_of(joined))
    assert r.status_code == 409, r.text


async def test_sms_yes_accepts_the_open_offer(site: Site) -> None:
    rid, made = await full_evening(site)
    phone = "+31622222222"
    joined = await join(site, rid, phone=phone)
    await cancel(site, made)
    await offered(site, joined)
    assert await sms(site, phone, "Sí!") == 200

    async def accepted() -> dict[str, Any] | None:
        now = await entry(site, joined)
        return now if now["status"] == "accepted" else None

    done = await eventually(accepted, "the SMS accepted the offer")
    assert done["reservation_id"]


async def test_sms_no_declines_and_other_words_are_left_alone(site: Site) -> None:
    rid, made = await full_evening(site)
    phone = "+31644444444"
    joined = await join(site, rid, phone=phone)
    await cancel(site, made)
    await offered(site, joined)
    assert await sms(site, phone, "maybe later?") == 200
    await asyncio.sleep(0.5)
    assert (await entry(site, joined))["status"] == "offered"  # a sentence is for a person
    assert await sms(site, phone, "NEE") == 200

    async def declined() -> dict[str, Any] | None:
        now = await entry(site, joined)
        return now if now["status"] == "cancelled" else None

    await eventually(declined, "the SMS declined the offer")


async def sms(s: Site, phone: str, body: str) -> int:
    """A guest's SMS as Twilio posts it (signed); the answer's status code."""
    sid = "SM" + uuid.uuid4().hex
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": phone,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + SMS_PATH, params)
    r = await s.live.client.post(
        SMS_PATH, data=params, headers={"X-Twilio-Signature": str(signature)}
    )
    return r.status_code


# ---- today's walk-in queue ---------------------------------------------------------------


async def test_walk_in_queue_quote_seat_and_skip(site: Site) -> None:
    rid = await restaurant(site.live, site.admin, tables=1, all_day=True)
    host = await site.live.token_for(StaffRole.HOST, [rid])
    client = site.live.client
    sitting = await client.post(
        f"{BASE}/restaurants/{rid}/walk-ins", json={"party_size": 2}, headers=host
    )
    assert sitting.status_code == 201, sitting.text

    queue = f"{BASE}/restaurants/{rid}/walk-in-queue"
    added = await client.post(
        queue, json={"party_size": 2, "first_name": "Quinn", "phone": "+31633333333"}, headers=host
    )
    assert added.status_code == 201, added.text
    first = added.json()
    assert first["kind"] == "walk_in" and first["status"] == "waiting"
    assert first["quoted_wait_minutes"] is not None and first["quoted_wait_minutes"] > 0
    second = (
        await client.post(queue, json={"party_size": 2, "first_name": "Rae"}, headers=host)
    ).json()

    await settled(site, rid, date.fromisoformat(second["date"]))
    quote = await client.get(f"{queue}/quote", params={"party_size": 2}, headers=host)
    assert quote.status_code == 200, quote.text
    assert quote.json()["party_size"] == 2
    assert quote.json()["wait_minutes"] is not None

    # the first party goes home; the host seats the queued one
    done = await client.post(
        f"{BASE}/restaurants/{rid}/reservations/{sitting.json()['id']}/complete", headers=host
    )
    assert done.status_code == 200, done.text

    # the freed table is held for the first party in the queue ("your table is ready")
    async def table_ready() -> dict[str, Any] | None:
        now = (await client.get(f"{WAITLIST}/{first['id']}", headers=host)).json()
        ready = now["status"] == "offered" and await workflow_offered(site, first["id"])
        return now if ready else None

    ready = await eventually(table_ready, "the table held for the first party")
    assert ready["offer"]["table_numbers"] == ["1"]
    assert (await client.get(f"{WAITLIST}/{second['id']}", headers=host)).json()[
        "status"
    ] == "waiting"
    seated = await client.post(f"{WAITLIST}/{first['id']}/seat", json={}, headers=host)
    assert seated.status_code == 200, seated.text
    assert seated.json()["status"] == "seated"
    # seated on the table held for it: the hold (source "waitlist") becomes the seated booking
    assert seated.json()["source"] in {"walk_in", "waitlist"}
    assert seated.json()["table_numbers"] == ["1"]

    skipped = await client.post(f"{WAITLIST}/{second['id']}/skip", headers=host)
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["status"] in {"cancelled", "expired"}
    # a guest has no business on host routes
    anon = await client.post(f"{WAITLIST}/{second['id']}/skip")
    assert anon.status_code == 401


async def queued_behind_a_seated_party(
    site: Site, rid: str, host: dict[str, str]
) -> dict[str, Any]:
    """A walk-in sits at the restaurant's one table; Quinn's party of two joins the queue."""
    client = site.live.client
    sitting = await client.post(
        f"{BASE}/restaurants/{rid}/walk-ins", json={"party_size": 2}, headers=host
    )
    assert sitting.status_code == 201, sitting.text
    added = await client.post(
        f"{BASE}/restaurants/{rid}/walk-in-queue",
        json={"party_size": 2, "first_name": "Quinn"},
        headers=host,
    )
    assert added.status_code == 201, added.text
    return dict(added.json())


async def test_seating_a_queued_party_on_a_foreign_table_is_a_422_and_the_entry_stays_usable(
    site: Site,
) -> None:
    rid = await restaurant(site.live, site.admin, tables=1, all_day=True)
    host = await site.live.token_for(StaffRole.HOST, [rid])
    client = site.live.client
    entry = await queued_behind_a_seated_party(site, rid, host)
    assert entry["status"] == "waiting"
    # answered, not retried as if the booking's refusal were an outage
    seat = await asyncio.wait_for(
        client.post(
            f"{WAITLIST}/{entry['id']}/seat",
            json={"table_ids": [str(uuid.uuid4())]},
            headers=host,
        ),
        30,
    )
    assert seat.status_code == 422, seat.text
    assert seat.json()["field"] == "table_ids", seat.text
    # and the entry is not locked by a seat attempt that never ends
    skipped = await asyncio.wait_for(
        client.post(f"{WAITLIST}/{entry['id']}/skip", headers=host), 30
    )
    assert skipped.status_code == 200, skipped.text


async def test_seating_a_walk_in_whose_offer_is_in_flight_sits_it_on_the_offer(
    site: Site,
) -> None:
    """The dispatcher has held a table for the queued party but not yet told its workflow.

    The host seats the party in that window: it sits on the held table (the only free
    one), once, and a late "not wanted" release of that offer leaves it seated.
    """
    rid = await restaurant(site.live, site.admin, tables=1, all_day=True)
    host = await site.live.token_for(StaffRole.HOST, [rid])
    client = site.live.client
    # a subscriber to lapsed offers: a seated party's offer must not be told as one
    hooked = await client.post(
        f"{BASE}/restaurants/{rid}/webhooks",
        json={"url": "https://hooks.example.test/in", "events": ["waitlist.offer_expired"]},
        headers=site.admin,
    )
    assert hooked.status_code == 201, hooked.text
    queued = await queued_behind_a_seated_party(site, rid, host)
    day = date.fromisoformat(queued["date"])
    await settled(site, rid, day)
    assert (await client.get(f"{WAITLIST}/{queued['id']}", headers=host)).json()[
        "status"
    ] == "waiting"

    # a second table, and the dispatcher's hold on it for the queued party, written as
    # the dispatcher writes them; its signal to the entry's workflow is not sent
    entry_id = uuid.UUID(queued["id"])
    async with transaction(site.live.db.sessions) as session:
        session.add(
            RestaurantTable(
                restaurant_id=uuid.UUID(rid), number="2", min_capacity=1, max_capacity=4
            )
        )
        await session.flush()
        made = await matching.match_waitlist(
            session,
            restaurant_id=uuid.UUID(rid),
            day=day,
            now=datetime.now(UTC),
            entry_id=entry_id,
            limit=1,
        )
    assert [(m.entry_id, m.facts.table_numbers) for m in made] == [(entry_id, ["2"])]
    offer_id = made[0].facts.reservation_id
    assert not await workflow_offered(site, queued["id"])

    seated = await client.post(f"{WAITLIST}/{queued['id']}/seat", json={}, headers=host)
    assert seated.status_code == 200, seated.text
    assert seated.json()["id"] == str(offer_id)
    assert seated.json()["status"] == "seated"
    assert seated.json()["table_numbers"] == ["2"]

    handle = site.live.env.client.get_workflow_handle_for(
        WaitlistWorkflow.run, entry_workflow_id(entry_id)
    )
    state = await handle.result()
    assert state.status is WaitlistStatus.SEATED
    assert state.reservation_id == offer_id

    # the offer's signal reaching the entry's workflow now: it releases the offer as not
    # wanted, which must neither free the seated party's table nor tell "offer expired"
    release = next(
        f for f in activity_functions(site.live.deps) if f.__name__ == "release_waitlist_offer"
    )
    await ActivityEnvironment(site.live.env.client).run(
        release, ReleaseOffer(entry_id=entry_id, reservation_id=offer_id, reason="not_wanted")
    )
    async with transaction(site.live.db.sessions) as session:
        entry = await session.get(WaitlistEntry, entry_id)
        assert entry is not None
        assert (entry.status, entry.reservation_id) == (WaitlistStatus.SEATED, offer_id)
        party = await session.scalars(
            select(Reservation).where(Reservation.guest_id == entry.guest_id)
        )
        assert [(r.id, r.status) for r in party] == [(offer_id, ReservationStatus.SEATED)]
        tables = await session.scalars(
            select(RestaurantTable.number)
            .join(TableAllocation, TableAllocation.table_id == RestaurantTable.id)
            .where(
                TableAllocation.reservation_id == offer_id,
                TableAllocation.released_at.is_(None),
            )
        )
        assert list(tables) == ["2"]
        told = await session.scalars(
            select(WebhookEvent.type).where(WebhookEvent.reservation_id == offer_id)
        )
        assert list(told) == []


# ---- bad input ---------------------------------------------------------------------------


async def test_refusals_name_the_field(site: Site) -> None:
    rid, _ = await full_evening(site)
    client = site.live.client
    closed = await client.post(
        f"{BASE}/restaurants/{rid}/special-days",
        json={"starts_on": booking_day().isoformat(), "kind": "closed"},
        headers=site.admin,
    )
    assert closed.status_code == 201, closed.text
    cases: list[tuple[dict[str, Any], str]] = [
        (join_body(rid), "date"),  # closed that day
        (join_body(rid, day=date(2031, 1, 7)), "date"),  # past the booking window
        (join_body(rid, party=10), "party_size"),  # no table combination seats ten
    ]
    for body, field in cases:
        if field == "party_size":
            body["date"] = date.fromordinal(booking_day().toordinal() + 1).isoformat()
        r = await client.post(WAITLIST, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["field"] == field, r.text

    # an area the restaurant does not have: waiting for it could never end
    host = await site.live.token_for(StaffRole.HOST, [rid])
    nowhere: list[tuple[str, str, dict[str, Any] | None, dict[str, str | int] | None]] = [
        ("POST", WAITLIST, {**join_body(rid), "seating_area": "Rooftop"}, None),
        (
            "POST",
            f"{BASE}/restaurants/{rid}/walk-in-queue",
            {"party_size": 2, "first_name": "Pat", "seating_area": "Rooftop"},
            None,
        ),
        (
            "GET",
            f"{BASE}/restaurants/{rid}/walk-in-queue/quote",
            None,
            {"party_size": 2, "seating_area": "Rooftop"},
        ),
    ]
    for method, url, sent, params in nowhere:
        r = await client.request(method, url, json=sent, params=params, headers=host)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["field"] == "seating_area" and "Rooftop" in r.json()["detail"], r.text

    hostile: list[dict[str, Any]] = [
        {**join_body(rid), "party_size": 10**40},
        {**join_body(rid), "party_size": True},
        {**join_body(rid), "notes": "a\x00b"},
        {**join_body(rid), "guest": {"email": "a@example.com", "first_name": "N\x00L"}},
        {**join_body(rid), "restaurant_id": "not-a-uuid"},
    ]
    for body in hostile:
        r = await client.post(WAITLIST, json=body)
        assert 400 <= r.status_code < 500, (body, r.text)
    for size in ("0", "10000000000000000000000", "2.5", "true"):
        r = await client.get(
            f"{BASE}/restaurants/{rid}/walk-in-queue/quote",
            params={"party_size": size},
            headers=host,
        )
        assert r.status_code == 422, (size, r.text)
    r = await client.get(f"{WAITLIST}/{uuid.uuid4()}", headers=site.admin)
    assert r.status_code == 404
    r = await client.post(
        f"{BASE}/restaurants/{rid}/walk-in-queue",
        json={"party_size": 2, "first_name": "Pat", "phone": "call me maybe"},
        headers=host,
    )
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "phone"


async def test_a_table_added_or_unblocked_is_offered(site: Site) -> None:
    rid, _ = await full_evening(site)
    first = await join(site, rid)
    client = site.live.client
    added = await client.post(
        f"{BASE}/restaurants/{rid}/tables",
        json={"number": "2", "min_capacity": 1, "max_capacity": 4, "is_active": False},
        headers=site.admin,
    )
    assert added.status_code == 201, added.text
    await asyncio.sleep(1)  # a blocked table frees nothing
    assert (await entry(site, first))["status"] == "waiting"
    unblocked = await client.patch(
        f"{BASE}/restaurants/{rid}/tables/{added.json()['id']}",
        json={"is_active": True},
        headers=site.admin,
    )
    assert unblocked.status_code == 200, unblocked.text
    assert (await offered(site, first))["offer"]["table_numbers"] == ["2"]

    second = await join(site, rid, email="otto@example.com", phone="+31611111111")
    assert (await entry(site, second))["status"] == "waiting"
    another = await client.post(
        f"{BASE}/restaurants/{rid}/tables",
        json={"number": "3", "min_capacity": 1, "max_capacity": 4},
        headers=site.admin,
    )
    assert another.status_code == 201, another.text
    assert (await offered(site, second))["offer"]["table_numbers"] == ["3"]


async def test_a_reopened_day_is_offered(site: Site) -> None:
    rid, made = await full_evening(site)
    joined = await join(site, rid)
    client = site.live.client
    closed = await client.post(
        f"{BASE}/restaurants/{rid}/special-days",
        json={"starts_on": booking_day().isoformat(), "kind": "closed"},
        headers=site.admin,
    )
    assert closed.status_code == 201, closed.text
    await cancel(site, made)  # the table is free, but the day is closed
    await asyncio.sleep(1)
    assert (await entry(site, joined))["status"] == "waiting"
    reopened = await client.delete(
        f"{BASE}/restaurants/{rid}/special-days/{closed.json()['id']}", headers=site.admin
    )
    assert reopened.status_code == 204, reopened.text
    assert (await offered(site, joined))["offer"]["table_numbers"] == ["1"]


async def test_a_table_freed_after_midnight_is_offered_to_the_late_services_waitlist(
    site: Site,
) -> None:
    """A booking at 00:30 is dated the next calendar day but belongs to the evening's
    late service: the guests waiting for that service hear its table come free."""
    made_restaurant = await site.live.client.post(
        f"{BASE}/restaurants",
        json={
            "name": f"Late {uuid.uuid4().hex[:6]}",
            "timezone": "Europe/Amsterdam",
            "currency": "EUR",
            "settings": {"min_notice_minutes": 0, "default_seating_minutes": 90},
            "services": [
                {
                    "weekday": d,
                    "name": "late",
                    "opens_at": "20:00",
                    "closes_at": "02:30",
                    "last_seating_at": "00:30",
                }
                for d in range(7)
            ],
        },
        headers=site.admin,
    )
    assert made_restaurant.status_code == 201, made_restaurant.text
    rid = made_restaurant.json()["id"]
    table = await site.live.client.post(
        f"{BASE}/restaurants/{rid}/tables",
        json={"number": "1", "min_capacity": 1, "max_capacity": 4},
        headers=site.admin,
    )
    assert table.status_code == 201, table.text
    evening = booking_day()
    after_midnight = booking(rid, at="00:30", day=evening + timedelta(days=1))
    made = await site.live.client.post(f"{BASE}/reservations", json=after_midnight)
    assert made.status_code == 201, made.text
    # the only table is taken from 00:30: nothing in the window fits a 90-minute meal
    joined = await join(site, rid, day=evening, time_from="23:30", time_to="00:30")
    assert (await entry(site, joined))["status"] == "waiting"
    # a window wholly after midnight is the same evening's too (00:30 is its last seating)
    late = await join(
        site, rid, day=evening, time_from="00:30", time_to="00:30",
        email="owl@example.com", phone="+31622222222",
    )  # fmt: skip
    assert (await entry(site, late))["status"] == "waiting"
    async with transaction(site.live.db.sessions) as session:
        stored = await session.get(WaitlistEntry, uuid.UUID(late["id"]))
        assert stored is not None
        # it ends with the window's last start, that night, not the evening before
        assert stored.expires_at == datetime.fromisoformat(made.json()["starts_at"])
    await cancel(site, made.json())
    now = await offered(site, joined)
    assert now["offer"]["table_numbers"] == ["1"]


def _zone_reading(*hours: int) -> str:
    """A fixed-offset zone whose clock reads one of `hours` (whole hours) now."""
    hour = datetime.now(UTC).hour
    for offset in range(-12, 15):
        if (hour + offset) % 24 in hours:
            # Etc/GMT-5 is five hours ahead of UTC (the sign is POSIX's)
            return f"Etc/GMT{-offset:+d}" if offset else "UTC"
    raise AssertionError(f"no offset puts the clock at {hours}")


async def _night_restaurant(site: Site, zone: str) -> str:
    """One table, open 18:00-04:00 every day (last seating 03:00)."""
    made = await site.live.client.post(
        f"{BASE}/restaurants",
        json={
            "name": f"Night {uuid.uuid4().hex[:6]}", "timezone": zone, "currency": "EUR",
            "settings": {"min_notice_minutes": 0, "default_seating_minutes": 60},
            "services": [
                {"weekday": d, "name": "night", "opens_at": "18:00", "closes_at": "04:00",
                 "last_seating_at": "03:00"}
                for d in range(7)
            ],
        },
        headers=site.admin,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    rid = str(made.json()["id"])
    table = await site.live.client.post(
        f"{BASE}/restaurants/{rid}/tables",
        json={"number": "1", "min_capacity": 1, "max_capacity": 4},
        headers=site.admin,
    )
    assert table.status_code == 201, table.text
    return rid


async def test_a_party_queued_after_midnight_is_offered_tonights_table(site: Site) -> None:
    """After midnight the current slot belongs to the evening's service: the table ready
    for a walk-in queued then is for now, not for the same time tomorrow night."""
    rid = await _night_restaurant(site, _zone_reading(0, 1))
    host = await site.live.token_for(StaffRole.HOST, [rid])
    queued = await site.live.client.post(
        f"{BASE}/restaurants/{rid}/walk-in-queue",
        json={"party_size": 2, "first_name": "Owl"},
        headers=host,
    )
    assert queued.status_code == 201, queued.text

    async def ready() -> dict[str, Any] | None:
        now = (await site.live.client.get(f"{WAITLIST}/{queued.json()['id']}", headers=host)).json()
        return now if now["status"] == "offered" and now["offer"] else None

    offered_now = await eventually(ready, "the table ready for the queued party")
    starts = datetime.fromisoformat(offered_now["offer"]["starts_at"])
    assert abs(starts - datetime.now(UTC)) < timedelta(hours=1), starts
    seated = await site.live.client.post(
        f"{WAITLIST}/{queued.json()['id']}/seat", json={}, headers=host
    )
    assert seated.status_code == 200, seated.text


async def test_a_party_queued_late_in_the_evening_waits_as_long_as_the_night_seats(
    site: Site,
) -> None:
    zone = _zone_reading(21, 22)
    rid = await _night_restaurant(site, zone)
    host = await site.live.token_for(StaffRole.HOST, [rid])
    busy = await site.live.client.post(
        f"{BASE}/restaurants/{rid}/walk-ins", json={"party_size": 2}, headers=host
    )
    assert busy.status_code == 201, busy.text
    queued = await site.live.client.post(
        f"{BASE}/restaurants/{rid}/walk-in-queue",
        json={"party_size": 2, "first_name": "Late"},
        headers=host,
    )
    assert queued.status_code == 201, queued.text
    async with transaction(site.live.db.sessions) as session:
        stored = await session.get(WaitlistEntry, uuid.UUID(queued.json()["id"]))
        assert stored is not None and stored.expires_at is not None
        local = stored.expires_at.astimezone(ZoneInfo(zone))
    # not at midnight: at the night's last seating, 03:00 the next morning
    tomorrow = datetime.now(ZoneInfo(zone)).date() + timedelta(days=1)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 3, 0)


async def test_the_waitlist_page_speaks_the_guests_language(site: Site) -> None:
    rid, made = await full_evening(site)
    body = join_body(rid)
    body["guest"]["preferred_language"] = "de"
    r = await site.live.client.post(WAITLIST, json=body)
    assert r.status_code == 201, r.text
    joined: dict[str, Any] = r.json()
    await settled(site, rid, date.fromisoformat(joined["date"]))
    await cancel(site, made)
    await offered(site, joined)

    url = f"/manage/waitlist/{joined['id']}"
    page = await site.live.client.get(url, params={"token": joined["manage_token"]})
    assert page.status_code == 200, page.text
    assert '<html lang="de">' in page.text
    assert "Warteliste für 2 Personen" in page.text and ", 19:00 bis 19:30." in page.text
    assert 'data-status="offered">ein Tisch ist für Sie frei</span>' in page.text
    assert "Ja, diesen Tisch reservieren" in page.text and "Nein, danke" in page.text
    assert "table" not in page.text.replace("<table", "")  # no English left

    left = await site.live.client.post(f"{url}/leave", data={"token": joined["manage_token"]})
    assert left.status_code == 303, left.text
    after = await site.live.client.get(left.headers["location"])
    assert "<i>Sie stehen nicht mehr auf der Liste.</i>" in after.text


def test_the_waitlist_page_has_its_words_in_every_message_language() -> None:
    assert set(WAITLIST_PAGE_WORDS) == set(SUPPORTED_LANGUAGES)
    for words in WAITLIST_PAGE_WORDS.values():
        assert set(words["statuses"]) == set(WaitlistStatus)
