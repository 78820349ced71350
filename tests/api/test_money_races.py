"""Double clicks move money once: simultaneous cancels and simultaneous waivers.

Over HTTP, against a real worker on the Temporal dev server and FakeAdyen (the
set-up of test_payments, on PostgreSQL: the workflow is what is raced
here, one database suffices).  Both requests are fired at once; one moves money,
the other is refused with 409 (or answers what the first did), and after the
workflow has settled exactly one refund was asked of the provider.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from models.enums import StaffRole
from tests.api.conftest import live_api
from tests.api.test_payments import ADYEN_SETTINGS, FEE, Shop, deposit_restaurant
from tests.api.test_reservation_lifecycle import BASE, restaurant, soon
from tests.api.workflow_probe import activity_types, reservation_workflow_id, settled
from tests.conftest import Database
from tests.payments.fake_adyen import FakeAdyen

PAID_PSP = "PSPDEP0000000001"


@pytest.fixture
async def pg_shop(pg_db: Database, dev_server: WorkflowEnvironment) -> AsyncIterator[Shop]:
    """The API with a worker on PostgreSQL, Adyen pointed at FakeAdyen, and an admin."""
    async with (
        FakeAdyen() as fake,
        live_api(pg_db, dev_server, adyen_checkout_url=fake.checkout_url, **ADYEN_SETTINGS) as live,
    ):
        yield Shop(live=live, fake=fake, admin=await live.token_for(StaffRole.ADMIN))


def _one_won(answers: list[httpx.Response]) -> httpx.Response:
    """Exactly one 200, and the other a 409 or the same answer; the winner."""
    codes = sorted(a.status_code for a in answers)
    assert codes in ([200, 200], [200, 409]), [(a.status_code, a.text) for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.headers["content-type"] == "application/problem+json"
    if codes == [200, 200]:
        first, second = (a.json() for a in answers)
        assert first["status"] == second["status"]
        assert first["deposit"] == second["deposit"]
    return next(a for a in answers if a.status_code == 200)


async def _refunds_once(shop: Shop, res: dict[str, Any], psp: str) -> None:
    """After the workflow has settled: one refund of `psp` asked, one refund activity run."""
    events = await settled(shop.live.env.client, reservation_workflow_id(res["id"]))
    asked = shop.fake.received(f"/payments/{psp}/refunds")
    assert len(asked) == 1, [r.endpoint for r in shop.fake.requests]
    assert len(shop.fake.received("/refunds")) == 1
    assert len(shop.fake.processed("/refunds")) == 1
    refunds = [p for p in (await shop.money(res))["payments"] if p["kind"] == "refund"]
    assert len(refunds) == 1, refunds
    # the history agrees: whatever else ran, money moved in one activity after the payment
    assert activity_types(events).count("move_money") == 1, activity_types(events)


@pytest.mark.parametrize("second", ["guest", "restaurant"])
async def test_two_simultaneous_cancels_refund_once(pg_shop: Shop, second: str) -> None:
    shop = pg_shop
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    await shop.paid(res, PAID_PSP)

    guest_cancel = shop.client.post(
        f"{BASE}/reservations/{res['id']}/cancel",
        params={"token": res["manage_token"]},
        json={"reason": "double click"},
    )
    if second == "guest":
        other = shop.client.post(
            f"{BASE}/reservations/{res['id']}/cancel",
            params={"token": res["manage_token"]},
            json={"reason": "double click"},
        )
    else:
        other = shop.client.post(
            f"{BASE}/restaurants/{rid}/reservations/{res['id']}/cancel",
            headers=shop.admin,
            json={"reason": "kitchen closed"},
        )
    answers = list(await asyncio.gather(guest_cancel, other))
    won = _one_won(answers).json()
    assert won["status"] in {"cancelled_by_guest", "cancelled_by_restaurant"}

    await shop.requests_to(f"/payments/{PAID_PSP}/refunds")
    await _refunds_once(shop, res, PAID_PSP)
    now = await shop.reservation(res)
    assert now["status"] == won["status"] and now["deposit"]["status"] == "refund_pending"


async def test_two_simultaneous_waivers_of_a_forfeited_deposit_refund_once(
    pg_shop: Shop,
) -> None:
    shop = pg_shop
    # a deadline 30 days before a booking 10 days away has passed: the deposit is kept
    rid = await deposit_restaurant(shop, cancellation_deadline_hours=24 * 30)
    manager = await shop.live.token_for(StaffRole.MANAGER, [rid])
    res = await shop.book(rid)
    await shop.paid(res, PAID_PSP)
    late = await shop.client.post(
        f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
    )
    assert late.status_code == 200, late.text
    assert late.json()["deposit"]["status"] == "forfeited"
    await settled(shop.live.env.client, reservation_workflow_id(res["id"]))
    assert shop.fake.received("/refunds") == []

    url = f"{BASE}/restaurants/{rid}/reservations/{res['id']}/waive"
    answers = list(
        await asyncio.gather(
            shop.client.post(url, headers=manager, json={"reason": "flight cancelled"}),
            shop.client.post(url, headers=shop.admin, json={"reason": "flight cancelled"}),
        )
    )
    assert _one_won(answers).json()["deposit"]["status"] == "refund_pending"

    await shop.requests_to(f"/payments/{PAID_PSP}/refunds")
    await _refunds_once(shop, res, PAID_PSP)
    audit = (await shop.money(res))["audit"]
    assert [a["action"] for a in audit] == ["waive_forfeited"], audit


async def test_two_simultaneous_waivers_of_a_no_show_fee_refund_once(pg_shop: Shop) -> None:
    shop = pg_shop
    rid = await restaurant(
        shop.live, shop.admin, all_day=True, payment_mode="guarantee", payment_fixed_minor=FEE
    )
    manager = await shop.live.token_for(StaffRole.MANAGER, [rid])
    res = await shop.book(rid, **soon())
    await shop.card_stored(res)
    staff_url = f"{BASE}/restaurants/{rid}/reservations/{res['id']}"
    marked = await shop.client.post(f"{staff_url}/no-show", headers=shop.admin)
    assert marked.status_code == 200, marked.text
    await shop.until(res, status="no_show", deposit="charged")
    fee = await shop.movement(res, "fee")

    answers = list(
        await asyncio.gather(
            *(
                shop.client.post(f"{staff_url}/waive", headers=manager, json={"reason": "ill"})
                for _ in range(2)
            )
        )
    )
    assert _one_won(answers).json()["deposit"]["status"] == "refund_pending"

    await shop.requests_to(f"/payments/{fee['psp_reference']}/refunds")
    events = await settled(shop.live.env.client, reservation_workflow_id(res["id"]))
    assert len(shop.fake.received("/refunds")) == 1
    assert len(shop.fake.processed("/refunds")) == 1
    assert len(shop.fake.processed("/payments")) == 1  # the fee, charged once
    # two activities moved money: the fee charge and its one refund
    assert activity_types(events).count("move_money") == 2, activity_types(events)
    audit = (await shop.money(res))["audit"]
    assert [a["action"] for a in audit] == ["waive_charged"], audit
