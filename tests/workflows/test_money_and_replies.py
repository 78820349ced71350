"""Money and guest replies in ReservationWorkflow, on the time-skipping test server.

The activities are the recording stand-ins of tests/workflows/fakes.py; the real
payment activities run against a real database and the Adyen test server in
tests/api/test_payments.py.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from models.enums import PaymentMode
from models.schemas.lifecycle import (
    CancelRequest,
    LifecyclePolicy,
    PaymentEvent,
    RefundResolution,
    SmsReply,
    StaffMessage,
    WaiverRequest,
)
from tests.workflows.conftest import Run
from tests.workflows.fakes import money_moves
from tests.workflows.test_reservation_workflow import (
    authorisation,
    booking_input,
    far_future,
    keep_history,
    start,
    until_status,
)
from workflows.payments_after_close import (
    PaymentsAfterCloseWorkflow,
    payments_after_close_workflow_id,
)
from workflows.reservation import ReservationWorkflow

WAIVER = WaiverRequest(staff_id=uuid.uuid4(), reason="regular guest, sick child")


async def test_a_payment_after_the_hold_expired_is_refunded(run: Run) -> None:
    run.book.deposit_minor = 2500
    handle = await start(run, booking_input(day=far_future()))
    await run.env.sleep(timedelta(minutes=16))
    await until_status(handle, "expired")
    await handle.signal(ReservationWorkflow.payment_event, authorisation("late-1"))
    result = await handle.result()
    (refund,) = run.book.money
    assert refund.kind == "refund" and refund.payment_psp_reference == "late-1"
    assert refund.amount_minor == 2500
    assert result.deposit_status.value == "refunded"
    assert run.book.templates() == ["deposit_request", "hold_expired", "refund_issued"]
    await keep_history(handle, "late_payment_refunded")


async def after_close(run: Run, *events: PaymentEvent) -> int:
    """Run PaymentsAfterClose over `events` (the first starts it); the refunds it started."""
    reservation_id = uuid.uuid4()
    first, *more = events
    handle = await run.env.client.start_workflow(
        PaymentsAfterCloseWorkflow.run,
        reservation_id,
        id=payments_after_close_workflow_id(reservation_id),
        task_queue=run.task_queue,
        start_signal="payment_event",
        start_signal_args=[first],
    )
    for event in more:
        await handle.signal(PaymentsAfterCloseWorkflow.payment_event, event)
    return await handle.result()


async def test_after_close_a_stray_payment_is_refunded_through_an_outage(run: Run) -> None:
    run.book.failing_refunds = 2
    refunds = await after_close(run, authorisation("stray-1"), authorisation("stray-1"))
    assert refunds == 1  # the redelivery was dropped
    (refund,) = run.book.money
    assert refund.payment_psp_reference == "stray-1" and refund.amount_minor == 2500
    assert run.book.failing_refunds == 0  # both outages were waited out


async def test_after_close_a_refused_refund_ends_the_workflow(run: Run) -> None:
    run.book.refuse_refunds = True
    refunds = await after_close(
        run, authorisation("stray-2"), authorisation("stray-3", code="REFUND")
    )
    assert refunds == 1
    assert [m.payment_psp_reference for m in run.book.money] == ["stray-2"]
    assert run.book.recorded_events == 2


async def test_a_payment_that_is_not_the_deposit_goes_back_and_the_hold_waits(run: Run) -> None:
    run.book.deposit_minor = 2500
    handle = await start(run, booking_input(day=far_future()))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("part-1", amount=100))
    dollars = authorisation("usd-1").model_copy(update={"currency": "USD"})
    await handle.signal(ReservationWorkflow.payment_event, dollars)
    part, usd = await money_moves(run.book, 2)
    assert (part.payment_psp_reference, part.amount_minor, part.currency) == ("part-1", 100, "EUR")
    assert (usd.payment_psp_reference, usd.amount_minor, usd.currency) == ("usd-1", 2500, "USD")
    state = await handle.query(ReservationWorkflow.state)
    assert state.status is not None and state.status.value == "held"
    assert state.deposit_status.value == "pending"
    await handle.signal(ReservationWorkflow.payment_event, authorisation("dep-1"))
    state = await until_status(handle, "confirmed")
    assert state.deposit_status.value == "paid"
    assert len(run.book.money) == 2  # the deposit itself is kept
    await keep_history(handle, "payment_not_the_deposit_refunded")


async def test_an_unpaid_expired_hold_closes_after_the_late_payment_window(run: Run) -> None:
    run.book.deposit_minor = 2500
    policy = LifecyclePolicy(late_payment_window_hours=24)
    handle = await start(run, booking_input(day=far_future(), policy=policy))
    result = await handle.result()
    assert result.status is not None and result.status.value == "expired"
    closed = (await handle.describe()).close_time
    expired_at = run.book.transitions[0].at
    assert closed is not None and timedelta(hours=24) <= closed - expired_at < timedelta(hours=25)
    assert run.book.money == []


async def test_a_timely_cancellation_refunds_the_deposit_once(run: Run) -> None:
    run.book.deposit_minor = 2500
    run.book.settle_at_once = False  # like Adyen: the REFUND webhook tells the outcome
    handle = await start(run, booking_input(day=far_future()))
    # the same webhook ten times, and a failed attempt arriving after the success
    for _ in range(10):
        await handle.signal(ReservationWorkflow.payment_event, authorisation("pay-1"))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("pay-0", success=False))
    await until_status(handle, "confirmed")
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    state = await handle.query(ReservationWorkflow.state)
    assert state.deposit_status.value == "refund_pending"
    (refund,) = await money_moves(run.book, 1)  # the refund is asked beside the update
    refunded = authorisation("PSP-" + refund.key, code="REFUND")
    refunded = refunded.model_copy(update={"original_reference": "pay-1"})
    for _ in range(3):
        await handle.signal(ReservationWorkflow.payment_event, refunded)
    result = await handle.result()
    assert result.deposit_status.value == "refunded"
    assert len(run.book.money) == 1  # one money movement for all the redeliveries
    assert run.book.statuses() == ["confirmed", "cancelled_by_guest"]
    assert run.book.templates().count("refund_issued") == 1
    await keep_history(handle, "deposit_refunded_by_webhook")


async def test_a_refund_that_fails_at_the_provider_is_pending_again_for_a_manager(
    run: Run,
) -> None:
    run.book.deposit_minor = 2500
    run.book.settle_at_once = False  # like Adyen: webhooks tell the outcome
    handle = await start(run, booking_input(day=far_future()))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("pay-1"))
    await until_status(handle, "confirmed")
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    (refund,) = await money_moves(run.book, 1)
    failed = authorisation("PSP-" + refund.key, code="REFUND_FAILED")
    failed = failed.model_copy(update={"original_reference": "pay-1", "reason": "card closed"})
    await handle.signal(ReservationWorkflow.payment_event, failed)
    # the manager may ask again at once: the provider has answered the first attempt
    retry = RefundResolution(staff_id=uuid.uuid4(), action="retry", reason="guest's new card")
    state = await handle.execute_update(ReservationWorkflow.resolve_refund, retry)
    assert state.deposit_status.value == "refund_pending"
    _, again = await money_moves(run.book, 2)
    assert again.payment_psp_reference == "pay-1" and again.key != refund.key
    done = authorisation("PSP-" + again.key, code="REFUND")
    await handle.signal(
        ReservationWorkflow.payment_event, done.model_copy(update={"original_reference": "pay-1"})
    )
    result = await handle.result()
    assert result.deposit_status.value == "refunded"
    await keep_history(handle, "refund_failed_then_retried")


async def test_a_late_cancellation_forfeits_and_a_manager_may_waive(run: Run) -> None:
    run.book.deposit_minor = 2500
    run.book.cancellation_hours = 24 * 90  # the deadline has already passed
    handle = await start(run, booking_input(day=far_future()))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("pay-1"))
    await until_status(handle, "confirmed")
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    state = await handle.query(ReservationWorkflow.state)
    assert state.deposit_status.value == "forfeited" and run.book.money == []
    assert run.book.templates()[-1] == "deposit_forfeited"
    await run.env.sleep(timedelta(days=3))
    await handle.execute_update(ReservationWorkflow.waive, WAIVER)
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(ReservationWorkflow.waive, WAIVER)  # nothing left to waive
    result = await handle.result()
    (refund,) = run.book.money
    assert refund.payment_psp_reference == "pay-1" and refund.key.endswith(":refund:waiver")
    assert result.deposit_status.value == "refunded"
    (waiver,) = run.book.waivers
    assert waiver.reason == WAIVER.reason and waiver.deposit_status.value == "forfeited"


async def test_a_forfeit_not_waived_closes_after_the_waiver_window(run: Run) -> None:
    run.book.deposit_minor = 2500
    run.book.cancellation_hours = 24 * 90
    policy = LifecyclePolicy(waiver_window_days=30)
    handle = await start(run, booking_input(day=far_future(), policy=policy))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("pay-1"))
    await until_status(handle, "confirmed")
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    result = await handle.result()
    assert result.deposit_status.value == "forfeited"
    with pytest.raises(Exception):  # noqa: B017 (closed: any update fails)
        await handle.execute_update(ReservationWorkflow.waive, WAIVER)


async def test_a_guarantee_no_show_charges_the_fee_on_the_stored_card(run: Run) -> None:
    run.book.deposit_minor = 4000
    run.book.payment_mode = PaymentMode.GUARANTEE
    policy = LifecyclePolicy(no_show_grace_minutes=30)
    handle = await start(run, booking_input(day=far_future(), policy=policy))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("card-1", amount=0))
    state = await until_status(handle, "confirmed")
    assert state.deposit_status.value == "guaranteed" and state.starts_at is not None
    await run.env.sleep(state.starts_at - await run.env.get_current_time() + timedelta(hours=1))
    await until_status(handle, "no_show")
    await handle.execute_update(ReservationWorkflow.waive, WAIVER)
    result = await handle.result()
    charge, refund = run.book.money
    assert run.book.templates()[0] == "guarantee_request"
    assert charge.kind == "charge_fee" and charge.amount_minor == 4000
    assert charge.stored_payment_method_id == "CARD-1"
    assert refund.kind == "refund" and refund.payment_psp_reference == "PSP-" + charge.key
    assert result.deposit_status.value == "refunded"
    assert run.book.deposit_statuses[:2] == ["guaranteed", "charged"]
    await keep_history(handle, "guarantee_no_show_fee_waived")


async def test_the_fee_webhook_arriving_before_the_charge_answer_is_not_refunded(
    run: Run,
) -> None:
    run.book.deposit_minor = 4000
    run.book.payment_mode = PaymentMode.GUARANTEE
    run.book.charge_gate = asyncio.Event()
    handle = await start(run, booking_input(day=far_future()))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("card-1", amount=0))
    state = await until_status(handle, "confirmed")
    assert state.starts_at is not None
    await run.env.sleep(state.starts_at - await run.env.get_current_time() + timedelta(hours=1))
    await handle.execute_update(ReservationWorkflow.no_show)
    for _ in range(100):
        if run.book.money:
            break
        await asyncio.sleep(0.02)
    (charge,) = run.book.money
    # Adyen's AUTHORISATION for the charge, before the charge activity has answered
    fee_webhook = authorisation("PSP-" + charge.key, amount=4000)
    await handle.signal(ReservationWorkflow.payment_event, fee_webhook)
    await asyncio.sleep(0.2)
    run.book.charge_gate.set()
    for _ in range(200):
        state = await handle.query(ReservationWorkflow.state)
        if state.deposit_status.value == "charged":
            break
        await asyncio.sleep(0.02)
    assert state.deposit_status.value == "charged"
    assert [m.kind for m in run.book.money] == ["charge_fee"]  # nothing refunded


async def test_a_guarantee_cancelled_in_time_is_released_without_a_charge(run: Run) -> None:
    run.book.deposit_minor = 4000
    run.book.payment_mode = PaymentMode.GUARANTEE
    handle = await start(run, booking_input(day=far_future()))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("card-1", amount=0))
    await until_status(handle, "confirmed")
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    result = await handle.result()
    assert result.deposit_status.value == "released" and run.book.money == []


async def test_sms_replies_confirm_then_cancel_within_the_deadline(run: Run) -> None:
    handle = await start(run, booking_input(day=far_future()))
    await until_status(handle, "confirmed")
    await handle.signal(ReservationWorkflow.sms_reply, SmsReply(message_sid="SM1", kind="confirm"))
    await handle.signal(ReservationWorkflow.sms_reply, SmsReply(message_sid="SM1", kind="confirm"))
    await handle.signal(ReservationWorkflow.sms_reply, SmsReply(message_sid="SM2", kind="cancel"))
    result = await handle.result()
    assert result.status is not None and result.status.value == "cancelled_by_guest"
    assert result.guest_confirmed_at is not None
    assert [t.action.value for t in run.book.transitions] == ["guest_reconfirm", "cancel_by_guest"]
    await keep_history(handle, "sms_reconfirm_then_cancel")


async def test_an_sms_cancel_after_the_deadline_is_refused_by_reply(run: Run) -> None:
    run.book.cancellation_hours = 24 * 90
    handle = await start(run, booking_input(day=far_future()))
    await until_status(handle, "confirmed")
    await handle.signal(ReservationWorkflow.sms_reply, SmsReply(message_sid="SM9", kind="cancel"))
    for _ in range(100):
        if "sms_cancel_refused" in run.book.templates():
            break
        await run.env.sleep(timedelta(seconds=1))
    state = await handle.query(ReservationWorkflow.state)
    assert state.status is not None and state.status.value == "confirmed"
    assert run.book.templates()[-1] == "sms_cancel_refused"


async def test_a_message_the_data_refuses_leaves_the_booking_working(run: Run) -> None:
    """A staff answer named by an earlier release's signal but missing from the thread
    cannot be rendered: it is left unsent, and the next guest action is answered."""
    run.book.unrenderable = {"staff_reply"}
    handle = await start(run, booking_input(day=far_future()))
    await until_status(handle, "confirmed")
    await handle.signal(
        ReservationWorkflow.staff_message, StaffMessage(thread_message_id=uuid.uuid4())
    )
    for _ in range(500):  # the lifecycle loop takes the signal up
        if run.book.refused_messages:
            break
        await asyncio.sleep(0.02)
    assert run.book.refused_messages == ["staff_reply"]
    cancelled = await asyncio.wait_for(
        handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest")), timeout=20
    )
    assert cancelled.status is not None and cancelled.status.value == "cancelled_by_guest"
    assert "staff_reply" not in run.book.templates()


async def test_a_failing_provider_is_retried_and_the_message_sent_once(run: Run) -> None:
    run.book.failing_sends = 3
    handle = await start(run, booking_input(day=far_future()))
    await until_status(handle, "confirmed")
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="restaurant"))
    await handle.result()
    # confirmation and cancellation, each sent exactly once after the failures
    assert len(run.book.sends) == 2 and len(set(run.book.sends)) == 2
    assert run.book.send_attempts == 5
