"""Money end to end: deposits, guarantees, refunds, no-show fees and waivers over HTTP.

The API, a real worker on the Temporal dev server and a real database (SQLite and
PostgreSQL); payments go through the real Adyen SDK to FakeAdyen, a local server
speaking Adyen's Checkout API, and come back as HMAC-signed webhooks posted to
the webhook route as Adyen would post them. One test uses the local provider and
its checkout page; the last ones, on PostgreSQL only, pin races and the no-show guard.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, text
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from models.enums import NotificationChannel, NotificationStatus, StaffRole
from models.orm import Notification, ProcessedWebhookEvent
from payments.notifications import signed_notification
from reservations.cache import MemoryCache
from tests.api.conftest import LiveApi, eventually, live_api
from tests.api.test_reservation_lifecycle import BASE, booking, restaurant, soon
from tests.api.workflow_probe import activity_types, reservation_workflow_id, settled, taken_in
from tests.conftest import Database
from tests.conftest import test_settings as settings_for
from tests.messaging.fake_twilio import ACCOUNT_SID as TWILIO_SID
from tests.messaging.fake_twilio import AUTH_TOKEN as TWILIO_TOKEN
from tests.messaging.fake_twilio import FROM_NUMBER as TWILIO_FROM
from tests.messaging.fake_twilio import FakeTwilio
from tests.payments.fake_adyen import API_KEY, MERCHANT_ACCOUNT, FakeAdyen, RecordedRequest

WEBHOOK = f"{BASE}/webhooks/adyen"
HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
OTHER_HMAC_KEY = "0" * 63 + "1"
CLIENT_KEY = "test_CLIENTKEY0123456789"
HOOK_USER, HOOK_PASSWORD = "adyen-hooks", "s3cret-hook-password"
DEPOSIT = 2500
FEE = 4000
POLL_SECONDS = 15.0

T = TypeVar("T")


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@dataclass
class Shop:
    """The API with a worker, Adyen pointed at FakeAdyen, and an admin token."""

    live: LiveApi
    fake: FakeAdyen
    admin: dict[str, str]
    twilio: FakeTwilio | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        return self.live.client

    async def book(self, rid: str, **overrides: Any) -> dict[str, Any]:
        created = await self.client.post(f"{BASE}/reservations", json={**booking(rid), **overrides})
        assert created.status_code == 201, created.text
        body: dict[str, Any] = created.json()
        return body

    async def post_webhook(
        self, body: dict[str, Any], auth: tuple[str, str] = (HOOK_USER, HOOK_PASSWORD)
    ) -> httpx.Response:
        return await self.client.post(WEBHOOK, json=body, headers=basic(*auth))

    async def notify(
        self,
        event_code: str,
        *,
        reference: str,
        psp: str,
        amount: int,
        success: bool = True,
        original: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Deliver one signed Adyen notification; it must be accepted."""
        answer = await self.post_webhook(
            notification(
                event_code,
                reference=reference,
                psp=psp,
                amount=amount,
                success=success,
                original=original,
                extra=extra,
            )
        )
        assert answer.status_code == 200, answer.text
        assert answer.text == "[accepted]"
        return answer

    async def reservation(self, res: dict[str, Any]) -> dict[str, Any]:
        """The booking as the guest sees it (with the manage token)."""
        got = await self.client.get(
            f"{BASE}/reservations/{res['id']}", params={"token": res["manage_token"]}
        )
        assert got.status_code == 200, got.text
        body: dict[str, Any] = got.json()
        return body

    async def until(self, res: dict[str, Any], *, status: str, deposit: str) -> dict[str, Any]:
        """Wait for the booking to reach `status` with its deposit `deposit`."""

        async def probe() -> dict[str, Any] | None:
            now = await self.reservation(res)
            ok = now["status"] == status and now["deposit"]["status"] == deposit
            return now if ok else None

        return await eventually(
            probe, f"{status}/{deposit} for {res['reference']}", seconds=POLL_SECONDS
        )

    async def money(self, res: dict[str, Any]) -> dict[str, Any]:
        got = await self.client.get(
            f"{BASE}/restaurants/{res['restaurant_id']}/reservations/{res['id']}/payments",
            headers=self.admin,
        )
        assert got.status_code == 200, got.text
        body: dict[str, Any] = got.json()
        return body

    async def movement(self, res: dict[str, Any], kind: str) -> dict[str, Any]:
        """The one payment row of `kind`, once the provider's pspReference is on it."""

        async def probe() -> dict[str, Any] | None:
            rows = [p for p in (await self.money(res))["payments"] if p["kind"] == kind]
            assert len(rows) <= 1, rows
            return rows[0] if rows and rows[0]["psp_reference"] else None

        return await eventually(probe, f"a {kind} with a pspReference", seconds=POLL_SECONDS)

    async def requests_to(self, endpoint: str, count: int = 1) -> list[RecordedRequest]:
        """Wait until FakeAdyen has processed `count` requests to exactly `endpoint`."""

        async def probe() -> list[RecordedRequest] | None:
            done = [r for r in self.fake.operations if r.endpoint == endpoint]
            return done if len(done) >= count else None

        return await eventually(probe, f"{count} request(s) to {endpoint}", seconds=POLL_SECONDS)

    async def paid(self, res: dict[str, Any], psp: str) -> None:
        """Pay the deposit; answers once the booking is confirmed and its messages sent."""
        await self.notify("AUTHORISATION", reference=res["reference"], psp=psp, amount=DEPOSIT)
        await self.until(res, status="confirmed", deposit="paid")
        await self.messages_sent(res, "confirmation")

    async def card_stored(
        self, res: dict[str, Any], *, psp: str = "PSPGUA0000000001", card: str = "STOREDCARD000001"
    ) -> None:
        """Adyen reports the guarantee's card stored; answers once the booking is guaranteed."""
        await self.notify(
            "AUTHORISATION",
            reference=res["reference"],
            psp=psp,
            amount=0,
            extra={"tokenization.storedPaymentMethodId": card},
        )
        await self.until(res, status="confirmed", deposit="guaranteed")

    async def messages_sent(self, res: dict[str, Any], template: str) -> None:
        """Wait until `template` is queued and nothing of the booking is left to send.

        Acting on a booking while a message is still being sent can lose a refund
        (see test_a_cancel_racing_a_message_send_still_refunds); the other tests
        wait here so each checks what it names.
        """

        async def probe() -> bool:
            async with self.live.db.sessions() as session:
                rows = (
                    await session.execute(
                        select(Notification.template, Notification.status).where(
                            Notification.reservation_id == uuid.UUID(res["id"])
                        )
                    )
                ).all()
            queued = [t for t, status in rows if status is NotificationStatus.QUEUED]
            return any(t == template for t, _ in rows) and not queued

        await eventually(probe, f"the {template} message sent", seconds=POLL_SECONDS)


def notification(
    event_code: str,
    *,
    reference: str,
    psp: str,
    amount: int,
    success: bool = True,
    original: str | None = None,
    extra: dict[str, str] | None = None,
    key: str = HMAC_KEY,
) -> dict[str, Any]:
    return signed_notification(
        hmac_key_hex=key,
        event_code=event_code,
        success=success,
        psp_reference=psp,
        merchant_reference=reference,
        merchant_account=MERCHANT_ACCOUNT,
        amount_minor=amount,
        currency="EUR",
        original_reference=original,
        reason=None if success else "Refused",
        additional_data=extra,
    )


ADYEN_SETTINGS: dict[str, object] = {
    "payment_provider": "adyen",
    "adyen_api_key": API_KEY,
    "adyen_merchant_account": MERCHANT_ACCOUNT,
    "adyen_client_key": CLIENT_KEY,
    "adyen_hmac_key": HMAC_KEY,
    "adyen_environment": "test",
    "adyen_webhook_username": HOOK_USER,
    "adyen_webhook_password": HOOK_PASSWORD,
    # the bookings here start about two hours ahead: let staff mark them no-show already
    "no_show_after_minutes": -180,
}


@pytest.fixture
async def shop(
    db: Database, dev_server: WorkflowEnvironment, admin: dict[str, str]
) -> AsyncIterator[Shop]:
    async with (
        FakeAdyen() as fake,
        live_api(db, dev_server, adyen_checkout_url=fake.checkout_url, **ADYEN_SETTINGS) as live,
    ):
        yield Shop(live=live, fake=fake, admin=admin)


async def deposit_restaurant(shop: Shop, **settings: Any) -> str:
    return await restaurant(
        shop.live, shop.admin, payment_mode="deposit", payment_fixed_minor=DEPOSIT, **settings
    )


async def count_rows(db: Database, model: Any, *where: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def templates_sent(db: Database, reservation_id: str) -> list[str]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(Notification.template).where(
                Notification.reservation_id == uuid.UUID(reservation_id),
                Notification.channel == NotificationChannel.EMAIL,
            )
        )
        return [str(t) for t in rows]


async def templates_queued(db: Database, reservation_id: str, *needed: str) -> list[str]:
    """The emails queued for the reservation, once every one of `needed` is among them.

    Messages are queued by the activity after the status it follows is recorded, so a
    test that has seen the status waits for the message too.
    """

    async def all_there() -> list[str] | None:
        sent = await templates_sent(db, reservation_id)
        return sent if set(needed) <= set(sent) else None

    return await eventually(all_there, f"{', '.join(needed)} queued", seconds=POLL_SECONDS)


# ---- 1. a deposit ---------------------------------------------------------------------


async def test_a_paid_deposit_confirms_the_booking(shop: Shop) -> None:
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    assert res["status"] == "held" and res["payment_required"] is True
    assert res["deposit"] == {
        "mode": "deposit",
        "status": "pending",
        "amount_minor": DEPOSIT,
        "currency": "EUR",
    }
    # what a Drop-in needs, as Adyen answered it
    payment = res["payment"]
    assert payment["session_id"].startswith("CS") and payment["session_data"]
    assert payment["client_key"] == CLIENT_KEY and payment["environment"] == "test"
    assert payment["checkout_url"] is None
    assert payment["amount_minor"] == DEPOSIT and payment["currency"] == "EUR"

    (session,) = shop.fake.received("/sessions")
    sent = session.json
    assert session.headers["x-api-key"] == API_KEY and session.idempotency_key
    assert sent["merchantAccount"] == MERCHANT_ACCOUNT
    assert sent["reference"] == res["reference"]
    assert sent["amount"] == {"value": DEPOSIT, "currency": "EUR"}
    assert sent["returnUrl"].endswith(f"/manage/{res['id']}?token={res['manage_token']}")
    expires = dt.datetime.fromisoformat(sent["expiresAt"])
    hold_ends = dt.datetime.fromisoformat(res["hold_expires_at"])
    assert abs(expires - hold_ends) < dt.timedelta(seconds=1)
    assert sent["shopperReference"] and sent["shopperEmail"] == "ann@example.com"
    assert "storePaymentMethod" not in sent and "recurringProcessingModel" not in sent

    # the guest's manage page (the returnUrl and the messages' pay link) mounts Drop-in
    page = await shop.client.get(f"/manage/{res['id']}", params={"token": res["manage_token"]})
    assert page.status_code == 200, page.text
    cdn = "https://checkoutshopper-test.cdn.adyen.com/checkoutshopper/sdk/6.9.0"
    assert f'<script src="{cdn}/adyen.js">' in page.text
    assert json.dumps(payment["session_id"]) in page.text
    assert json.dumps(payment["session_data"]) in page.text
    assert json.dumps(CLIENT_KEY) in page.text
    # a redirect payment method comes back with redirectResult: it is submitted, not re-mounted
    back = await shop.client.get(
        f"/manage/{res['id']}",
        params={"token": res["manage_token"], "redirectResult": "X</script><b>"},
    )
    assert 'const redirectResult = "X<\\/script><b>"' in back.text

    await shop.notify(
        "AUTHORISATION", reference=res["reference"], psp="PSPDEP0000000001", amount=DEPOSIT
    )
    await shop.until(res, status="confirmed", deposit="paid")
    (row,) = (await shop.money(res))["payments"]
    assert row["kind"] == "deposit" and row["status"] == "succeeded"
    assert row["psp_reference"] == "PSPDEP0000000001" and row["amount_minor"] == DEPOSIT
    assert [r.endpoint for r in shop.fake.requests] == ["/sessions"]  # nothing else asked


# ---- 2. a guarantee, a no-show fee and its waiver ---------------------------------------


async def test_a_guarantee_no_show_is_charged_then_waived_by_a_manager(shop: Shop) -> None:
    rid = await restaurant(
        shop.live, shop.admin, all_day=True, payment_mode="guarantee", payment_fixed_minor=FEE
    )
    host = await shop.live.token_for(StaffRole.HOST, [rid])
    manager = await shop.live.token_for(StaffRole.MANAGER, [rid])
    res = await shop.book(rid, **soon())
    assert res["status"] == "held" and res["payment_required"] is True
    assert res["deposit"]["mode"] == "guarantee" and res["deposit"]["amount_minor"] == FEE

    (session,) = shop.fake.received("/sessions")
    sent = session.json
    assert sent["amount"] == {"value": 0, "currency": "EUR"}  # the card is stored, not charged
    assert sent["storePaymentMethod"] is True
    assert sent["recurringProcessingModel"] == "UnscheduledCardOnFile"
    shopper = sent["shopperReference"]
    assert shopper

    card = "STOREDCARD000001"
    await shop.card_stored(res, card=card)
    assert shop.fake.received("/payments") == []  # nothing charged while the guest may come

    staff_url = f"{BASE}/restaurants/{rid}/reservations/{res['id']}"
    marked = await shop.client.post(f"{staff_url}/no-show", headers=host)
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "no_show"

    (charge,) = await shop.requests_to("/payments")
    body = charge.json
    assert body["shopperInteraction"] == "ContAuth"
    assert body["recurringProcessingModel"] == "UnscheduledCardOnFile"
    assert body["paymentMethod"]["storedPaymentMethodId"] == card
    assert body["shopperReference"] == shopper
    assert body["amount"] == {"value": FEE, "currency": "EUR"}
    assert body["reference"] == res["reference"] and charge.idempotency_key
    await shop.until(res, status="no_show", deposit="charged")
    fee = await shop.movement(res, "fee")
    assert fee["status"] == "succeeded" and fee["amount_minor"] == FEE

    # only a manager may waive, and must say why
    denied = await shop.client.post(
        f"{staff_url}/waive", headers=host, json={"reason": "guest was in hospital"}
    )
    assert denied.status_code == 403
    assert shop.fake.received("/refunds") == []
    waived = await shop.client.post(
        f"{staff_url}/waive", headers=manager, json={"reason": "guest was in hospital"}
    )
    assert waived.status_code == 200, waived.text
    assert waived.json()["deposit"]["status"] == "refund_pending"

    (refund,) = await shop.requests_to(f"/payments/{fee['psp_reference']}/refunds")
    assert refund.json["amount"] == {"value": FEE, "currency": "EUR"} and refund.idempotency_key
    refund_row = await shop.movement(res, "refund")
    assert refund_row["original_psp_reference"] == fee["psp_reference"]
    await shop.notify(
        "REFUND",
        reference=res["reference"],
        psp=refund_row["psp_reference"],
        original=fee["psp_reference"],
        amount=FEE,
    )
    await shop.until(res, status="no_show", deposit="refunded")

    money = await shop.money(res)
    kinds = {p["kind"]: p["status"] for p in money["payments"]}
    assert kinds == {"guarantee": "succeeded", "fee": "succeeded", "refund": "succeeded"}
    me = await shop.client.get(f"{BASE}/auth/me", headers=manager)
    (entry,) = money["audit"]
    assert entry["staff_id"] == me.json()["id"]
    assert entry["reason"] == "guest was in hospital"
    assert entry["action"] == "waive_charged" and entry["details"]["amount_minor"] == FEE
    # one charge, one refund: the waiver moved money once
    assert len(shop.fake.processed("/payments")) == 1
    assert len(shop.fake.processed("/refunds")) == 1


# ---- 3. cancellations ------------------------------------------------------------------


async def test_a_timely_cancel_refunds_and_a_late_one_forfeits(shop: Shop) -> None:
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    await shop.paid(res, "PSPDEP0000000001")
    cancelled = await shop.client.post(
        f"{BASE}/reservations/{res['id']}/cancel",
        params={"token": res["manage_token"]},
        json={"reason": "plans changed"},
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled_by_guest"
    assert cancelled.json()["cancelled_within_deadline"] is True

    (refund,) = await shop.requests_to("/payments/PSPDEP0000000001/refunds")
    assert refund.idempotency_key and refund.json["amount"] == {"value": DEPOSIT, "currency": "EUR"}
    assert refund.json["reference"] == res["reference"]
    await shop.until(res, status="cancelled_by_guest", deposit="refund_pending")
    row = await shop.movement(res, "refund")
    await shop.notify(
        "REFUND",
        reference=res["reference"],
        psp=row["psp_reference"],
        original="PSPDEP0000000001",
        amount=DEPOSIT,
    )
    await shop.until(res, status="cancelled_by_guest", deposit="refunded")
    await templates_queued(shop.live.db, res["id"], "refund_issued")

    # a deadline of 30 days before a booking 10 days away has passed: the deposit is kept
    late_rid = await deposit_restaurant(shop, cancellation_deadline_hours=24 * 30)
    late = await shop.book(late_rid, guest={**booking(late_rid)["guest"], "email": "b@example.com"})
    await shop.paid(late, "PSPLATE000000001")
    too_late = await shop.client.post(
        f"{BASE}/reservations/{late['id']}/cancel", params={"token": late["manage_token"]}
    )
    assert too_late.status_code == 200, too_late.text
    assert too_late.json()["cancelled_within_deadline"] is False
    assert too_late.json()["deposit"]["status"] == "forfeited"
    events = await settled(shop.live.env.client, reservation_workflow_id(late["id"]))
    assert "move_money" not in activity_types(events)  # no refund was even started
    assert shop.fake.received("/payments/PSPLATE000000001/refunds") == []
    assert len(shop.fake.received("/refunds")) == 1  # the first booking's only
    assert (await shop.reservation(late))["deposit"]["status"] == "forfeited"


# ---- 4. replays and out-of-order deliveries ------------------------------------------------


async def test_replayed_and_out_of_order_webhooks_move_money_once(shop: Shop) -> None:
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    paid = notification(
        "AUTHORISATION", reference=res["reference"], psp="PSPDEP0000000001", amount=DEPOSIT
    )
    # an earlier failed attempt (another card) whose notification arrives last
    failed = notification(
        "AUTHORISATION",
        reference=res["reference"],
        psp="PSPFAIL000000001",
        amount=DEPOSIT,
        success=False,
    )
    answers = await asyncio.gather(*(shop.post_webhook(paid) for _ in range(10)))
    assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
    assert (await shop.post_webhook(failed)).status_code == 200
    await shop.until(res, status="confirmed", deposit="paid")

    async def both_recorded() -> list[dict[str, Any]] | None:
        rows = (await shop.money(res))["payments"]
        return rows if len(rows) == 2 else None

    rows = await eventually(both_recorded, "both attempts recorded", seconds=POLL_SECONDS)
    by_psp = {r["psp_reference"]: r["status"] for r in rows}
    assert by_psp == {"PSPDEP0000000001": "succeeded", "PSPFAIL000000001": "failed"}
    assert await count_rows(shop.live.db, ProcessedWebhookEvent) == 2
    sent = await templates_queued(shop.live.db, res["id"], "deposit_receipt", "confirmation")
    assert sent.count("deposit_receipt") == 1 and sent.count("confirmation") == 1, sent
    assert (await shop.reservation(res))["confirmed_at"] is not None

    cancelled = await shop.client.post(
        f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    await shop.requests_to("/payments/PSPDEP0000000001/refunds")
    row = await shop.movement(res, "refund")
    refunded = notification(
        "REFUND",
        reference=res["reference"],
        psp=row["psp_reference"],
        original="PSPDEP0000000001",
        amount=DEPOSIT,
    )
    answers = await asyncio.gather(*(shop.post_webhook(refunded) for _ in range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    assert (await shop.post_webhook(paid)).status_code == 200  # the payment, yet again
    await shop.until(res, status="cancelled_by_guest", deposit="refunded")
    events = await settled(shop.live.env.client, reservation_workflow_id(res["id"]))
    assert activity_types(events).count("move_money") == 1  # one refund, and no second
    assert len(shop.fake.received("/refunds")) == 1
    assert len(shop.fake.processed("/refunds")) == 1
    kinds = sorted(p["kind"] for p in (await shop.money(res))["payments"])
    assert kinds == ["deposit", "deposit", "refund"]
    sent = await templates_queued(shop.live.db, res["id"], "refund_issued")
    assert sent.count("refund_issued") == 1


# ---- 5. authentication ----------------------------------------------------------------------


async def test_forged_webhooks_are_refused_and_leave_no_trace(shop: Shop) -> None:
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    genuine = notification(
        "AUTHORISATION", reference=res["reference"], psp="PSPDEP0000000001", amount=1
    )
    tampered = notification(
        "AUTHORISATION", reference=res["reference"], psp="PSPDEP0000000001", amount=1
    )
    tampered["notificationItems"][0]["NotificationRequestItem"]["amount"]["value"] = DEPOSIT
    other_key = notification(
        "AUTHORISATION",
        reference=res["reference"],
        psp="PSPDEP0000000001",
        amount=DEPOSIT,
        key=OTHER_HMAC_KEY,
    )
    for forged in (tampered, other_key):
        refused = await shop.post_webhook(forged)
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    for auth in ((HOOK_USER, "wrong"), ("someone", HOOK_PASSWORD)):
        assert (await shop.post_webhook(genuine, auth=auth)).status_code == 401
    no_auth = await shop.client.post(WEBHOOK, json=genuine)
    assert no_auth.status_code == 401

    assert await count_rows(shop.live.db, ProcessedWebhookEvent) == 0
    now = await shop.reservation(res)
    assert now["status"] == "held" and now["deposit"]["status"] == "pending"
    (row,) = (await shop.money(res))["payments"]
    assert row["psp_reference"] is None and row["status"] == "pending"
    # the same payment, genuinely signed, goes through at once
    await shop.paid(res, "PSPDEP0000000001")


# ---- 6. a provider outage --------------------------------------------------------------------


async def test_a_refund_is_retried_through_a_provider_outage_and_made_once(shop: Shop) -> None:
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    await shop.paid(res, "PSPDEP0000000001")
    shop.fake.fail_next(2, 500)
    cancelled = await shop.client.post(
        f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    # attempts at 0 s, 2 s and 6 s (the provider retry policy's backoff)
    await shop.requests_to("/payments/PSPDEP0000000001/refunds")
    attempts = shop.fake.received("/payments/PSPDEP0000000001/refunds")
    assert len(attempts) == 3
    assert len({a.idempotency_key for a in attempts}) == 1 and attempts[0].idempotency_key
    assert len(shop.fake.processed("/refunds")) == 1
    row = await shop.movement(res, "refund")
    await shop.notify(
        "REFUND",
        reference=res["reference"],
        psp=row["psp_reference"],
        original="PSPDEP0000000001",
        amount=DEPOSIT,
    )
    await shop.until(res, status="cancelled_by_guest", deposit="refunded")
    assert [r.endpoint for r in shop.fake.operations] == [
        "/sessions",
        "/payments/PSPDEP0000000001/refunds",
    ]


# ---- 7. paid after the hold ended ----------------------------------------------------------


async def test_a_payment_after_the_hold_ended_is_refunded(shop: Shop) -> None:
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    cancelled = await shop.client.post(
        f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled_by_guest"
    assert cancelled.json()["deposit"]["status"] == "pending"  # nothing was paid yet
    assert cancelled.json()["payment_required"] is False  # and nothing is asked any more

    # the guest's payment completes anyway: it is not the restaurant's to keep
    await shop.notify(
        "AUTHORISATION", reference=res["reference"], psp="PSPLATE000000001", amount=DEPOSIT
    )
    (refund,) = await shop.requests_to("/payments/PSPLATE000000001/refunds")
    assert refund.json["amount"] == {"value": DEPOSIT, "currency": "EUR"}
    await shop.until(res, status="cancelled_by_guest", deposit="refund_pending")
    row = await shop.movement(res, "refund")
    await shop.notify(
        "REFUND",
        reference=res["reference"],
        psp=row["psp_reference"],
        original="PSPLATE000000001",
        amount=DEPOSIT,
    )
    await shop.until(res, status="cancelled_by_guest", deposit="refunded")
    assert len(shop.fake.processed("/refunds")) == 1


# ---- 8. the local provider ---------------------------------------------------------------------


async def test_the_local_checkout_page_pays_or_declines(
    db: Database, dev_server: WorkflowEnvironment, admin: dict[str, str]
) -> None:
    async with live_api(db, dev_server) as live:
        shop = Shop(live=live, fake=FakeAdyen(), admin=admin)  # FakeAdyen unused (not started)
        rid = await deposit_restaurant(shop)
        res = await shop.book(rid)
        payment = res["payment"]
        assert payment["environment"] == "local" and payment["checkout_url"]
        page_url = payment["checkout_url"]
        page = await live.client.get(urlsplit(page_url).path)
        assert page.status_code == 200, page.text
        assert res["reference"] in page.text and "€25.00" in page.text
        # the buttons post where a browser would send them
        actions = re.findall(r'<form method="post" action="([^"]+)"', page.text)
        pay_url, decline_url = (urljoin(page_url, a) for a in actions)
        assert pay_url.endswith("/pay") and decline_url.endswith("/decline")

        paid = await live.client.post(urlsplit(pay_url).path)
        assert paid.status_code == 303, paid.text
        assert paid.headers["location"].endswith(f"/manage/{res['id']}?token={res['manage_token']}")
        await shop.until(res, status="confirmed", deposit="paid")
        (row,) = (await shop.money(res))["payments"]
        assert row["provider"] == "local" and row["status"] == "succeeded"

        other = await shop.book(rid, guest={**booking(rid)["guest"], "email": "b@example.com"})
        other_page = urlsplit(other["payment"]["checkout_url"]).path
        declined = await live.client.post(f"{other_page}/decline")
        assert declined.status_code == 303, declined.text

        async def failure_recorded() -> dict[str, Any] | None:
            (attempt,) = (await shop.money(other))["payments"]
            return attempt if attempt["status"] == "failed" else None

        await eventually(failure_recorded, "the declined attempt recorded", seconds=POLL_SECONDS)
        now = await shop.reservation(other)
        assert now["status"] == "held" and now["deposit"]["status"] == "pending"
        # the guest may try again before the hold ends
        again = await live.client.post(f"{other_page}/pay")
        assert again.status_code == 303
        await shop.until(other, status="confirmed", deposit="paid")


async def test_the_local_checkout_page_shows_money_for_the_guest_and_ends_with_the_booking(
    db: Database, dev_server: WorkflowEnvironment, admin: dict[str, str]
) -> None:
    async with live_api(db, dev_server) as live:
        shop = Shop(live=live, fake=FakeAdyen(), admin=admin)  # FakeAdyen unused (not started)
        rid = await deposit_restaurant(shop)
        guest = {**booking(rid)["guest"], "preferred_language": "de"}
        res = await shop.book(rid, guest=guest)
        page_path = urlsplit(res["payment"]["checkout_url"]).path
        page = await live.client.get(page_path)
        assert page.status_code == 200, page.text
        # money as the guest's messages show it (German: 25,00 €), not in minor units
        assert "minor units" not in page.text
        assert "25,00\xa0€" in page.text, page.text
        assert "<form" in page.text

        cancelled = await live.client.post(
            f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
        )
        assert cancelled.status_code == 200, cancelled.text
        ended = await live.client.get(page_path)
        assert ended.status_code == 200, ended.text
        assert "booking has ended" in ended.text
        assert "Pay a deposit" not in ended.text and "<form" not in ended.text
        # and nothing can be paid for it any more
        late = await live.client.post(f"{page_path}/pay")
        assert late.status_code == 409, late.text
        assert (await shop.money(res))["payments"][0]["status"] == "pending"


# ---- bugs found in the workflow, documented (PostgreSQL only: one database suffices) ------


@pytest.fixture
async def pg_shop(pg_db: Database, dev_server: WorkflowEnvironment) -> AsyncIterator[Shop]:
    """A Shop on PostgreSQL whose SMS go to FakeTwilio (so a send can be made slow)."""
    twilio = FakeTwilio()
    await twilio.start()
    try:
        async with (
            FakeAdyen() as fake,
            live_api(
                pg_db,
                dev_server,
                adyen_checkout_url=fake.checkout_url,
                sms_provider="twilio",
                twilio_account_sid=TWILIO_SID,
                twilio_auth_token=TWILIO_TOKEN,
                twilio_from_number=TWILIO_FROM,
                twilio_api_url=twilio.url,
                **ADYEN_SETTINGS,
            ) as live,
        ):
            admin = await live.token_for(StaffRole.ADMIN)
            shop = Shop(live=live, fake=fake, admin=admin)
            shop.twilio = twilio
            yield shop
    finally:
        await twilio.stop()


async def test_a_cancel_racing_a_message_send_still_refunds(pg_shop: Shop) -> None:
    """A guest cancels in time while the confirmation SMS is still being sent.

    The cancel handler records the transition (the booking is now terminal) and queues
    the cancellation message; if a message send finishes meanwhile, the lifecycle loop
    wakes, sees a terminal booking with its deposit still "paid" and nothing running,
    and ends; the handler then starts the refund in a task the closing workflow never
    runs. Made deterministic here: the SMS provider answers after 3 s, and a lock on
    `restaurants` holds the handler's queue_message until that send has finished.
    """
    shop = pg_shop
    assert shop.twilio is not None
    shop.twilio.delay_seconds = 3.0
    rid = await deposit_restaurant(shop)
    guest = {**booking(rid)["guest"], "sms_notifications": True}
    res = await shop.book(rid, guest=guest)
    # the deposit request's SMS goes first: sent side by side, the two slow SMS could
    # finish together and leave no moment with only the confirmation's in flight
    await eventually(
        lambda: sms_all_sent(shop, res["id"], "deposit_request"),
        "the deposit request SMS sent",
        seconds=POLL_SECONDS,
    )
    await shop.notify(
        "AUTHORISATION", reference=res["reference"], psp="PSPDEP0000000001", amount=DEPOSIT
    )
    await shop.until(res, status="confirmed", deposit="paid")

    async def confirmation_queued_email_sent() -> bool:
        """Only the confirmation SMS is in flight: every other message (the confirmation
        and deposit-receipt emails) has gone, so none of their sends reads `restaurants`
        while the lock below holds it."""
        async with shop.live.db.sessions() as session:
            rows = (
                await session.execute(
                    select(Notification.template, Notification.channel, Notification.status).where(
                        Notification.reservation_id == uuid.UUID(res["id"])
                    )
                )
            ).all()
        statuses = {(template, channel): status for template, channel, status in rows}
        sms = ("confirmation", NotificationChannel.SMS)
        return (
            statuses.get(sms) is NotificationStatus.QUEUED
            and statuses.get(("confirmation", NotificationChannel.EMAIL)) is NotificationStatus.SENT
            and statuses.get(("deposit_receipt", NotificationChannel.EMAIL))
            is NotificationStatus.SENT
            and all(s is not NotificationStatus.QUEUED for k, s in statuses.items() if k != sms)
        )

    await eventually(
        confirmation_queued_email_sent, "the confirmation SMS in flight", seconds=POLL_SECONDS
    )
    async with shop.live.db.engine.connect() as blocker:
        transaction = await blocker.begin()
        await blocker.execute(text("LOCK TABLE restaurants IN ACCESS EXCLUSIVE MODE"))
        try:
            cancelling = asyncio.create_task(
                shop.client.post(
                    f"{BASE}/reservations/{res['id']}/cancel",
                    params={"token": res["manage_token"]},
                )
            )
            await eventually(
                lambda: sms_all_sent(shop, res["id"], "confirmation"),
                "the SMS sent",
                seconds=POLL_SECONDS,
            )
            # the workflow takes in the send's completion while the cancel still waits
            await taken_in(
                shop.live.env.client, reservation_workflow_id(res["id"]), "send_notification"
            )
        finally:
            await transaction.rollback()
    cancelled = await asyncio.wait_for(cancelling, POLL_SECONDS)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled_within_deadline"] is True

    async def refund_asked() -> bool:
        return bool(shop.fake.received("/payments/PSPDEP0000000001/refunds"))

    with contextlib.suppress(AssertionError):  # asked within milliseconds when it works
        await eventually(refund_asked, "the refund", seconds=1.5)
    described = await shop.live.env.client.get_workflow_handle(
        f"reservation-{res['id']}"
    ).describe()
    assert await refund_asked(), (
        f"no refund asked; deposit {(await shop.reservation(res))['deposit']['status']}, "
        f"workflow {described.status.name if described.status else None}"
    )


async def sms_all_sent(shop: Shop, reservation_id: str, template: str) -> bool:
    async with shop.live.db.sessions() as session:
        statuses = list(
            await session.scalars(
                select(Notification.status).where(
                    Notification.reservation_id == uuid.UUID(reservation_id),
                    Notification.template == template,
                    Notification.channel == NotificationChannel.SMS,
                )
            )
        )
    return bool(statuses) and all(s is NotificationStatus.SENT for s in statuses)


async def test_the_fee_charges_own_authorisation_webhook_is_not_refunded(pg_shop: Shop) -> None:
    """Adyen notifies AUTHORISATION for the merchant-initiated fee payment too.

    Handled before the charge activity's answer reaches the workflow (a slow answer,
    a worker restart, an activity retry), it must wait for the fee's pspReference
    rather than be taken for a stray payment and refunded.
    """
    shop = pg_shop
    rid = await restaurant(
        shop.live, shop.admin, all_day=True, payment_mode="guarantee", payment_fixed_minor=FEE
    )
    res = await shop.book(rid, **soon())
    await shop.card_stored(res)
    shop.fake.delay_next(1.5)  # the charge's answer is slow to come back
    marked = await shop.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{res['id']}/no-show", headers=shop.admin
    )
    assert marked.status_code == 200, marked.text
    await eventually(
        lambda: _received(shop, "/payments"), "the fee charge asked", seconds=POLL_SECONDS
    )
    # FakeAdyen numbers pspReferences in order: the session was 1, the fee payment is 2
    fee_psp = "0000000000000002"
    await shop.notify("AUTHORISATION", reference=res["reference"], psp=fee_psp, amount=FEE)
    await shop.until(res, status="no_show", deposit="charged")
    assert (await shop.movement(res, "fee"))["psp_reference"] == fee_psp
    events = await settled(shop.live.env.client, reservation_workflow_id(res["id"]))
    assert activity_types(events).count("move_money") == 1  # the fee charge, no refund
    assert shop.fake.received("/refunds") == [], "the fee was refunded though nobody waived it"


async def _received(shop: Shop, endpoint: str) -> bool:
    return any(r.endpoint == endpoint for r in shop.fake.requests)


async def test_a_no_show_before_the_booking_starts_is_refused(pg_shop: Shop) -> None:
    shop = pg_shop
    rid = await restaurant(shop.live, shop.admin, payment_mode="guarantee", payment_fixed_minor=FEE)
    res = await shop.book(rid)  # ten days from now
    await shop.card_stored(res)
    marked = await shop.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{res['id']}/no-show", headers=shop.admin
    )
    try:
        assert marked.status_code == 409, marked.text
    finally:
        events = await settled(shop.live.env.client, reservation_workflow_id(res["id"]))
        assert "move_money" not in activity_types(events)
        charged = [r for r in shop.fake.requests if r.endpoint == "/payments"]
        assert charged == [], "a guest was charged a no-show fee ten days early"


async def test_the_local_checkout_is_closed_in_production(db: Database) -> None:
    settings = settings_for(db.url, environment="production")
    app = create_app(settings, engine=db.engine, cache=MemoryCache())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            page = await client.get(f"{BASE}/payments/local/checkout/LOCAL-SESSION-0")
            paid = await client.post(f"{BASE}/payments/local/checkout/LOCAL-SESSION-0/pay")
    assert page.status_code == 404 and "development only" in page.json()["detail"]
    assert paid.status_code == 404
