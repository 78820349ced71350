"""Every booking reaches a final state on its own, and money follows only its own events.

On the time-skipping test server with the recording stand-in activities.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import time, timedelta

from temporalio.client import WorkflowExecutionStatus

from models.enums import PaymentMode
from models.schemas.lifecycle import (
    CancelRequest,
    CheckInRequest,
    LifecyclePolicy,
    ModifyRequest,
    StaffAnswer,
)
from tests.workflows.conftest import Run
from tests.workflows.fakes import money_moves
from tests.workflows.test_reservation_workflow import (
    assert_fires_at,
    authorisation,
    booking_input,
    far_future,
    keep_history,
    start,
    until_status,
)
from workflows.reservation import ReservationWorkflow


async def test_a_seated_party_nobody_completes_is_completed_after_its_expected_end(
    run: Run,
) -> None:
    policy = LifecyclePolicy(seated_grace_minutes=45)
    handle = await start(run, booking_input(day=far_future(2), policy=policy))
    state = await handle.query(ReservationWorkflow.state)
    assert state.starts_at is not None and state.hold is not None
    now = await run.env.get_current_time()
    await run.env.sleep(state.starts_at - now)
    await handle.execute_update(ReservationWorkflow.check_in, CheckInRequest())
    result = await handle.result()
    assert result.status is not None and result.status.value == "completed"
    complete = run.book.transitions[-1]
    assert complete.reason == "completed by timer" and complete.release_tables
    assert state.hold.ends_at is not None
    assert_fires_at(complete.at, state.hold.ends_at + timedelta(minutes=45))
    assert run.book.templates()[-1] == "review_request"
    await keep_history(handle, "seated_completed_by_timer")


async def test_an_unresolved_booking_is_closed_without_charging_the_guarantee(run: Run) -> None:
    run.book.deposit_minor = 3000
    run.book.payment_mode = PaymentMode.GUARANTEE
    policy = LifecyclePolicy(unresolved_after_hours=5)
    handle = await start(run, booking_input(day=far_future(2), policy=policy))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("card-1", amount=0))
    await until_status(handle, "confirmed")
    result = await handle.result()
    assert result.status is not None and result.status.value == "no_show"
    closed = run.book.transitions[-1]
    assert closed.reason is not None and closed.reason.startswith("unresolved")
    assert result.starts_at is not None
    assert_fires_at(closed.at, result.starts_at + timedelta(hours=5))
    assert run.book.money == []  # no fee without staff saying the party did not come
    assert result.deposit_status.value == "released"
    await keep_history(handle, "unresolved_closed")


async def test_an_unresolved_booking_keeps_its_deposit_without_a_word_to_the_guest(
    run: Run,
) -> None:
    """Nobody said the party did not come: the deposit stays (a manager may waive it), and
    the guest is not told it was forfeited."""
    run.book.deposit_minor = 3000
    policy = LifecyclePolicy(unresolved_after_hours=5)
    handle = await start(run, booking_input(day=far_future(2), policy=policy))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("dep-1", amount=3000))
    await until_status(handle, "confirmed")
    result = await handle.result()
    assert result.status is not None and result.status.value == "no_show"
    assert result.deposit_status.value == "forfeited"
    assert "deposit_forfeited" not in run.book.templates()
    assert run.book.money == []
    await keep_history(handle, "unresolved_deposit_kept_quietly")


async def test_a_month_of_bookings_leaves_no_workflow_open(run: Run) -> None:
    """Bookings nobody acts on, seated parties nobody completes: all end by themselves."""
    handles = []
    for day in range(1, 31):
        inp = booking_input(day=far_future(day), at=time(12 + day % 10, 0))
        handles.append(await start(run, inp))
    seated = handles[::3]
    state = await seated[-1].query(ReservationWorkflow.state)
    assert state.starts_at is not None
    for handle in seated:
        own = await handle.query(ReservationWorkflow.state)
        assert own.starts_at is not None
        now = await run.env.get_current_time()
        if own.starts_at > now:
            await run.env.sleep(own.starts_at - now)
        await handle.execute_update(ReservationWorkflow.check_in, CheckInRequest())
    for handle in handles:
        result = await handle.result()
        assert result.status is not None
        assert result.status.value in {"completed", "no_show"}
    statuses = [(await h.describe()).status for h in handles]
    assert statuses == [WorkflowExecutionStatus.COMPLETED] * len(handles)


async def test_a_modification_that_changes_nothing_sends_nothing(run: Run) -> None:
    inp = booking_input(day=far_future(20))
    handle = await start(run, inp)
    same = ModifyRequest(date=inp.booking.date, time=inp.booking.time, party_size=2)
    await handle.execute_update(ReservationWorkflow.modify, same)
    await handle.execute_update(ReservationWorkflow.modify, same)
    assert run.book.templates() == ["confirmation"]
    moved = ModifyRequest(date=inp.booking.date, time=time(20, 0), party_size=2)
    await handle.execute_update(ReservationWorkflow.modify, moved)
    assert run.book.templates() == ["confirmation", "modification"]


async def test_only_the_deposits_own_refund_settles_it(run: Run) -> None:
    """A double payment's refund confirming first must not mark the deposit refunded."""
    run.book.deposit_minor = 2500
    run.book.settle_at_once = False  # like Adyen: REFUND webhooks tell the outcome
    handle = await start(run, booking_input(day=far_future()))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("pay-1"))
    await until_status(handle, "confirmed")
    await handle.signal(ReservationWorkflow.payment_event, authorisation("pay-2"))
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    moves = await money_moves(run.book, 2)  # both refunds are asked beside the lifecycle
    double, deposit = sorted(moves, key=lambda m: m.key.endswith(":deposit"))
    assert double.payment_psp_reference == "pay-2" and deposit.payment_psp_reference == "pay-1"
    first = authorisation("PSP-" + double.key, code="REFUND")
    await handle.signal(
        ReservationWorkflow.payment_event, first.model_copy(update={"original_reference": "pay-2"})
    )
    for _ in range(100):  # the signal is handled under the lock: wait for its record
        if run.book.recorded_events >= 3:
            break
        await asyncio.sleep(0.02)
    assert run.book.recorded_events == 3  # pay-1, pay-2 and the first refund
    state = await handle.query(ReservationWorkflow.state)
    assert state.deposit_status.value == "refund_pending"
    desc = await handle.describe()
    assert desc.status is WorkflowExecutionStatus.RUNNING
    own = authorisation("PSP-" + deposit.key, code="REFUND")
    await handle.signal(
        ReservationWorkflow.payment_event, own.model_copy(update={"original_reference": "pay-1"})
    )
    result = await handle.result()
    assert result.deposit_status.value == "refunded"
    assert run.book.templates().count("refund_issued") == 1
    await keep_history(handle, "double_payment_refunds")


async def test_a_hold_lost_before_the_confirmation_is_recorded_expires_and_refunds(
    run: Run,
) -> None:
    run.book.deposit_minor = 2500
    run.book.hold_lost_at = {"confirm_deposit_paid"}
    handle = await start(run, booking_input(day=far_future()))
    await handle.signal(ReservationWorkflow.payment_event, authorisation("pay-1"))
    result = await handle.result()
    assert result.status is not None and result.status.value == "expired"
    assert run.book.statuses() == ["expired"]
    (refund,) = run.book.money
    assert refund.payment_psp_reference == "pay-1" and refund.kind == "refund"
    assert result.deposit_status.value == "refunded"
    assert "confirmation" not in run.book.templates()
    await keep_history(handle, "hold_lost_at_confirmation")


async def test_a_staff_answer_is_kept_then_sent_once_per_update(run: Run) -> None:
    handle = await start(run, booking_input(day=far_future(5)))
    answer = StaffAnswer(staff_id=uuid.uuid4(), body="We have a high chair ready.")
    first = await handle.execute_update(ReservationWorkflow.answer_guest, answer, id="answer-1")
    again = await handle.execute_update(ReservationWorkflow.answer_guest, answer, id="answer-1")
    assert first == again
    (kept,) = run.book.staff_answers
    assert kept.body == answer.body and kept.key == "answer-1"
    assert run.book.templates().count("staff_reply") == 1
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="restaurant"))
    await keep_history(handle, "staff_answer")
