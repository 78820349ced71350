"""WaitlistWorkflow and WaitlistDispatcher on the time-skipping test server, with fake activities.

Each path's history is kept under histories/ (prefix `waitlist_`) for the replay test.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from models.enums import WaitlistStatus
from models.schemas.waitlist import (
    CapacityChanged,
    DispatcherInput,
    LeaveRequest,
    NotifyRequest,
    OfferAnswer,
    OfferFacts,
    SeatRequest,
    SkipRequest,
    WaitlistInput,
    WaitlistKind,
    WaitlistState,
    dispatcher_workflow_id,
    entry_workflow_id,
)
from tests.workflows.conftest import serving
from tests.workflows.waitlist_fakes import FakeWaitlist
from workflows.waitlist import WaitlistDispatcher, WaitlistWorkflow

HISTORIES = Path(__file__).parent / "histories"
RESTAURANT = uuid.UUID(int=1)
DAY = date(2031, 3, 5)
STAFF = uuid.UUID(int=2)

Handle = WorkflowHandle[WaitlistWorkflow, WaitlistState]


@dataclass
class WaitRun:
    env: WorkflowEnvironment
    fake: FakeWaitlist
    task_queue: str


@pytest.fixture
async def wl(time_skipping: WorkflowEnvironment) -> AsyncIterator[WaitRun]:
    fake = FakeWaitlist()
    queue = f"wl-{uuid.uuid4().hex[:8]}"
    async with serving(
        time_skipping.client,
        queue,
        workflows=[WaitlistWorkflow, WaitlistDispatcher],
        activities=fake.activities(),
    ):
        yield WaitRun(time_skipping, fake, queue)


async def join(
    r: WaitRun,
    *,
    kind: WaitlistKind = WaitlistKind.FUTURE,
    expires_in: timedelta,
    minutes: int = 10,
) -> Handle:
    now = await r.env.get_current_time()
    inp = WaitlistInput(
        entry_id=uuid.uuid4(),
        restaurant_id=RESTAURANT,
        kind=kind,
        date=DAY,
        party_size=2,
        expires_at=now + expires_in,
        offer_minutes=minutes,
    )
    handle = await r.env.client.start_workflow(
        WaitlistWorkflow.run, inp, id=entry_workflow_id(inp.entry_id), task_queue=r.task_queue
    )
    state = await handle.execute_update(WaitlistWorkflow.create)
    assert state.status is WaitlistStatus.WAITING
    return handle


async def offer(r: WaitRun, handle: Handle, *, minutes: int = 10) -> OfferFacts:
    """The dispatcher's signal, as it would send it after taking a hold."""
    now = await r.env.get_current_time()
    reservation_id = uuid.uuid4()
    facts = OfferFacts(
        offer_id=str(reservation_id),
        reservation_id=reservation_id,
        table_numbers=["7"],
        starts_at=now + timedelta(hours=2),
        expires_at=now + timedelta(minutes=minutes),
    )
    # matching marks the entry offered in the database as it takes the hold
    r.fake.statuses[uuid.UUID(handle.id.removeprefix("waitlist-"))] = WaitlistStatus.OFFERED
    await handle.signal(WaitlistWorkflow.offer, facts)
    await handle.signal(WaitlistWorkflow.offer, facts)  # redelivered: ignored
    await until_status(handle, WaitlistStatus.OFFERED)
    return facts


async def until_status(handle: Handle, status: WaitlistStatus) -> WaitlistState:
    for _ in range(500):
        state = await handle.query(WaitlistWorkflow.state)
        if state.status is status:
            return state
        await asyncio.sleep(0.02)
    raise AssertionError(f"never reached {status}: {state.status}")


async def keep_history(handle: WorkflowHandle[Any, Any], name: str) -> None:
    if os.environ.get("RECORD_HISTORIES") == "1":
        history = await handle.fetch_history()
        (HISTORIES / f"{name}.json").write_text(history.to_json())


def assert_at(actual: datetime, expected: datetime) -> None:
    assert timedelta(0) <= actual - expected < timedelta(seconds=1), (actual, expected)


async def test_an_unanswered_offer_is_released_when_its_window_ends(wl: WaitRun) -> None:
    handle = await join(wl, expires_in=timedelta(days=2))
    facts = await offer(wl, handle)
    result = await handle.result()
    assert result.status is WaitlistStatus.EXPIRED
    ((reservation_id, reason, at),) = wl.fake.releases
    assert reservation_id == facts.reservation_id and reason == "timed_out"
    assert_at(at, facts.expires_at)
    entry = result.entry_id
    assert wl.fake.templates(entry) == ["waitlist_joined", "waitlist_offer", "waitlist_expired"]
    await keep_history(handle, "waitlist_offer_expired")


async def test_an_offer_that_expired_on_its_way_puts_the_entry_back_in_the_queue(
    wl: WaitRun,
) -> None:
    """The dispatcher's answer was lost with its worker, which stayed down past the offer's
    window: the retried match tells the entry late. The guest never heard of it, so the
    stored entry waits again (first in line) before the tables are let go."""
    handle = await join(wl, expires_in=timedelta(days=2))
    entry_id = uuid.UUID(handle.id.removeprefix("waitlist-"))
    now = await wl.env.get_current_time()
    reservation_id = uuid.uuid4()
    late = OfferFacts(
        offer_id=str(reservation_id),
        reservation_id=reservation_id,
        table_numbers=["7"],
        starts_at=now + timedelta(hours=2),
        expires_at=now - timedelta(minutes=1),
    )
    wl.fake.statuses[entry_id] = WaitlistStatus.OFFERED  # as matching stored it
    await handle.signal(WaitlistWorkflow.offer, late)
    for _ in range(500):
        if wl.fake.releases:
            break
        await asyncio.sleep(0.02)
    ((released, reason, _),) = wl.fake.releases
    assert (released, reason) == (reservation_id, "not_wanted")
    assert [c.status for c in wl.fake.changes] == [WaitlistStatus.WAITING]
    assert wl.fake.statuses[entry_id] is WaitlistStatus.WAITING
    assert (await handle.query(WaitlistWorkflow.state)).status is WaitlistStatus.WAITING
    assert wl.fake.templates(entry_id) == ["waitlist_joined"]  # no offer told
    await keep_history(handle, "waitlist_late_offer_requeued")
    await handle.terminate()


async def test_an_entry_nobody_could_serve_ends_when_its_window_has_passed(wl: WaitRun) -> None:
    joined_at = await wl.env.get_current_time()
    handle = await join(wl, expires_in=timedelta(hours=5))
    result = await handle.result()
    assert result.status is WaitlistStatus.EXPIRED
    (change,) = wl.fake.changes
    assert change.status is WaitlistStatus.EXPIRED
    # the entry's expires_at was joined_at + 5 hours (the timer fires at it, never early)
    assert timedelta(0) <= change.at - (joined_at + timedelta(hours=5)) < timedelta(seconds=2)
    assert wl.fake.templates(result.entry_id) == ["waitlist_joined", "waitlist_expired"]
    assert wl.fake.releases == []
    await keep_history(handle, "waitlist_entry_expired")


async def test_a_walk_in_has_two_minutes_to_answer_table_ready(wl: WaitRun) -> None:
    handle = await join(wl, kind=WaitlistKind.WALK_IN, expires_in=timedelta(hours=4), minutes=2)
    facts = await offer(wl, handle, minutes=2)
    result = await handle.result()
    assert result.status is WaitlistStatus.EXPIRED
    ((_, reason, at),) = wl.fake.releases
    assert reason == "timed_out"
    assert_at(at, facts.expires_at)
    assert facts.expires_at - facts.starts_at + timedelta(hours=2) == timedelta(minutes=2)
    assert "waitlist_table_ready" in wl.fake.templates(result.entry_id)
    await keep_history(handle, "waitlist_walk_in_timeout")


async def test_an_offer_accepted_in_time_becomes_a_booking(wl: WaitRun) -> None:
    handle = await join(wl, expires_in=timedelta(days=2))
    # no offer yet: the validator refuses, and nothing is recorded
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(WaitlistWorkflow.accept, OfferAnswer())
    assert "IllegalTransition" in repr(refused.value.cause)
    facts = await offer(wl, handle)
    state = await handle.execute_update(WaitlistWorkflow.accept, OfferAnswer(via="link"))
    assert state.status is WaitlistStatus.ACCEPTED
    assert state.reservation_id == facts.reservation_id
    result = await handle.result()
    assert result.status is WaitlistStatus.ACCEPTED
    assert wl.fake.releases == [] and len(wl.fake.accepts) == 1
    await keep_history(handle, "waitlist_accepted")


async def test_an_accept_after_the_window_is_refused_before_it_is_recorded(wl: WaitRun) -> None:
    handle = await join(wl, expires_in=timedelta(days=2))
    await offer(wl, handle)
    assert (await handle.result()).status is WaitlistStatus.EXPIRED
    # the entry has ended (its workflow closed): the late accept changes nothing
    with pytest.raises((WorkflowUpdateFailedError, RPCError)):
        await handle.execute_update(WaitlistWorkflow.accept, OfferAnswer())
    assert wl.fake.accepts == [] and len(wl.fake.releases) == 1


async def test_an_accept_racing_the_expiry_has_exactly_one_outcome(wl: WaitRun) -> None:
    """The database saw the hold expire first: the accept is refused and the entry expires once."""
    handle = await join(wl, expires_in=timedelta(days=2))
    facts = await offer(wl, handle)
    wl.fake.refuse_accept = True
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(WaitlistWorkflow.accept, OfferAnswer())
    assert "OfferExpired" in repr(refused.value.cause)
    result = await handle.result()
    assert result.status is WaitlistStatus.EXPIRED
    assert [r[0] for r in wl.fake.releases] == [facts.reservation_id]
    assert [c.status for c in wl.fake.changes] == [WaitlistStatus.EXPIRED]
    await keep_history(handle, "waitlist_accept_raced_expiry")


async def test_decline_passes_the_table_to_the_next_entry_who_accepts(wl: WaitRun) -> None:
    a = await join(wl, expires_in=timedelta(days=2))
    b = await join(wl, expires_in=timedelta(days=2))
    c = await join(wl, expires_in=timedelta(days=2))
    wl.fake.capacity = 1
    dispatcher = await wl.env.client.start_workflow(
        WaitlistDispatcher.run,
        DispatcherInput(restaurant_id=RESTAURANT, day=DAY),
        id=dispatcher_workflow_id(RESTAURANT, DAY),
        task_queue=wl.task_queue,
        start_signal="capacity_changed",
        start_signal_args=[
            CapacityChanged(restaurant_id=RESTAURANT, day=DAY, reason="cancelled", event_id="e1")
        ],
    )
    first = await until_status(a, WaitlistStatus.OFFERED)
    assert (await b.query(WaitlistWorkflow.state)).status is WaitlistStatus.WAITING
    declined = await a.execute_update(WaitlistWorkflow.decline, OfferAnswer())
    assert declined.status is WaitlistStatus.CANCELLED
    second = await until_status(b, WaitlistStatus.OFFERED)
    assert second.offer is not None and first.offer is not None
    assert second.offer.offer_id != first.offer.offer_id
    accepted = await b.execute_update(WaitlistWorkflow.accept, OfferAnswer())
    assert accepted.status is WaitlistStatus.ACCEPTED
    assert (await c.query(WaitlistWorkflow.state)).status is WaitlistStatus.WAITING
    # one capacity, offered once at a time: never two open offers
    assert [r[1] for r in wl.fake.releases] == ["declined"]
    assert wl.fake.capacity == 0
    # C leaves (before results are awaited: awaiting lets the server skip C's two days)
    left = await c.execute_update(WaitlistWorkflow.leave, LeaveRequest(by="guest"))
    assert left.status is WaitlistStatus.CANCELLED
    assert (await a.result()).status is WaitlistStatus.CANCELLED
    assert (await b.result()).status is WaitlistStatus.ACCEPTED
    await keep_history(a, "waitlist_chain_declined")
    await keep_history(b, "waitlist_chain_accepted")
    await keep_history(dispatcher, "waitlist_dispatcher_chain")


async def test_staff_notify_seat_and_skip(wl: WaitRun) -> None:
    # nothing free: the guest hears "we will call you" and keeps waiting
    handle = await join(wl, kind=WaitlistKind.WALK_IN, expires_in=timedelta(hours=4), minutes=2)
    state = await handle.execute_update(WaitlistWorkflow.notify, NotifyRequest(staff_id=STAFF))
    assert state.status is WaitlistStatus.WAITING
    assert wl.fake.templates(state.entry_id)[-1] == "waitlist_call_you"
    # a table frees up: notify offers it at once ("table ready"), and staff seat the party on it
    wl.fake.capacity = 1
    state = await handle.execute_update(WaitlistWorkflow.notify, NotifyRequest(staff_id=STAFF))
    assert state.status is WaitlistStatus.OFFERED and state.offer is not None
    assert wl.fake.templates(state.entry_id)[-1] == "waitlist_table_ready"
    seated = await handle.execute_update(WaitlistWorkflow.seat, SeatRequest(staff_id=STAFF))
    assert seated.status is WaitlistStatus.SEATED
    assert seated.reservation_id == state.offer.reservation_id
    assert (await handle.result()).status is WaitlistStatus.SEATED
    with pytest.raises((WorkflowUpdateFailedError, RPCError)):
        await handle.execute_update(WaitlistWorkflow.skip, SkipRequest(staff_id=STAFF))
    # another party is skipped while waiting: it ends cancelled
    other = await join(wl, kind=WaitlistKind.WALK_IN, expires_in=timedelta(hours=4), minutes=2)
    skipped = await other.execute_update(WaitlistWorkflow.skip, SkipRequest(staff_id=STAFF))
    assert skipped.status is WaitlistStatus.CANCELLED
    # refused by the validator, or by the server once the ended entry's workflow has closed
    with pytest.raises((WorkflowUpdateFailedError, RPCError)):
        await other.execute_update(WaitlistWorkflow.seat, SeatRequest(staff_id=STAFF))
    await keep_history(handle, "waitlist_walk_in_seated")


async def test_the_dispatcher_ends_once_its_day_has_passed(wl: WaitRun) -> None:
    now = await wl.env.get_current_time()
    day = now.date()
    handle = await wl.env.client.start_workflow(
        WaitlistDispatcher.run,
        DispatcherInput(restaurant_id=RESTAURANT, day=day),
        id=dispatcher_workflow_id(RESTAURANT, day),
        task_queue=wl.task_queue,
        start_signal="capacity_changed",
        start_signal_args=[
            CapacityChanged(restaurant_id=RESTAURANT, day=day, reason="cancelled", event_id="e")
        ],
    )
    for duplicate in ("e", "e"):
        await handle.signal(
            WaitlistDispatcher.capacity_changed,
            CapacityChanged(restaurant_id=RESTAURANT, day=day, reason="again", event_id=duplicate),
        )
    assert await handle.result() == 0  # nobody waited: nothing was offered
    ended = (await handle.describe()).close_time
    assert ended is not None
    # two days after the day's UTC midnight, past every timezone's service
    assert ended >= datetime.combine(day + timedelta(days=2), datetime.min.time(), now.tzinfo)
    assert wl.fake.matches == 1  # the redelivered event id was not matched again
    await keep_history(handle, "waitlist_dispatcher_ended")
