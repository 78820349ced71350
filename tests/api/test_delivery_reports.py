"""A Twilio delivery report that beats the send activity's own record is not lost."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from activities.messages import MessageActivities
from messaging.outbox_sender import OutboxEmailSender, OutboxSmsSender
from models.enums import NotificationChannel, NotificationStatus
from models.orm import Notification
from services import inbound
from tests.conftest import JWT_SECRET, Database


async def test_an_early_delivery_report_is_applied_once_the_sid_is_recorded(
    db: Database,
) -> None:
    sid = "SM" + uuid.uuid4().hex
    async with db.sessions() as session, session.begin():
        row = Notification(
            dedupe_key=f"test:{sid}",
            channel=NotificationChannel.SMS,
            template="confirmation",
            recipient="+31612345678",
            body="See you soon",
        )
        session.add(row)
        await session.flush()
        notification_id = row.id
        # Twilio reports delivery before our activity has stored the MessageSid
        known = await inbound.record_delivery(
            session, message_sid=sid, status="delivered", error_code=None, at=datetime.now(UTC)
        )
    assert known is False
    activities = MessageActivities(
        sessions=db.sessions,
        email=OutboxEmailSender(),
        sms=OutboxSmsSender(),
        public_base_url="https://book.example.test",
        jwt_secret=JWT_SECRET,
    )
    await activities._record(notification_id, NotificationStatus.SENT, provider_id=sid)
    async with db.sessions() as session:
        stored = await session.get(Notification, notification_id)
        assert stored is not None
        assert stored.status is NotificationStatus.DELIVERED
        assert stored.delivered_at is not None and stored.provider_message_id == sid
