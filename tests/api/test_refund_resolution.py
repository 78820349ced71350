"""A refund the provider refused: a manager asks again, or records it made by hand.

Without this the booking stayed `refund_pending`, its workflow open for good, and the
refund had to be made outside the system with nothing recording it. Real Adyen SDK
against FakeAdyen, signed webhooks, a real worker on the dev server.
"""

from __future__ import annotations

import asyncio
from typing import Any

from models.enums import StaffRole
from tests.api.conftest import eventually
from tests.api.test_payments import (
    DEPOSIT,
    Shop,
    deposit_restaurant,
    shop,
    templates_queued,
)
from tests.api.test_reservation_lifecycle import BASE
from tests.api.workflow_probe import reservation_workflow_id

__all__ = ["shop"]  # the fixture, from the payment tests

DEPOSIT_PSP = "PSPDEP0000000001"


async def cancelled_with_refund_asked(
    shop: Shop, *, refused_at_once: bool = False
) -> tuple[dict[str, Any], str]:
    """A paid booking the guest cancelled in time: its deposit refund is asked for."""
    rid = await deposit_restaurant(shop)
    res = await shop.book(rid)
    await shop.paid(res, DEPOSIT_PSP)
    if refused_at_once:
        shop.fake.fail_next(1, 422)  # the provider refuses the refund request itself
    cancelled = await shop.client.post(
        f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text
    return res, f"{BASE}/restaurants/{rid}/reservations/{res['id']}/refund"


async def test_a_refused_refund_is_asked_again_by_a_manager_and_made_once(shop: Shop) -> None:
    res, url = await cancelled_with_refund_asked(shop)
    manager = await shop.live.token_for(StaffRole.MANAGER, [res["restaurant_id"]])
    host = await shop.live.token_for(StaffRole.HOST, [res["restaurant_id"]])
    (first,) = await shop.requests_to(f"/payments/{DEPOSIT_PSP}/refunds")
    await shop.until(res, status="cancelled_by_guest", deposit="refund_pending")
    row = await shop.movement(res, "refund")

    # the provider still has it: asking again now could refund twice
    early = await shop.client.post(url, headers=manager, json={"action": "retry", "reason": "slow"})
    assert early.status_code == 409, early.text
    assert "not answered" in early.json()["detail"]

    await shop.notify(
        "REFUND",
        reference=res["reference"],
        psp=row["psp_reference"],
        original=DEPOSIT_PSP,
        amount=DEPOSIT,
        success=False,
    )
    # only managers settle money, and they say why
    denied = await shop.client.post(url, headers=host, json={"action": "retry", "reason": "again"})
    assert denied.status_code == 403, denied.text
    bad = await shop.client.post(url, headers=manager, json={"action": "twice", "reason": "x y"})
    assert bad.status_code == 422 and bad.json()["field"] == "action", bad.text

    async def retried() -> dict[str, Any] | None:
        answer = await shop.client.post(
            url, headers=manager, json={"action": "retry", "reason": "balance topped up"}
        )
        # the failed refund's webhook is handled beside this request: 409 until it is
        assert answer.status_code in (200, 409), answer.text
        return answer.json() if answer.status_code == 200 else None

    again = await eventually(retried, "the retry accepted")
    assert again["deposit"]["status"] == "refund_pending"
    first_again, second = await shop.requests_to(f"/payments/{DEPOSIT_PSP}/refunds", 2)
    assert first_again.idempotency_key == first.idempotency_key
    assert second.idempotency_key and second.idempotency_key != first.idempotency_key
    assert second.json["amount"] == {"value": DEPOSIT, "currency": "EUR"}

    async def second_refund() -> dict[str, Any] | None:
        rows = [p for p in (await shop.money(res))["payments"] if p["kind"] == "refund"]
        assert len(rows) <= 2, rows
        fresh = [p for p in rows if p["psp_reference"] not in (None, row["psp_reference"])]
        return fresh[0] if fresh else None

    new = await eventually(second_refund, "the second refund's pspReference")
    await shop.notify(
        "REFUND",
        reference=res["reference"],
        psp=new["psp_reference"],
        original=DEPOSIT_PSP,
        amount=DEPOSIT,
    )
    await shop.until(res, status="cancelled_by_guest", deposit="refunded")
    await templates_queued(shop.live.db, res["id"], "refund_issued")
    audit = (await shop.money(res))["audit"]
    assert [(a["action"], a["reason"]) for a in audit] == [("refund_retry", "balance topped up")]
    assert audit[0]["details"]["amount_minor"] == DEPOSIT
    # the refund is made: nothing is left to resolve
    done = await shop.client.post(url, headers=manager, json={"action": "retry", "reason": "x y"})
    assert done.status_code == 409, done.text  # nothing pending, or the booking has closed
    assert any(w in done.json()["detail"] for w in ("no refund is pending", "closed"))
    assert len(shop.fake.processed("/refunds")) == 2


async def test_a_refund_made_by_hand_is_recorded_and_the_booking_closes(shop: Shop) -> None:
    res, url = await cancelled_with_refund_asked(shop, refused_at_once=True)
    manager = await shop.live.token_for(StaffRole.MANAGER, [res["restaurant_id"]])
    await shop.until(res, status="cancelled_by_guest", deposit="refund_pending")

    async def settled_by_hand() -> dict[str, Any] | None:
        answer = await shop.client.post(
            url, headers=manager, json={"action": "settled_by_hand", "reason": "bank transfer"}
        )
        assert answer.status_code in (200, 409), answer.text
        return answer.json() if answer.status_code == 200 else None

    settled = await eventually(settled_by_hand, "the refund settled by hand")
    assert settled["deposit"]["status"] == "refunded"
    await templates_queued(shop.live.db, res["id"], "refund_issued")
    (entry,) = (await shop.money(res))["audit"]
    assert entry["action"] == "refund_settled_by_hand" and entry["reason"] == "bank transfer"
    # nothing more is owed: the reservation's workflow ends
    handle = shop.live.env.client.get_workflow_handle(reservation_workflow_id(res["id"]))
    await asyncio.wait_for(handle.result(), timeout=15)
    # the one refund request, refused; settling by hand asked the provider nothing more
    assert len(shop.fake.received(f"/payments/{DEPOSIT_PSP}/refunds")) == 1
    assert shop.fake.processed("/refunds") == []
