"""Adyen times out, then answers 500, then succeeds: the refund is made once.

The fake Checkout API holds the first refund request past the SDK's timeout (the
worker gives up on it, but the fake processes it afterwards, as a slow provider does),
answers the second attempt with a 500, and replays the first answer to the third,
which carries the same Idempotency-Key. One refund at the provider, one in our database.
The SDK timeout is ADYEN_TIMEOUT_SECONDS, shortened here from its 15 s default.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from models.enums import PaymentKind
from models.orm import Notification, Payment
from tests.api.conftest import eventually
from tests.api.test_payments import (
    ADYEN_SETTINGS,
    DEPOSIT,
    HOOK_PASSWORD,
    HOOK_USER,
    basic,
    notification,
)
from tests.api.test_reservation_lifecycle import booking
from tests.faults.stack import BASE, PATIENCE, Cluster, Stack, restaurant, running_stack
from tests.faults.test_worker_kills import reported_attempts
from tests.payments.fake_adyen import FakeAdyen

pytestmark = [
    pytest.mark.long_running,
    pytest.mark.xdist_group("faults-provider_faults"),
    pytest.mark.temporal,
    pytest.mark.postgres,
]

SDK_TIMEOUT = 3.0  # ADYEN_TIMEOUT_SECONDS of this stack
# the retries come 2 s and then 4 s after a failure (PROVIDER's retry policy): the second
# attempt (at >= 5 s) arrives while the first is still held, the third (at >= 9 s) after
# the fake has processed the first, so it gets the first one's answer replayed
SLOWER_THAN_THE_SDK_TIMEOUT = 8.0


async def payments(stack: Stack, reservation_id: str, kind: PaymentKind) -> list[Payment]:
    async with stack.db.sessions() as session:
        return list(
            await session.scalars(
                select(Payment).where(
                    Payment.reservation_id == uuid.UUID(reservation_id), Payment.kind == kind
                )
            )
        )


async def test_a_refund_through_a_timeout_and_a_500_is_made_once(
    cluster: Cluster, tmp_path: Path
) -> None:
    fake = FakeAdyen()
    await fake.start()
    try:
        settings = {
            **ADYEN_SETTINGS,
            "adyen_checkout_url": fake.checkout_url,
            "adyen_timeout_seconds": SDK_TIMEOUT,
        }
        async with running_stack(cluster, tmp_path, settings=settings) as stack:
            await refund_once(stack, fake)
    finally:
        await fake.stop()


async def refund_once(stack: Stack, fake: FakeAdyen) -> None:
    admin = await stack.admin()
    rid = await restaurant(stack, admin, payment_mode="deposit", payment_fixed_minor=DEPOSIT)
    made = await stack.client.post(f"{BASE}/reservations", json=booking(rid))
    assert made.status_code == 201, made.text
    res = made.json()
    paid = await stack.client.post(
        f"{BASE}/webhooks/adyen",
        json=notification(
            "AUTHORISATION", reference=res["reference"], psp="PSPDEP0000000002", amount=DEPOSIT
        ),
        headers=basic(HOOK_USER, HOOK_PASSWORD),
    )
    assert paid.status_code == 200, paid.text

    async def confirmed_and_sent() -> bool:
        async with stack.db.sessions() as session:
            statuses = list(
                await session.scalars(
                    select(Notification.status).where(
                        Notification.reservation_id == uuid.UUID(res["id"])
                    )
                )
            )
        shown = await stack.client.get(
            f"{BASE}/reservations/{res['id']}", params={"token": res["manage_token"]}
        )
        sent = bool(statuses) and all(str(s) != "queued" for s in statuses)
        return sent and shown.json()["status"] == "confirmed"

    await eventually(
        confirmed_and_sent, "the paid booking confirmed and its messages sent", seconds=PATIENCE
    )

    refund_path = "/payments/PSPDEP0000000002/refunds"
    fake.delay_next(SLOWER_THAN_THE_SDK_TIMEOUT)
    cancelled = await stack.client.post(
        f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
    )
    assert cancelled.status_code == 200, cancelled.text

    async def first_attempt_held() -> bool:
        return bool(fake.received(refund_path))

    await eventually(first_attempt_held, "the first refund request held by Adyen", seconds=PATIENCE)
    fake.fail_next(1, 500)  # the retry, sent while the first request is still held

    async def recorded() -> bool:
        rows = await payments(stack, res["id"], PaymentKind.REFUND)
        assert len(rows) <= 1, rows
        return bool(rows) and rows[0].psp_reference is not None

    await eventually(recorded, "the refund recorded with its pspReference", seconds=2 * PATIENCE)
    attempts = fake.received(refund_path)
    assert len(attempts) == 3  # timed out, answered 500, answered (a replay)
    assert len({a.idempotency_key for a in attempts}) == 1 and attempts[0].idempotency_key
    assert len(fake.processed(refund_path)) == 1  # money moved once
    assert await reported_attempts(stack, res["id"], "move_money") == [3]
    [refund] = await payments(stack, res["id"], PaymentKind.REFUND)
    assert refund.amount_minor == DEPOSIT
    assert refund.idempotency_key == attempts[0].idempotency_key
