"""Payment events that reach a reservation after its workflow ended (PaymentsAfterClose).

The API, a real worker on the Temporal dev server, PostgreSQL, and Adyen played by
FakeAdyen through the real SDK. A reservation's workflow is ended by terminating it,
which is what the webhook route meets for any ended booking: the signal finds none.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from tests.api.conftest import eventually
from tests.api.test_money_races import pg_shop  # noqa: F401 (the fixture)
from tests.api.test_payments import (
    DEPOSIT,
    FEE,
    POLL_SECONDS,
    Shop,
    deposit_restaurant,
)
from tests.api.test_reservation_lifecycle import BASE, restaurant, soon
from tests.api.workflow_probe import reservation_workflow_id
from tests.workflows.test_reservation_workflow import keep_history
from workflows.payments_after_close import payments_after_close_workflow_id


async def end_workflow(shop: Shop, res: dict[str, Any]) -> None:
    """End the booking's workflow (by terminating it, unless it has ended by itself)."""
    handle = shop.live.env.client.get_workflow_handle(reservation_workflow_id(res["id"]))
    try:
        await handle.terminate(reason="the test ends the booking's workflow")
    except RPCError:
        # it had ended by itself (a refunded booking closes at once)
        assert (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED


async def after_close_done(shop: Shop, res: dict[str, Any]) -> int:
    """The refunds the reservation's latest PaymentsAfterClose run started, once it ended."""
    handle = shop.live.env.client.get_workflow_handle(
        payments_after_close_workflow_id(res["id"]), result_type=int
    )

    async def ended() -> bool:
        status = (await handle.describe()).status
        return status is WorkflowExecutionStatus.COMPLETED

    await eventually(ended, "PaymentsAfterClose completed", seconds=POLL_SECONDS)
    refunds: int = await handle.result()
    return refunds


async def rows(shop: Shop, res: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [p for p in (await shop.money(res))["payments"] if p["kind"] == kind]


async def test_a_payment_after_the_workflow_ended_is_given_back_once(
    pg_shop: Shop,  # noqa: F811
) -> None:
    shop = pg_shop
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    await end_workflow(shop, res)

    # the guest pays a checkout page left open: nobody is holding a table for it
    late = "PSPAFTERCLOSE001"
    await shop.notify("AUTHORISATION", reference=res["reference"], psp=late, amount=DEPOSIT)
    (refund,) = await shop.requests_to(f"/payments/{late}/refunds")
    assert refund.json["amount"] == {"value": DEPOSIT, "currency": "EUR"}
    assert await after_close_done(shop, res) == 1
    handle = shop.live.env.client.get_workflow_handle(payments_after_close_workflow_id(res["id"]))
    await keep_history(handle, "payments_after_close-payment_given_back")
    (given_back,) = await rows(shop, res, "refund")
    assert given_back["original_psp_reference"] == late
    assert given_back["status"] == "pending"  # until Adyen reports the refund

    # Adyen redelivers the payment; the refund's own report arrives days later
    await shop.notify("AUTHORISATION", reference=res["reference"], psp=late, amount=DEPOSIT)
    await shop.notify(
        "REFUND",
        reference=res["reference"],
        psp=given_back["psp_reference"],
        original=late,
        amount=DEPOSIT,
    )

    async def refunded() -> bool:
        (row,) = await rows(shop, res, "refund")
        return bool(row["status"] == "succeeded")

    await eventually(refunded, "the refund recorded as made", seconds=POLL_SECONDS)
    assert await after_close_done(shop, res) == 0
    await keep_history(handle, "payments_after_close-refund_recorded")
    assert len(shop.fake.processed("/refunds")) == 1
    (paid,) = [p for p in await rows(shop, res, "deposit") if p["psp_reference"] == late]
    assert paid["status"] == "succeeded"


async def test_the_fee_reported_after_the_workflow_ended_is_kept(pg_shop: Shop) -> None:  # noqa: F811
    """The no-show fee's own AUTHORISATION may come after the booking closed: it is the
    restaurant's money, recorded, never refunded."""
    shop = pg_shop
    rid = await restaurant(
        shop.live, shop.admin, all_day=True, payment_mode="guarantee", payment_fixed_minor=FEE
    )
    res = await shop.book(rid, **soon())
    await shop.card_stored(res, psp="PSPGUAAFTER00001")
    marked = await shop.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{res['id']}/no-show", headers=shop.admin
    )
    assert marked.status_code == 200, marked.text
    fee = await shop.movement(res, "fee")
    await end_workflow(shop, res)

    await shop.notify(
        "AUTHORISATION", reference=res["reference"], psp=fee["psp_reference"], amount=FEE
    )
    await shop.notify(
        "CAPTURE",
        reference=res["reference"],
        psp="PSPCAPTUREAFTER1",
        original=fee["psp_reference"],
        amount=FEE,
    )
    assert await after_close_done(shop, res) == 0
    assert shop.fake.received("/refunds") == []
    assert await rows(shop, res, "refund") == []
    (kept,) = await rows(shop, res, "fee")
    assert kept["status"] == "succeeded"


async def test_a_deposit_refund_that_fails_after_the_booking_closed_is_no_longer_refunded(
    pg_shop: Shop,  # noqa: F811
) -> None:
    shop = pg_shop
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    await shop.paid(res, "PSPDEPAFTER00001")
    cancelled = await shop.client.post(
        f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    refund = await shop.movement(res, "refund")
    await shop.notify(
        "REFUND",
        reference=res["reference"],
        psp=refund["psp_reference"],
        original="PSPDEPAFTER00001",
        amount=DEPOSIT,
    )
    await shop.until(res, status="cancelled_by_guest", deposit="refunded")
    await end_workflow(shop, res)
    # days later the bank sends the money back: Adyen reports the refund failed
    await shop.notify(
        "REFUND_FAILED",
        reference=res["reference"],
        psp=refund["psp_reference"],
        original="PSPDEPAFTER00001",
        amount=DEPOSIT,
    )
    assert await after_close_done(shop, res) == 0
    await shop.until(res, status="cancelled_by_guest", deposit="refund_pending")
    (failed,) = await rows(shop, res, "refund")
    assert failed["status"] == "failed"
