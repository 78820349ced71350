"""kill -9 of the worker in the middle of a booking, a refund and a message send.

Each time the work is caught in flight on purpose (a table lock the test holds, a
provider fake that holds the request), the worker process is killed with SIGKILL, and a
new worker process started. Temporal gives the activity to the new worker once its
start-to-close timeout has passed (the hold, a local activity, once the workflow task
it runs in has timed out: 10 s) (DATABASE_ATTEMPT_SECONDS for database work,
PROVIDER_ATTEMPT_SECONDS for providers: 30 s and 60 s by default, shortened here, as
nothing else differs), and the work is finished exactly once: one reservation with its
tables, one refund at the provider (its idempotency key) and in our database, one
message sent.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from temporalio.api.enums.v1 import EventType

from models.enums import AllocationStatus, PaymentKind
from models.orm import Notification, Payment, Reservation, TableAllocation
from tests.api.conftest import eventually
from tests.api.test_guest_messages import PHONE
from tests.api.test_payments import (
    ADYEN_SETTINGS,
    DEPOSIT,
    HOOK_PASSWORD,
    HOOK_USER,
    basic,
    notification,
)
from tests.api.test_reservation_lifecycle import booking
from tests.api.workflow_probe import history, reservation_workflow_id
from tests.faults.gated_providers import GatedAdyen, GatedTwilio
from tests.faults.stack import BASE, PATIENCE, Cluster, Stack, restaurant, running_stack
from tests.messaging.fake_twilio import ACCOUNT_SID as TWILIO_SID
from tests.messaging.fake_twilio import AUTH_TOKEN as TWILIO_TOKEN
from tests.messaging.fake_twilio import FROM_NUMBER as TWILIO_FROM

pytestmark = [
    pytest.mark.long_running,
    pytest.mark.xdist_group("faults-worker_kills"),
    pytest.mark.temporal,
    pytest.mark.postgres,
]


# long enough for a healthy attempt on a busy 2-core machine (they take well under a
# second), short enough that the test need not wait out the production values
ATTEMPTS: dict[str, object] = {
    "database_attempt_seconds": 10,
    "provider_attempt_seconds": 12,
    "adyen_timeout_seconds": 5.0,
}


async def waiting_on_a_lock(stack: Stack) -> bool:
    """True when another session waits for a lock (the worker's hold, here)."""
    async with stack.db.engine.connect() as conn:
        waiting = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        )
    return bool(waiting)


async def activity_attempts(stack: Stack, reservation_id: str, name: str) -> list[int]:
    """The attempt number of each start of activity `name` in the reservation's history.

    Temporal writes a retried activity's start event only with its result, so a start
    shows here once that attempt has finished.
    """
    client = await stack.temporal_client()
    events = await history(client, reservation_workflow_id(reservation_id))
    scheduled = {
        e.event_id
        for e in events
        if e.event_type is EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == name
    }
    return [
        e.activity_task_started_event_attributes.attempt
        for e in events
        if e.event_type is EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        and e.activity_task_started_event_attributes.scheduled_event_id in scheduled
    ]


async def local_activity_attempts(stack: Stack, reservation_id: str, name: str) -> list[int]:
    """The attempt of each recorded run of local activity `name` (its marker's data)."""
    client = await stack.temporal_client()
    events = await history(client, reservation_workflow_id(reservation_id))
    runs = [
        json.loads(e.marker_recorded_event_attributes.details["data"].payloads[0].data)
        for e in events
        if e.event_type is EventType.EVENT_TYPE_MARKER_RECORDED
        and e.marker_recorded_event_attributes.marker_name == "core_local_activity"
    ]
    return [run["attempt"] for run in runs if run["activity_type"] == name]


async def timed_out_workflow_tasks(stack: Stack, reservation_id: str) -> int:
    """Workflow tasks of the reservation that no worker completed in time."""
    client = await stack.temporal_client()
    events = await history(client, reservation_workflow_id(reservation_id))
    return sum(e.event_type is EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT for e in events)


async def reported_attempts(stack: Stack, reservation_id: str, name: str) -> list[int]:
    """`activity_attempts` once one has reported: our database row of the work (what the
    test waited for) is written inside the activity, a moment before it reports back."""
    return await eventually(
        lambda: activity_attempts(stack, reservation_id, name),
        f"an attempt of {name} reported",
        seconds=PATIENCE,
    )


async def test_a_booking_whose_worker_is_killed_mid_hold_is_made_once_by_a_new_worker(
    cluster: Cluster, tmp_path: Path
) -> None:
    async with running_stack(cluster, tmp_path, settings=ATTEMPTS) as stack:
        admin = await stack.admin()
        rid = await restaurant(stack, admin)
        async with stack.db.engine.connect() as blocker:
            transaction = await blocker.begin()
            # reads go on; the hold's INSERT into table_allocations waits for the test
            await blocker.execute(text("LOCK TABLE table_allocations IN EXCLUSIVE MODE"))
            booking_task = asyncio.create_task(
                stack.client.post(f"{BASE}/reservations", json=booking(rid))
            )
            await eventually(
                lambda: waiting_on_a_lock(stack), "the hold waiting on the lock", seconds=PATIENCE
            )
            stack.kill_worker()
            await transaction.rollback()
        await stack.start_worker()

        made = await asyncio.wait_for(booking_task, timeout=90)
        assert made.status_code == 201, made.text
        res = made.json()
        assert res["status"] in {"confirmed", "pending_confirmation"}
        async with stack.db.sessions() as session:
            reservations = await session.scalar(select(func.count()).select_from(Reservation))
            tables = list(
                await session.scalars(
                    select(TableAllocation.table_id).where(
                        TableAllocation.reservation_id == uuid.UUID(res["id"]),
                        TableAllocation.status != AllocationStatus.RELEASED,
                    )
                )
            )
        assert reservations == 1
        assert len(tables) == 1
        # the hold is a local activity: the killed worker's workflow task (the hold ran
        # inside it) timed out, and the new worker ran the hold again and recorded it once
        assert await local_activity_attempts(stack, res["id"], "hold_booking") == [1]
        assert await timed_out_workflow_tasks(stack, res["id"]) >= 1
        shown = await stack.client.get(
            f"{BASE}/reservations/{res['id']}", params={"token": res["manage_token"]}
        )
        assert shown.status_code == 200 and shown.json()["reference"] == res["reference"]


def provider_settings(adyen: GatedAdyen, twilio: GatedTwilio) -> dict[str, object]:
    """Adyen and Twilio pointed at the local fakes, with this module's short attempts."""
    return {
        **ADYEN_SETTINGS,
        **ATTEMPTS,
        "adyen_checkout_url": adyen.checkout_url,
        "sms_provider": "twilio",
        "twilio_account_sid": TWILIO_SID,
        "twilio_auth_token": TWILIO_TOKEN,
        "twilio_from_number": TWILIO_FROM,
        "twilio_api_url": twilio.url,
    }


async def notifications(stack: Stack, reservation_id: str) -> list[tuple[str, str, str]]:
    """(template, channel, status) of the reservation's messages."""
    async with stack.db.sessions() as session:
        rows = await session.execute(
            select(Notification.template, Notification.channel, Notification.status).where(
                Notification.reservation_id == uuid.UUID(reservation_id)
            )
        )
        return [(t, str(c), str(s)) for t, c, s in rows.all()]


async def test_a_refund_and_a_message_in_flight_when_the_worker_is_killed_happen_once(
    cluster: Cluster, tmp_path: Path
) -> None:
    adyen, twilio = GatedAdyen(), GatedTwilio()
    await adyen.start()
    await twilio.start()
    try:
        settings = provider_settings(adyen, twilio)
        async with running_stack(cluster, tmp_path, settings=settings) as stack:
            await refund_and_message_once(stack, adyen, twilio)
    finally:
        await twilio.stop()
        await adyen.stop()


async def refund_and_message_once(stack: Stack, adyen: GatedAdyen, twilio: GatedTwilio) -> None:
    admin = await stack.admin()
    rid = await restaurant(stack, admin, payment_mode="deposit", payment_fixed_minor=DEPOSIT)
    guest = {**booking(rid)["guest"], "sms_notifications": True}
    made = await stack.client.post(f"{BASE}/reservations", json={**booking(rid), "guest": guest})
    assert made.status_code == 201, made.text
    res = made.json()
    paid = await stack.client.post(
        f"{BASE}/webhooks/adyen",
        json=notification(
            "AUTHORISATION", reference=res["reference"], psp="PSPDEP0000000001", amount=DEPOSIT
        ),
        headers=basic(HOOK_USER, HOOK_PASSWORD),
    )
    assert paid.status_code == 200, paid.text

    async def confirmed_and_sent() -> bool:
        rows = await notifications(stack, res["id"])
        return ("confirmation", "sms", "sent") in rows and all(r[2] != "queued" for r in rows)

    await eventually(confirmed_and_sent, "the confirmation sent by email and SMS", seconds=PATIENCE)

    adyen.refunds.arm()
    twilio.messages_gate.arm()
    cancelling = asyncio.create_task(
        stack.client.post(
            f"{BASE}/reservations/{res['id']}/cancel", params={"token": res["manage_token"]}
        )
    )
    await asyncio.wait_for(adyen.refunds.held.wait(), timeout=PATIENCE)
    await asyncio.wait_for(twilio.messages_gate.held.wait(), timeout=PATIENCE)
    stack.kill_worker()
    adyen.refunds.release()  # Adyen makes the refund; the killed worker never hears of it
    await eventually(twilio.caller_gone, "the SMS request's connection closed", seconds=PATIENCE)
    twilio.messages_gate.release()  # the SMS request died with its caller
    await stack.start_worker()

    cancelled = await asyncio.wait_for(cancelling, timeout=120)
    assert cancelled.status_code == 200, cancelled.text

    async def refund_recorded() -> bool:
        async with stack.db.sessions() as session:
            refunds = list(
                await session.scalars(
                    select(Payment).where(
                        Payment.reservation_id == uuid.UUID(res["id"]),
                        Payment.kind == PaymentKind.REFUND,
                    )
                )
            )
        assert len(refunds) <= 1, refunds
        return bool(refunds) and refunds[0].psp_reference is not None

    async def cancellation_sms_sent() -> bool:
        rows = await notifications(stack, res["id"])
        return ("cancellation_by_guest", "sms", "sent") in rows

    await eventually(
        refund_recorded, "the refund recorded with its pspReference", seconds=2 * PATIENCE
    )
    await eventually(cancellation_sms_sent, "the cancellation SMS sent", seconds=2 * PATIENCE)

    refund_path = "/payments/PSPDEP0000000001/refunds"
    attempts = adyen.received(refund_path)
    assert len(attempts) == 2  # the killed worker's and the new worker's
    assert attempts[0].idempotency_key and len({a.idempotency_key for a in attempts}) == 1
    assert len(adyen.processed(refund_path)) == 1  # money moved once
    texts = [r for r in twilio.requests if r.status == 201 and r.form.get("To") == PHONE]
    assert twilio.dropped == 1
    assert [r.form["Body"] for r in texts].count(texts[-1].form["Body"]) == 1
    rows = await notifications(stack, res["id"])
    assert rows.count(("cancellation_by_guest", "sms", "sent")) == 1
    assert await reported_attempts(stack, res["id"], "move_money") == [2]
