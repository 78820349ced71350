"""A local checkout session takes the money at most once (DESIGN invariant 5).

A guest who double-clicks Pay, reloads the result, or fires many pays at once is
charged one deposit: every further /pay or /decline of a paid session sends the
guest to the same place and moves no money, so the workflow sees one authorisation
and has nothing to refund.  Over HTTP, with a real worker on the Temporal dev server,
on SQLite and PostgreSQL (the set-up of test_payments' local checkout tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from temporalio.testing import WorkflowEnvironment

from payments.local import REFUSED_CARD_PREFIX, local_payment_psp_reference, local_stored_card_id
from services.ops.invariants import check_invariants
from tests.api.conftest import LiveApi, live_api
from tests.api.test_payments import Shop, deposit_restaurant
from tests.api.test_reservation_lifecycle import restaurant
from tests.api.workflow_probe import activity_types, reservation_workflow_id, settled
from tests.conftest import Database
from tests.payments.fake_adyen import FakeAdyen


@pytest.fixture
async def local_shop(
    db: Database, dev_server: WorkflowEnvironment, admin: dict[str, str]
) -> AsyncIterator[Shop]:
    """The API and a worker with the local provider (FakeAdyen unused: not started)."""
    async with live_api(db, dev_server) as live:
        yield Shop(live=live, fake=FakeAdyen(), admin=admin)


def checkout_path(res: dict[str, Any]) -> str:
    return urlsplit(str(res["payment"]["checkout_url"])).path


async def money_settled(shop: Shop, res: dict[str, Any]) -> list[dict[str, Any]]:
    """The booking's payment rows once its workflow has acted on everything it was sent;
    fails if the workflow moved any money (a refund) for it."""
    events = await settled(shop.live.env.client, reservation_workflow_id(res["id"]))
    assert "move_money" not in activity_types(events), activity_types(events)
    rows: list[dict[str, Any]] = (await shop.money(res))["payments"]
    return rows


async def invariants_hold(live: LiveApi) -> None:
    async with live.db.sessions() as session:
        failing = [r.line() for r in await check_invariants(session) if not r.ok]
    assert failing == [], failing


def test_a_session_has_one_payment_reference_and_one_card() -> None:
    first, other = "LOCAL-SESSION-0000000000000001", "LOCAL-SESSION-0000000000000002"
    assert local_payment_psp_reference(first) == local_payment_psp_reference(first)
    assert local_payment_psp_reference(first) != local_payment_psp_reference(other)
    assert local_stored_card_id(first) == local_stored_card_id(first)
    assert local_stored_card_id(first) != local_stored_card_id(other)
    assert not local_stored_card_id(first).startswith(REFUSED_CARD_PREFIX)


async def test_paying_a_paid_session_again_redirects_without_a_second_charge(
    local_shop: Shop,
) -> None:
    shop = local_shop
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    path = checkout_path(res)
    manage = f"/manage/{res['id']}?token={res['manage_token']}"

    # a triple click: each answer sends the guest to the same page
    answers = [await shop.client.post(f"{path}/pay") for _ in range(3)]
    assert [a.status_code for a in answers] == [303] * 3, [a.text for a in answers]
    assert all(a.headers["location"].endswith(manage) for a in answers)
    await shop.until(res, status="confirmed", deposit="paid")

    # once paid, neither button is offered, and a stale form's post changes nothing
    page = await shop.client.get(path)
    assert "deposit is settled" in page.text and "<form" not in page.text
    for action in ("pay", "decline"):
        late = await shop.client.post(f"{path}/{action}")
        assert late.status_code == 303, late.text
        assert late.headers["location"].endswith(manage)

    (row,) = await money_settled(shop, res)
    assert row["kind"] == "deposit" and row["status"] == "succeeded"
    assert (await shop.reservation(res))["deposit"]["status"] == "paid"
    await invariants_hold(shop.live)


async def test_concurrent_pays_take_exactly_one_deposit(local_shop: Shop) -> None:
    shop = local_shop
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    path = checkout_path(res)
    # pays with a few declines among them, all at once
    actions = ["decline" if n % 5 == 4 else "pay" for n in range(20)]
    answers = await asyncio.gather(*(shop.client.post(f"{path}/{a}") for a in actions))
    assert [a.status_code for a in answers] == [303] * 20, [a.text for a in answers]
    await shop.until(res, status="confirmed", deposit="paid")

    rows = await money_settled(shop, res)
    succeeded = [r for r in rows if r["status"] == "succeeded"]
    assert [r["kind"] for r in succeeded] == ["deposit"], rows
    # declined attempts may be on record; nothing else is, and no refund was needed
    assert {r["kind"] for r in rows} == {"deposit"}, rows
    assert all(r["status"] == "failed" for r in rows if r is not succeeded[0]), rows
    await invariants_hold(shop.live)


async def test_a_guarantee_session_stores_one_card(local_shop: Shop) -> None:
    shop = local_shop
    rid = await restaurant(
        shop.live, shop.admin, payment_mode="guarantee", payment_fixed_minor=4000
    )
    res = await shop.book(rid)
    path = checkout_path(res)
    answers = await asyncio.gather(*(shop.client.post(f"{path}/pay") for _ in range(5)))
    assert [a.status_code for a in answers] == [303] * 5, [a.text for a in answers]
    await shop.until(res, status="confirmed", deposit="guaranteed")

    (row,) = await money_settled(shop, res)
    assert row["kind"] == "guarantee" and row["status"] == "succeeded"
    await invariants_hold(shop.live)
