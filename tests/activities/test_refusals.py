"""Permanent failures fail an activity at once; outages stay retryable.

Run against real databases: the errors are the database's own, not imitations.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory
from temporalio.testing import ActivityEnvironment

from activities.messages import MessageActivities
from activities.refusals import refusal
from activities.reservations import ReservationActivities
from messaging.outbox_sender import OutboxEmailSender, OutboxSmsSender
from models.enums import StaffRole
from models.orm import Notification, StaffUser, ThreadMessage
from models.schemas.lifecycle import MessageIntent, ReservationInput, StaffMessageRecord
from reservations.cache import MemoryCache
from services import messages as message_service
from services.errors import InvalidError
from tests.allocation.helpers import Db, make_guest, make_reservation, make_restaurant, request


def message_activities(db: Db) -> MessageActivities:
    """The message activities on `db`, sending into the outbox only."""
    return MessageActivities(
        sessions=db.sessions,
        email=OutboxEmailSender(),
        sms=OutboxSmsSender(),
        public_base_url="http://localhost:8000",
        jwt_secret="x" * 32,
    )


async def test_a_nul_byte_that_reached_the_database_is_refused_not_retried(
    pg_db: Db, caplog: pytest.LogCaptureFixture
) -> None:
    async with pg_db.sessions.begin() as session:
        restaurant = await make_restaurant(session)
        guest = await make_guest(session)
    booking = request(uuid.uuid4(), restaurant.id, guest.id)
    # as if it came past an older edge: the database itself refuses it
    booking = booking.model_copy(update={"special_requests": "window\x00seat"})
    activities = ReservationActivities(sessions=pg_db.sessions, cache=MemoryCache())
    caplog.set_level(logging.INFO, logger="temporalio.activity")
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(
            activities.hold_booking, ReservationInput.model_construct(booking=booking)
        )
    assert refused.value.non_retryable
    assert refused.value.type == "Invalid"
    assert refused.value.category is ApplicationErrorCategory.BENIGN
    # a refusal is an answer, not a crash: one line, no traceback
    lines = [r for r in caplog.records if "refused (Invalid)" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None


async def test_a_staff_answer_is_kept_once_per_key(db: Db) -> None:
    async with db.sessions.begin() as session:
        restaurant = await make_restaurant(session)
        guest = await make_guest(session)
        reservation_id = await make_reservation(
            session, restaurant_id=restaurant.id, guest_id=guest.id
        )
        host = StaffUser(email="host@example.com", full_name="Host", role=StaffRole.HOST)
        session.add(host)
        await session.flush()
        host_id = host.id
    activities = message_activities(db)
    record = StaffMessageRecord(
        reservation_id=reservation_id,
        staff_id=host_id,
        body="Your table is by the window.",
        key="update-1",
        at=datetime(2031, 3, 3, 12, 0, tzinfo=UTC),
    )
    env = ActivityEnvironment()
    first = await env.run(activities.record_staff_message, record)
    again = await env.run(activities.record_staff_message, record)  # a retried activity
    assert first == again
    async with db.sessions() as session:
        count = await session.scalar(
            select(func.count()).where(ThreadMessage.reservation_id == reservation_id)
        )
    assert count == 1


async def test_a_staff_reply_with_no_thread_row_is_refused_not_retried(db: Db) -> None:
    """A signal of an earlier release may name an answer that is not in the thread: the
    message would render without its text, which no retry can fill."""
    async with db.sessions.begin() as session:
        restaurant = await make_restaurant(session)
        guest = await make_guest(session)
        reservation_id = await make_reservation(
            session, restaurant_id=restaurant.id, guest_id=guest.id
        )
    activities = message_activities(db)
    intent = MessageIntent(
        reservation_id=reservation_id, template="staff_reply", thread_message_id=uuid.uuid4()
    )
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(activities.queue_message, intent)
    assert refused.value.non_retryable and refused.value.type == "Invalid"


def test_outages_stay_retryable_and_refusals_do_not() -> None:
    outage = OperationalError("SELECT 1", {}, ConnectionRefusedError("database is down"))
    assert refusal(outage) is None
    assert refusal(RuntimeError("provider 503")) is None
    invalid = refusal(InvalidError("not on the slot grid", field="time"))
    assert invalid is not None and invalid.non_retryable and invalid.type == "Invalid"
    assert invalid.details == ({"field": "time"},)


async def test_the_hold_queues_the_confirmation_once_and_a_failure_leaves_it_to_the_workflow(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with db.sessions.begin() as session:
        restaurant = await make_restaurant(session)
        guest = await make_guest(session)
    activities = ReservationActivities(
        sessions=db.sessions,
        cache=MemoryCache(),
        public_base_url="http://localhost:8000",
        jwt_secret="x" * 32,
    )
    env = ActivityEnvironment()
    day = (datetime.now(UTC) + timedelta(days=7)).date()  # the activity books on today's clock
    booked = ReservationInput(booking=request(uuid.uuid4(), restaurant.id, guest.id, day=day))
    first = await env.run(activities.hold_booking, booked)
    again = await env.run(activities.hold_booking, booked)  # a retried activity
    assert first.hold.held and first.status is not None and first.status.value == "confirmed"
    assert first.queued and again.queued == first.queued
    async with db.sessions() as session:
        rows = await session.scalar(
            select(func.count()).where(Notification.reservation_id == booked.booking.reservation_id)
        )
    assert rows == len(first.queued)

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(message_service, "queue_message", broken)
    other = ReservationInput(
        booking=request(uuid.uuid4(), restaurant.id, guest.id, day=day + timedelta(days=1))
    )
    held = await env.run(activities.hold_booking, other)
    assert held.hold.held and held.queued is None  # the workflow queues it instead
