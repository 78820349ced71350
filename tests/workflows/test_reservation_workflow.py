"""ReservationWorkflow timers and transitions on the time-skipping test server.

Activities are stand-ins (tests/workflows/fakes.py) so each instant can be asserted
exactly; histories of each path are kept under histories/ for the replay test.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from models.enums import ConfirmationMode
from models.schemas.booking import BookingRequest
from models.schemas.lifecycle import (
    CancelRequest,
    CheckInRequest,
    DecisionRequest,
    LifecyclePolicy,
    ModifyRequest,
    PaymentEvent,
    ReservationInput,
    ReservationState,
)
from tests.workflows.conftest import Run
from workflows.reservation import ReservationWorkflow

HISTORIES = Path(__file__).parent / "histories"


def booking_input(
    *,
    day: date,
    at: time = time(19, 0),
    policy: LifecyclePolicy | None = None,
) -> ReservationInput:
    return ReservationInput(
        booking=BookingRequest(
            reservation_id=uuid.uuid4(),
            restaurant_id=uuid.uuid4(),
            guest_id=uuid.uuid4(),
            party_size=2,
            date=day,
            time=at,
        ),
        policy=policy or LifecyclePolicy(),
    )


async def start(
    r: Run, inp: ReservationInput
) -> WorkflowHandle[ReservationWorkflow, ReservationState]:
    handle = await r.env.client.start_workflow(
        ReservationWorkflow.run,
        inp,
        id=f"reservation-{inp.booking.reservation_id}",
        task_queue=r.task_queue,
    )
    state = await handle.execute_update(ReservationWorkflow.create)
    assert state.hold is not None
    return handle


async def until_status(
    handle: WorkflowHandle[ReservationWorkflow, ReservationState], status: str
) -> ReservationState:
    """Poll the live state until the workflow has processed what it was sent (10 s at most)."""
    for _ in range(500):
        state = await handle.query(ReservationWorkflow.state)
        if state.status is not None and state.status.value == status:
            return state
        await asyncio.sleep(0.02)
    raise AssertionError(f"never reached {status}: {state.status}")


async def keep_history(handle: WorkflowHandle[Any, Any], name: str) -> None:
    """Store the history for the replay test when RECORD_HISTORIES=1."""
    if os.environ.get("RECORD_HISTORIES") == "1":
        history = await handle.fetch_history()
        (HISTORIES / f"{name}.json").write_text(history.to_json())


def assert_fires_at(actual: datetime, expected: datetime) -> None:
    """Timers never fire early; the test server adds at most the milliseconds of a task."""
    assert timedelta(0) <= actual - expected < timedelta(seconds=1), (actual, expected)


def authorisation(
    psp: str, *, success: bool = True, amount: int = 2500, code: str = "AUTHORISATION"
) -> PaymentEvent:
    """A verified provider event as the webhook route signals it."""
    return PaymentEvent(
        event_id=f"{psp}:{code}:{'true' if success else 'false'}",
        event_code=code,
        success=success,
        psp_reference=psp,
        amount_minor=amount,
        stored_payment_method_id="CARD-1",
    )


def far_future(days: int = 60) -> date:
    return (datetime.now(UTC) + timedelta(days=days)).date()


async def test_unpaid_deposit_releases_the_hold_at_exactly_15_minutes(run: Run) -> None:
    run.book.deposit_minor = 2500
    handle = await start(run, booking_input(day=far_future()))
    started = (await handle.describe()).start_time
    result = await handle.result()
    assert result.status is not None and result.status.value == "expired"
    (expire,) = run.book.transitions
    assert expire.action.value == "expire" and expire.release_tables
    # the hold is taken when the workflow starts; the tables go at its expiry (timers never
    # fire early, and the test server adds only the milliseconds of a workflow task)
    assert result.hold is not None and result.hold.hold_expires_at is not None
    assert_fires_at(expire.at, result.hold.hold_expires_at)
    assert timedelta(minutes=15) <= expire.at - started < timedelta(minutes=15, seconds=1)
    assert run.book.templates() == ["deposit_request", "hold_expired"]
    await keep_history(handle, "hold_expired")


async def test_paid_deposit_confirms(run: Run) -> None:
    run.book.deposit_minor = 2500
    handle = await start(run, booking_input(day=far_future()))
    paid = authorisation("psp-1")
    await handle.signal(ReservationWorkflow.payment_event, paid)
    await handle.signal(ReservationWorkflow.payment_event, paid)
    state = await until_status(handle, "confirmed")
    await run.env.sleep(timedelta(minutes=20))
    assert state.status is not None and state.status.value == "confirmed"
    assert state.deposit_status.value == "paid"
    assert run.book.statuses() == ["confirmed"]  # the replayed event changed nothing
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    await handle.result()
    await keep_history(handle, "deposit_paid_then_cancelled")


async def test_manual_confirmation_deadline_declines(run: Run) -> None:
    policy = LifecyclePolicy(
        confirmation_mode=ConfirmationMode.MANUAL, manual_confirmation_hours=24
    )
    handle = await start(run, booking_input(day=far_future(), policy=policy))
    result = await handle.result()
    # pending from the hold itself (no deposit due); declined 24 hours later
    assert [t.action.value for t in run.book.transitions] == ["decline"]
    (declined,) = run.book.transitions
    assert run.book.held_at is not None
    assert_fires_at(declined.at, run.book.held_at + timedelta(hours=24))
    assert result.status is not None and result.status.value == "declined"
    assert run.book.templates() == ["pending", "declined"]
    await keep_history(handle, "manual_declined_by_deadline")


async def test_manager_confirms_a_pending_booking(run: Run) -> None:
    policy = LifecyclePolicy(confirmation_mode=ConfirmationMode.MANUAL)
    handle = await start(run, booking_input(day=far_future(), policy=policy))
    state = await handle.execute_update(ReservationWorkflow.confirm, DecisionRequest())
    assert state.status is not None and state.status.value == "confirmed"
    await handle.execute_update(
        ReservationWorkflow.cancel, CancelRequest(by="restaurant", reason="flood")
    )
    result = await handle.result()
    assert result.status is not None and result.status.value == "cancelled_by_restaurant"
    await keep_history(handle, "manual_confirmed_then_cancelled")


async def test_reminder_fires_24_hours_before_on_the_wall_clock_in_a_dst_week(run: Run) -> None:
    # Amsterdam springs forward on 2027-03-28; dinner Monday 29 March 19:00 CEST
    handle = await start(run, booking_input(day=date(2027, 3, 29), at=time(19, 0)))
    reminder_at = datetime(2027, 3, 28, 17, 0, tzinfo=UTC)  # Sunday 19:00 CEST
    now = await run.env.get_current_time()
    await run.env.sleep(reminder_at - now + timedelta(minutes=1))
    reminders = [m for m in run.book.messages if m[0] == "reminder"]
    assert len(reminders) == 1
    assert_fires_at(reminders[0][2], reminder_at)
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    await handle.result()
    await keep_history(handle, "reminder_in_dst_week")


async def test_modification_moves_the_reminder(run: Run) -> None:
    day = far_future(30)
    handle = await start(run, booking_input(day=day, at=time(19, 0)))
    later = day + timedelta(days=7)
    await handle.execute_update(
        ReservationWorkflow.modify, ModifyRequest(date=later, time=time(20, 30))
    )
    now = await run.env.get_current_time()
    first_reminder = run.book._facts(
        uuid.uuid4(), datetime.combine(day, time(19)), 2, now
    ).reminder_at
    moved_reminder = run.book._facts(
        uuid.uuid4(), datetime.combine(later, time(20, 30)), 2, now
    ).reminder_at
    assert first_reminder is not None and moved_reminder is not None
    await run.env.sleep(moved_reminder - now + timedelta(minutes=1))
    reminders = [m for m in run.book.messages if m[0] == "reminder"]
    assert len(reminders) == 1
    assert_fires_at(reminders[0][2], moved_reminder)
    assert "modification" in run.book.templates()
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    await handle.result()
    await keep_history(handle, "modified_reminder_moved")


async def test_refused_modification_leaves_the_booking_as_it_was(run: Run) -> None:
    run.book.refuse_moves = True
    handle = await start(run, booking_input(day=far_future()))
    before = await handle.query(ReservationWorkflow.state)
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(
            ReservationWorkflow.modify, ModifyRequest(date=far_future(61), time=time(20))
        )
    after = await handle.query(ReservationWorkflow.state)
    assert after.starts_at == before.starts_at and after.status == before.status
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    await handle.result()


async def test_cancellation_inside_and_outside_the_deadline(run: Run) -> None:
    # far ahead: inside the free-cancellation deadline
    early = await start(run, booking_input(day=far_future()))
    await early.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    await early.result()
    # booked for tomorrow with a 48-hour deadline: already past it. "Tomorrow" on the
    # test server's clock: awaiting a result may have skipped it years ahead
    run.book.cancellation_hours = 48
    tomorrow = (await run.env.get_current_time() + timedelta(days=1)).date()
    late = await start(run, booking_input(day=tomorrow))
    await late.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest", reason="ill"))
    await late.result()
    cancels = [t for t in run.book.transitions if t.action.value == "cancel_by_guest"]
    assert [c.within_deadline for c in cancels] == [True, False]
    assert all(c.release_tables for c in cancels)
    await keep_history(late, "cancelled_late")


async def test_happy_path_to_the_review_request(run: Run) -> None:
    day = far_future(10)
    handle = await start(run, booking_input(day=day, at=time(19, 0)))
    start_at = (
        datetime.combine(day, time(19))
        .replace(tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Amsterdam"))
        .astimezone(UTC)
    )
    now = await run.env.get_current_time()
    await run.env.sleep(start_at - now)
    await handle.execute_update(ReservationWorkflow.check_in, CheckInRequest(actual_party_size=3))
    await handle.execute_update(ReservationWorkflow.complete)
    result = await handle.result()
    assert result.status is not None and result.status.value == "completed"
    assert run.book.statuses() == ["seated", "completed"]  # confirmed by the hold itself
    assert run.book.templates() == ["confirmation", "reminder", "review_request"]
    completed_at = run.book.transitions[-1].at
    review_at = run.book.messages[-1][2]
    assert_fires_at(review_at, completed_at + timedelta(hours=3))
    await keep_history(handle, "happy_path")


async def test_a_first_message_the_hold_queued_is_sent_without_queueing_it_again(
    run: Run,
) -> None:
    run.book.queue_in_hold = True
    handle = await start(run, booking_input(day=far_future(10), at=time(19, 0)))
    reservation_id = (await handle.query(ReservationWorkflow.state)).reservation_id
    assert run.book.queued_by_hold == ["confirmation"]
    assert run.book.templates() == ["confirmation"]  # no queue_message of its own
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    await handle.result()  # ends once every send is done
    first = uuid.uuid5(reservation_id, "confirmation:0")
    assert run.book.sends.count(first) == 1
    assert run.book.templates()[0] == "confirmation" and run.book.queued_by_hold == ["confirmation"]


async def test_the_hold_is_decided_inside_the_first_workflow_task(run: Run) -> None:
    """The hold is a local activity: no activity task goes through the server, and the
    task that started the booking already holds its result (status, search attributes)."""
    run.book.queue_in_hold = True
    handle = await start(run, booking_input(day=far_future(10)))
    events = (await handle.fetch_history()).events
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.event_type is EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    assert "hold_booking" not in scheduled
    first_done = next(
        i
        for i, e in enumerate(events)
        if e.event_type is EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    )
    first_task: list[HistoryEvent] = []
    for e in events[first_done + 1 :]:
        if e.event_type is EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            break
        first_task.append(e)
    markers = [
        e.marker_recorded_event_attributes.marker_name
        for e in first_task
        if e.event_type is EventType.EVENT_TYPE_MARKER_RECORDED
    ]
    assert "core_local_activity" in markers, markers
    kinds = {e.event_type for e in first_task}
    assert EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES in kinds
    assert run.book.holds == 1
    await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    await handle.result()
    await keep_history(handle, "hold_in_first_workflow_task")


async def test_a_pending_booking_sends_the_pending_message_the_hold_queued(run: Run) -> None:
    run.book.queue_in_hold = True
    policy = LifecyclePolicy(confirmation_mode=ConfirmationMode.MANUAL)
    handle = await start(run, booking_input(day=far_future(10), policy=policy))
    await handle.execute_update(ReservationWorkflow.confirm, DecisionRequest())
    assert run.book.queued_by_hold == ["pending"]
    # the pending message came from the hold, the confirmation from the workflow's outbox
    assert run.book.templates() == ["pending", "confirmation"]


async def test_automatic_no_show_after_the_grace_period(run: Run) -> None:
    policy = LifecyclePolicy(no_show_grace_minutes=20)
    day = far_future(3)
    handle = await start(run, booking_input(day=day, policy=policy))
    result = await handle.result()
    assert result.status is not None and result.status.value == "no_show"
    no_show = run.book.transitions[-1]
    assert result.starts_at is not None
    assert_fires_at(no_show.at, result.starts_at + timedelta(minutes=20))
    await keep_history(handle, "automatic_no_show")


async def test_illegal_transitions_are_refused_and_leave_no_trace(run: Run) -> None:
    run.book.deposit_minor = 1000
    handle = await start(run, booking_input(day=far_future()))  # held, deposit pending
    refusals: list[tuple[str, object]] = [
        ("check_in", CheckInRequest()),
        ("complete", None),
        ("no_show", None),
        ("confirm", DecisionRequest()),
        ("decline", DecisionRequest()),
        ("guest_reconfirm", None),
    ]
    for update, arg in refusals:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(update, args=[] if arg is None else [arg])
        assert "cannot" in str(refused.value.cause)
    history = await handle.fetch_history()
    accepted = [
        e
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    assert len(accepted) == 1  # only the create update was ever accepted
    assert run.book.transitions == []
    await handle.signal(ReservationWorkflow.payment_event, authorisation("e1", amount=1000))
    state = await until_status(handle, "confirmed")
    with pytest.raises(WorkflowUpdateFailedError) as too_early:
        await handle.execute_update(ReservationWorkflow.check_in, CheckInRequest())
    assert "too early" in str(too_early.value.cause)
    assert state.starts_at is not None
    await run.env.sleep(state.starts_at - await run.env.get_current_time() - timedelta(hours=1))
    await handle.execute_update(ReservationWorkflow.check_in, CheckInRequest())
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(ReservationWorkflow.cancel, CancelRequest(by="guest"))
    await handle.execute_update(ReservationWorkflow.complete)
    await handle.result()


async def test_refused_booking_ends_the_workflow(run: Run) -> None:
    run.book.refuse = True
    handle = await start(run, booking_input(day=far_future()))
    result = await handle.result()
    assert result.refused and result.hold is not None and result.hold.reason == "no_table_fits"
    assert run.book.transitions == []
    await keep_history(handle, "refused")
