"""The 24-hour reminder, rendered and sent in each guest language, on the time-skipping server.

The booking steps are the recording stand-ins; the message activities are the real
ones, against a real database, rendering with babel and sending through the local
outbox providers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from activities.messages import MessageActivities
from messaging.outbox_sender import OutboxEmailSender, OutboxSmsSender
from messaging.render import SUPPORTED_LANGUAGES
from models.enums import NotificationChannel, NotificationStatus, ReservationStatus
from models.orm import Guest, Notification, Reservation, Restaurant
from tests.conftest import JWT_SECRET, Database
from tests.workflows.conftest import serving
from tests.workflows.fakes import FakeBook, fakes_except
from tests.workflows.test_reservation_workflow import booking_input, far_future
from workflows.reservation import ReservationWorkflow

ZONE = "Europe/Amsterdam"


async def _book_in_database(
    db: Database,
    language: str,
    reservation_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    guest_id: uuid.UUID,
    starts_at: datetime,
) -> None:
    async with db.sessions() as session, session.begin():
        session.add(
            Restaurant(
                id=restaurant_id,
                name=f"Bistro {language}",
                slug=f"bistro-{uuid.uuid4().hex[:8]}",
                timezone=ZONE,
                currency="EUR",
                city="Amsterdam",
            )
        )
        session.add(
            Guest(
                id=guest_id,
                email=f"guest-{uuid.uuid4().hex[:8]}@example.com",
                first_name="Sam",
                phone="+31612345678",
                preferred_language=language,
                sms_notifications=True,
            )
        )
        await session.flush()
        local = starts_at.astimezone(ZoneInfo(ZONE))
        session.add(
            Reservation(
                id=reservation_id,
                reference=f"RES-2099-{uuid.uuid4().int % 10**6:06d}",
                restaurant_id=restaurant_id,
                guest_id=guest_id,
                party_size=2,
                reservation_date=local.date(),
                reservation_time=local.time(),
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=90),
                duration_minutes=90,
                status=ReservationStatus.CONFIRMED,
                currency="EUR",
                language=language,
            )
        )


async def test_the_reminder_goes_out_in_each_language(
    db: Database, time_skipping: WorkflowEnvironment
) -> None:
    book = FakeBook(timezone=ZONE)
    messages = MessageActivities(
        sessions=db.sessions,
        email=OutboxEmailSender(),
        sms=OutboxSmsSender(),
        public_base_url="https://book.example.test",
        jwt_secret=JWT_SECRET,
    )
    queue = f"tq-{uuid.uuid4().hex[:8]}"
    day = far_future(30)
    starts_at = datetime.combine(day, time(19, 0), tzinfo=ZoneInfo(ZONE)).astimezone(UTC)
    handles = {}
    async with serving(
        time_skipping.client,
        queue,
        workflows=[ReservationWorkflow],
        activities=[*fakes_except(book, messages.all()), *messages.all()],
    ):
        for language in SUPPORTED_LANGUAGES:
            inp = booking_input(day=day)
            await _book_in_database(
                db,
                language,
                inp.booking.reservation_id,
                inp.booking.restaurant_id,
                inp.booking.guest_id,
                starts_at,
            )
            handle = await time_skipping.client.start_workflow(
                ReservationWorkflow.run,
                inp,
                id=f"reservation-{inp.booking.reservation_id}",
                task_queue=queue,
            )
            await handle.execute_update(ReservationWorkflow.create)
            handles[language] = (inp.booking.reservation_id, handle)
        # nothing but the confirmations before the reminder's time
        reminder_at = starts_at - timedelta(hours=24)
        await time_skipping.sleep(
            reminder_at - await time_skipping.get_current_time() - timedelta(minutes=5)
        )
        async with db.sessions() as session:
            early = (
                (
                    await session.execute(
                        select(Notification).where(Notification.template == "reminder")
                    )
                )
                .scalars()
                .all()
            )
        assert early == []
        await time_skipping.sleep(timedelta(minutes=10))
        for language, (reservation_id, handle) in handles.items():
            for _ in range(100):
                state = await handle.query(ReservationWorkflow.state)
                if state.reminder_sent:
                    break
                await time_skipping.sleep(timedelta(seconds=1))
            async with db.sessions() as session:
                rows = (
                    (
                        await session.execute(
                            select(Notification).where(
                                Notification.reservation_id == reservation_id,
                                Notification.template == "reminder",
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
            by_channel = {r.channel: r for r in rows}
            assert set(by_channel) == {NotificationChannel.EMAIL, NotificationChannel.SMS}
            email = by_channel[NotificationChannel.EMAIL]
            assert email.language == language
            # the weekday in the guest's language, in the restaurant's timezone
            weekday = format_date(
                starts_at.astimezone(ZoneInfo(ZONE)).date(), "EEEE", locale=language
            )
            assert weekday.lower() in email.body.lower(), (language, email.body)
            assert "https://book.example.test/manage/" in email.body
            assert email.subject and email.html_body
            # the SMS asks for C or X whatever the language
            sms = by_channel[NotificationChannel.SMS]
            assert " C" in sms.body and " X" in sms.body, sms.body
        # each row sent once by the local providers
        async with db.sessions() as session:
            reminders = (
                (
                    await session.execute(
                        select(Notification).where(Notification.template == "reminder")
                    )
                )
                .scalars()
                .all()
            )
        assert len(reminders) == 2 * len(SUPPORTED_LANGUAGES)
        for _ in range(100):
            async with db.sessions() as session:
                statuses = (
                    await session.execute(
                        select(Notification.status, Notification.attempts).where(
                            Notification.template == "reminder"
                        )
                    )
                ).all()
            if all(s is NotificationStatus.SENT for s, _ in statuses):
                break
            await time_skipping.sleep(timedelta(seconds=1))
        assert all(s is NotificationStatus.SENT and a == 1 for s, a in statuses), statuses
        for _, handle in handles.values():
            await handle.terminate()
