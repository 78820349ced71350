"""Erasure: future bookings cancelled through their workflows, the guest anonymised in
every column of every table, money rows kept, a second erasure a no-op, and who may ask."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from models.enums import (
    MessageDirection,
    NotificationChannel,
    NotificationStatus,
    PaymentKind,
    PaymentState,
    ReservationStatus,
    StaffRole,
    WaitlistStatus,
)
from models.orm import (
    Guest,
    GuestAudit,
    GuestNote,
    GuestRelationship,
    Notification,
    Payment,
    ProcessedWebhookEvent,
    Reservation,
    Restaurant,
    RestaurantGroup,
    ThreadMessage,
    WaitlistEntry,
)
from models.schemas.lifecycle import ReservationInput
from reservations.cache import MemoryCache
from services.booking import create_held_reservation
from services.crm import erasure
from services.errors import InvalidError
from tests.allocation.helpers import NOW, make_guest, make_reservation, make_restaurant, request
from tests.api.conftest import LiveApi, eventually
from tests.api.test_payments import DEPOSIT, Shop, deposit_restaurant, shop
from tests.api.test_reservation_lifecycle import booking, restaurant
from tests.api.test_waitlist import join_body
from tests.conftest import Api, Database
from tests.conftest import test_settings as settings_for
from tests.crm.privacy_helpers import BASE, guest_known_to, links_sent
from tests.crm.scan import text_columns, where_found
from tests.faults.processes import free_port
from workflows.guest_erasure import GuestErasureWorkflow

__all__ = ["shop"]  # the fixture, from the payment tests
HISTORIES = Path(__file__).parent.parent / "workflows" / "histories"
EMAIL = "Zephyrine.Oddbottle@Example.net"
PHONE = "+31623456789"
FIRST, LAST = "Zephyrine", "Oddbottle"


async def _book(live: LiveApi, rid: str) -> dict[str, str]:
    body = booking(rid, email=EMAIL)
    body["guest"] |= {"first_name": FIRST, "last_name": LAST, "phone": PHONE}
    body |= {"special_requests": f"{FIRST} wants the window", "occasion": "birthday"}
    made = await live.client.post(f"{BASE}/reservations", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def _with_history(live: LiveApi, reservation_id: uuid.UUID, guest_id: uuid.UUID) -> None:
    """Notes, a conversation and a paid deposit, as a guest's history would have."""
    async with live.db.sessions() as session:
        reservation = await session.get(Reservation, reservation_id)
        assert reservation is not None
        session.add(
            GuestNote(
                guest_id=guest_id,
                restaurant_id=reservation.restaurant_id,
                body=f"{FIRST} {LAST} ({PHONE}) is allergic to shellfish",
                note_type="allergy",
                is_alert=True,
            )
        )
        session.add(
            ThreadMessage(
                reservation_id=reservation_id,
                direction=MessageDirection.INBOUND,
                channel=NotificationChannel.SMS,
                body=f"Hi, this is {FIRST}, mail me at {EMAIL.lower()}",
            )
        )
        session.add(
            Payment(
                reservation_id=reservation_id,
                provider="local",
                kind=PaymentKind.DEPOSIT,
                amount_minor=2500,
                currency="EUR",
                status=PaymentState.SUCCEEDED,
                idempotency_key=f"deposit-{reservation_id}",
                psp_reference="PSP-KEEP-1",
            )
        )
        await session.commit()


async def test_erasure_cancels_the_future_and_leaves_no_trace(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await _restaurant(live, admin)
    made = await _book(live, rid)
    reservation_id = uuid.UUID(made["id"])
    async with live.db.sessions() as session:
        guest_id = await session.scalar(
            select(Reservation.guest_id).where(Reservation.id == reservation_id)
        )
    assert guest_id is not None
    await _with_history(live, reservation_id, guest_id)
    needles = [EMAIL, PHONE, FIRST, LAST]
    assert await where_found(live.db, needles)  # the scan sees them before

    started = await live.client.post(f"{BASE}/guests/{guest_id}/erasure", headers=admin)
    assert started.status_code == 202, started.text
    assert started.json()["workflow_id"] == f"guest-erasure-{guest_id}"
    handle = live.env.client.get_workflow_handle_for(
        GuestErasureWorkflow.run, started.json()["workflow_id"]
    )
    result = await handle.result()
    if os.environ.get("RECORD_HISTORIES") == "1" and live.db.kind == "sqlite":
        history = await handle.fetch_history()
        (HISTORIES / "guest_erasure-cancelled_and_erased.json").write_text(history.to_json())
    assert result.erased is True
    assert result.cancelled_reservations == [reservation_id]

    assert await where_found(live.db, needles) == []
    async with live.db.sessions() as session:
        reservation = await session.get(Reservation, reservation_id)
        guest = await session.get(Guest, guest_id)
        payment = await session.scalar(
            select(Payment).where(Payment.reservation_id == reservation_id)
        )
    assert reservation is not None and guest is not None and payment is not None
    assert reservation.status is ReservationStatus.CANCELLED_BY_GUEST
    assert reservation.reference == made["reference"] and reservation.party_size == 2
    assert (payment.amount_minor, payment.currency, payment.psp_reference) == (
        2500,
        "EUR",
        "PSP-KEEP-1",
    )
    assert guest.erased_at is not None and guest.email == f"erased-{guest_id}@invalid"

    # asked again: the same workflow, nothing changes, audited once
    again = await live.client.post(f"{BASE}/guests/{guest_id}/erasure", headers=admin)
    assert again.status_code == 202 and again.json() == started.json()
    async with live.db.sessions() as session:
        assert not await erasure.anonymise(
            session, guest_id=guest_id, now=guest.erased_at, action="erased"
        )
        audits = await session.scalar(
            select(func.count()).select_from(GuestAudit).where(GuestAudit.guest_id == guest_id)
        )
    assert audits == 1


async def _restaurant(live: LiveApi, admin: dict[str, str]) -> str:
    return await restaurant(live, admin)


async def test_a_guest_erases_themselves_by_a_single_use_link(
    live: LiveApi, admin: dict[str, str]
) -> None:
    known = await guest_known_to(live.db, names=["Cantina"])
    asked = await live.client.post(f"{BASE}/privacy/erasure-requests", json={"email": known.email})
    assert asked.status_code == 202
    [token] = await links_sent(live.db, known.guest_id, "privacy_erasure")

    async def sent() -> uuid.UUID | None:
        async with live.db.sessions() as session:
            row = await session.scalar(
                select(Notification).where(Notification.template == "privacy_erasure")
            )
        return row.id if row is not None and row.status is NotificationStatus.SENT else None

    message_id = await eventually(sent, "the erasure link sent by the worker")
    if os.environ.get("RECORD_HISTORIES") == "1" and live.db.kind == "sqlite":
        handle = live.env.client.get_workflow_handle(f"privacy-message-{message_id}")
        history = await handle.fetch_history()
        (HISTORIES / "privacy_message-sent.json").write_text(history.to_json())
    confirmed = await live.client.post(f"{BASE}/privacy/erasure/{token}")
    assert confirmed.status_code == 202, confirmed.text
    await live.env.client.get_workflow_handle(confirmed.json()["workflow_id"]).result()
    assert (
        await where_found(live.db, [known.email, "Mirabelle", "Quastenhof", "+31687654321"]) == []
    )
    used = await live.client.post(f"{BASE}/privacy/erasure/{token}")
    assert used.status_code == 410
    # an erased address asks in vain, and is told the same as anyone
    later = await live.client.post(f"{BASE}/privacy/erasure-requests", json={"email": known.email})
    assert later.status_code == 202 and later.json() == asked.json()


async def test_an_erasure_link_that_met_a_temporal_outage_can_be_used_again(
    live: LiveApi, admin: dict[str, str]
) -> None:
    """The start failed (503): the link was not spent, so the guest's retry erases."""
    known = await guest_known_to(live.db, names=["Osteria"])
    asked = await live.client.post(f"{BASE}/privacy/erasure-requests", json={"email": known.email})
    assert asked.status_code == 202
    [token] = await links_sent(live.db, known.guest_id, "privacy_erasure")
    dead = f"127.0.0.1:{free_port()}"  # nothing listens: Temporal is down
    app = create_app(
        settings_for(live.db.url, temporal_address=dead), engine=live.db.engine, cache=MemoryCache()
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as outage:
            failed = await outage.post(f"{BASE}/privacy/erasure/{token}")
    assert failed.status_code == 503, failed.text
    confirmed = await live.client.post(f"{BASE}/privacy/erasure/{token}")
    assert confirmed.status_code == 202, confirmed.text
    result = await live.env.client.get_workflow_handle(confirmed.json()["workflow_id"]).result()
    assert result["erased"] is True
    used = await live.client.post(f"{BASE}/privacy/erasure/{token}")
    assert used.status_code == 410


async def test_only_managers_who_know_the_guest_may_erase(api: Api) -> None:
    known = await guest_known_to(api.db, names=["Aubergine"])
    other = await guest_known_to(api.db, names=["Basilicum"])
    host = await api.token_for(StaffRole.HOST, known.restaurants)
    stranger = await api.token_for(StaffRole.MANAGER, other.restaurants)
    path = f"{BASE}/guests/{known.guest_id}/erasure"
    assert (await api.client.post(path, headers=host)).status_code == 403
    refused = await api.client.post(path, headers=stranger)
    assert refused.status_code == 404
    assert (await api.client.post(path)).status_code == 401
    nobody = await api.client.post(f"{BASE}/guests/{uuid.uuid4()}/erasure", headers=stranger)
    assert nobody.status_code == 404
    async with api.db.sessions() as session:
        assert await session.get(Guest, known.guest_id) is not None
        still = await session.scalar(
            select(GuestRelationship.allergies).where(GuestRelationship.guest_id == known.guest_id)
        )
    assert still == ["peanuts"]


def test_the_scan_covers_every_text_column() -> None:
    columns = set(text_columns())
    for expected in [
        ("guests", "email"),
        ("guest_notes", "body"),
        ("notifications", "body"),
        ("thread_messages", "body"),
        ("webhook_events", "payload"),
        ("booking_notes", "special_requests"),
        ("waitlist_entries", "notes"),
    ]:
        assert expected in columns


async def test_erasure_refunds_a_paid_deposit_as_the_guests_cancel_would(shop: Shop) -> None:
    rid = await deposit_restaurant(shop)
    guest = {**booking(rid)["guest"], "email": EMAIL, "first_name": FIRST, "last_name": LAST}
    res = await shop.book(rid, guest=guest | {"phone": PHONE})
    await shop.paid(res, "PSPERASE00000001")
    async with shop.live.db.sessions() as session:
        guest_id = await session.scalar(
            select(Reservation.guest_id).where(Reservation.id == uuid.UUID(res["id"]))
        )
    started = await shop.client.post(f"{BASE}/guests/{guest_id}/erasure", headers=shop.admin)
    assert started.status_code == 202, started.text
    result = await shop.live.env.client.get_workflow_handle_for(
        GuestErasureWorkflow.run, started.json()["workflow_id"]
    ).result()
    assert result.cancelled_reservations == [uuid.UUID(res["id"])] and result.erased

    # cancelled in time, as the guest: the deposit goes back in full
    (refund,) = await shop.requests_to("/payments/PSPERASE00000001/refunds")
    assert refund.json["amount"] == {"value": DEPOSIT, "currency": "EUR"}
    row = await shop.movement(res, "refund")
    await shop.notify(
        "REFUND",
        reference=res["reference"],
        psp=row["psp_reference"],
        original="PSPERASE00000001",
        amount=DEPOSIT,
    )
    await shop.until(res, status="cancelled_by_guest", deposit="refunded")
    money = await shop.money(res)
    kinds = {p["kind"]: (p["amount_minor"], p["status"]) for p in money["payments"]}
    assert kinds == {"deposit": (DEPOSIT, "succeeded"), "refund": (DEPOSIT, "succeeded")}
    assert await where_found(shop.live.db, [EMAIL, PHONE, FIRST, LAST]) == []


async def test_erasure_takes_the_guest_off_the_waitlist(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, tables=1)
    taken = await live.client.post(f"{BASE}/reservations", json=booking(rid))
    assert taken.status_code == 201, taken.text
    body = join_body(rid, email=EMAIL, phone=PHONE)
    body["guest"] |= {"first_name": FIRST, "last_name": LAST}
    body["notes"] = f"{FIRST} prefers the terrace"
    joined = await live.client.post(f"{BASE}/waitlist", json=body)
    assert joined.status_code == 201, joined.text
    async with live.db.sessions() as session:
        entry = await session.get(WaitlistEntry, uuid.UUID(joined.json()["id"]))
        assert entry is not None
        guest_id = entry.guest_id
    started = await live.client.post(f"{BASE}/guests/{guest_id}/erasure", headers=admin)
    assert started.status_code == 202, started.text
    result = await live.env.client.get_workflow_handle_for(
        GuestErasureWorkflow.run, started.json()["workflow_id"]
    ).result()
    assert result.left_waitlist_entries == [entry.id] and result.erased
    async with live.db.sessions() as session:
        left = await session.get(WaitlistEntry, entry.id)
    assert left is not None and left.status is WaitlistStatus.CANCELLED and left.notes is None
    assert await where_found(live.db, [EMAIL, PHONE, FIRST, LAST]) == []


async def test_a_sharing_groups_manager_may_erase_and_a_separate_groups_may_not(
    live: LiveApi,
) -> None:
    known = await guest_known_to(live.db, names=["Eiland"])
    async with live.db.sessions() as session:
        sharing = RestaurantGroup(name="Sharing", shares_guest_profiles=True)
        private = RestaurantGroup(name="Private", shares_guest_profiles=False)
        session.add_all([sharing, private])
        await session.flush()
        home = await session.get(Restaurant, known.restaurants[0])
        assert home is not None
        home.group_id = sharing.id
        sibling = Restaurant(
            name="Sibling", slug=f"s-{uuid.uuid4().hex[:8]}", timezone="UTC", currency="EUR"
        )
        sibling.group_id = sharing.id
        outsider = Restaurant(
            name="Outsider", slug=f"o-{uuid.uuid4().hex[:8]}", timezone="UTC", currency="EUR"
        )
        outsider.group_id = private.id
        session.add_all([sibling, outsider])
        await session.commit()
        sibling_id, outsider_id = sibling.id, outsider.id
    path = f"{BASE}/guests/{known.guest_id}/erasure"
    outside = await live.token_for(StaffRole.MANAGER, [outsider_id])
    assert (await live.client.post(path, headers=outside)).status_code == 404
    inside = await live.token_for(StaffRole.MANAGER, [sibling_id])
    started = await live.client.post(path, headers=inside)
    assert started.status_code == 202, started.text
    result = await live.env.client.get_workflow_handle_for(
        GuestErasureWorkflow.run, started.json()["workflow_id"]
    ).result()
    assert result.erased


async def test_erasure_empties_the_provider_payloads_that_name_the_guest(db: Database) -> None:
    known = await guest_known_to(db, names=["Pastinaak"], phone="+31611122233")
    async with db.sessions() as session, session.begin():
        booking_id = await make_reservation(
            session, restaurant_id=known.restaurants[0], guest_id=known.guest_id
        )
        made = await session.get(Reservation, booking_id)
        assert made is not None
        kept = {
            # Adyen: the booking's reference, and the shopper's email when sent
            "adyen-1": {"merchantReference": made.reference, "eventCode": "AUTHORISATION"},
            "adyen-2": {"additionalData": {"shopperEmail": known.email.upper()}},
            # a marketplace's booking event and a Twilio status report: the phone
            "thefork-1": {"customer": {"phone": "+31611122233", "firstName": "Mirabelle"}},
            "twilio-1": {"To": "+31611122233", "MessageStatus": "delivered"},
            "adyen-other": {"merchantReference": "RES-2031-999999", "shopperEmail": "x@y.org"},
        }
        for event_id, payload in kept.items():
            session.add(
                ProcessedWebhookEvent(
                    provider=event_id.split("-")[0], event_id=event_id, payload=payload
                )
            )
    async with db.sessions() as session, session.begin():
        assert await erasure.anonymise(session, guest_id=known.guest_id, now=datetime.now(UTC))
    assert await where_found(db, [known.email, "+31611122233"]) == []
    async with db.sessions() as session:
        rows = {e.event_id: e.payload for e in await session.scalars(select(ProcessedWebhookEvent))}
    assert set(rows) == set(kept)  # the event ids stay: a redelivery is still known
    assert rows["adyen-1"] == {}  # tied to the guest by the booking's reference alone
    assert rows["adyen-other"] == kept["adyen-other"]  # another guest's event is left as it is


async def test_erasing_a_survivor_erases_the_profiles_merged_into_it(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await _restaurant(live, admin)
    # three profiles of one person, merged D into C, then C into S: S answers for all
    ids: dict[str, uuid.UUID] = {}
    for name, email, phone, at in (
        ("S", "sam.survivor@example.com", "+31644444441", "18:00"),
        ("C", "sam.chained@example.net", "+31644444442", "19:00"),
        ("D", "sam.duplicate@example.org", "+31644444443", "20:00"),
    ):
        body = booking(rid, email=email, at=at)
        body["guest"] |= {"first_name": "Samuel", "last_name": f"Merged{name}", "phone": phone}
        made = await live.client.post(f"{BASE}/reservations", json=body)
        assert made.status_code == 201, made.text
        async with live.db.sessions() as session:
            guest_id = await session.scalar(
                select(Reservation.guest_id).where(Reservation.id == uuid.UUID(made.json()["id"]))
            )
        assert guest_id is not None
        ids[name] = guest_id
    for survivor, duplicate in (("C", "D"), ("S", "C")):
        merged = await live.client.post(
            f"{BASE}/guests/{ids[survivor]}/merge",
            json={"duplicate_id": str(ids[duplicate]), "restaurant_id": rid},
            headers=admin,
        )
        assert merged.status_code == 200, merged.text
    # a merged profile keeps its email: D books again under it after the merges
    again = booking(rid, email="sam.duplicate@example.org", at="21:00")
    again["guest"] |= {"first_name": "Samuel", "last_name": "MergedD"}
    late = await live.client.post(f"{BASE}/reservations", json=again)
    assert late.status_code == 201, late.text
    needles = ["sam.chained", "sam.duplicate", "+31644444442", "+31644444443", "MergedD"]
    assert await where_found(live.db, needles)

    started = await live.client.post(f"{BASE}/guests/{ids['S']}/erasure", headers=admin)
    assert started.status_code == 202, started.text
    handle = live.env.client.get_workflow_handle_for(
        GuestErasureWorkflow.run, started.json()["workflow_id"]
    )
    result = await handle.result()
    if os.environ.get("RECORD_HISTORIES") == "1" and live.db.kind == "sqlite":
        history = await handle.fetch_history()
        (HISTORIES / "guest_erasure-merged_profiles_erased.json").write_text(history.to_json())
    assert result.erased is True
    assert sorted(result.erased_merged_guests) == sorted([ids["C"], ids["D"]])
    # the merges moved three bookings to S; D's later one is D's own: all four cancelled
    assert len(result.cancelled_reservations) == 4
    assert uuid.UUID(late.json()["id"]) in result.cancelled_reservations
    assert await where_found(live.db, [*needles, "sam.survivor", "MergedS"]) == []
    async with live.db.sessions() as session:
        for guest_id in ids.values():
            guest = await session.get(Guest, guest_id)
            assert guest is not None and guest.erased_at is not None, guest_id
            assert guest.email == f"erased-{guest_id}@invalid"


async def test_a_hold_for_a_guest_erased_meanwhile_is_refused(db: Database) -> None:
    """A booking whose guest was looked up before the erasure anonymised them must not
    land on the erased profile: its hold refuses, and the caller books anew."""
    async with db.sessions.begin() as session:
        place = await make_restaurant(session, tables=2)
        guest = await make_guest(session)
    inp = ReservationInput(booking=request(uuid.uuid4(), place.id, guest.id))
    async with db.sessions.begin() as session:
        assert await erasure.anonymise(session, guest_id=guest.id, now=NOW)
    async with db.sessions.begin() as session:
        with pytest.raises(InvalidError) as refused:
            await create_held_reservation(
                session, inp=inp, reference="RES-2031-000001", now=NOW, reminder_hours=24
            )
    assert refused.value.field == "guest"
    async with db.sessions() as session:
        assert await session.get(Reservation, inp.booking.reservation_id) is None
