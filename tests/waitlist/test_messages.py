"""Waitlist messages in six languages, their accept and decline links, and the waitlist token."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from messaging.render import SUPPORTED_LANGUAGES, MessageContext, MessageLinks, render
from models.enums import NotificationChannel
from models.orm import Notification
from models.schemas.waitlist import WaitlistMessageIntent
from services.manage_links import (
    entry_in_waitlist_token,
    manage_token,
    reservation_in_token,
    waitlist_token,
)
from services.waitlist import matching
from services.waitlist.messages import offer_links, queue_waitlist_message
from tests.allocation.helpers import DAY, NOW, Db, make_guest, make_restaurant
from tests.waitlist.helpers import join

SECRET = "s" * 40
TEMPLATES = (
    "waitlist_joined",
    "waitlist_offer",
    "waitlist_table_ready",
    "waitlist_call_you",
    "waitlist_expired",
)


def test_the_waitlist_token_is_bound_to_one_entry_and_is_no_manage_token() -> None:
    entry = uuid.uuid4()
    token = waitlist_token(entry, secret=SECRET)
    assert entry_in_waitlist_token(token, secret=SECRET) == entry
    assert entry_in_waitlist_token(token, secret="other" * 10) is None
    # neither opens the other's door
    assert reservation_in_token(token, secret=SECRET) is None
    assert entry_in_waitlist_token(manage_token(entry, secret=SECRET), secret=SECRET) is None


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_waitlist_message_renders_in_every_language(template: str, language: str) -> None:
    message = render(
        MessageContext(
            template=template,  # type: ignore[arg-type]
            language=language,
            guest_first_name="Anna",
            restaurant_name="De Gouden Lepel",
            restaurant_timezone="Europe/Amsterdam",
            restaurant_address=None,
            restaurant_phone=None,
            reference="",
            starts_at=datetime(2026, 7, 12, 18, 0, tzinfo=UTC),
            party_size=4,
            links=MessageLinks(
                manage_url="",
                cancel_url="",
                confirm_url="",
                calendar_url="",
                offer_url="https://x.test/accept",
                decline_url="https://x.test/decline",
            ),
            offer_expires_at=datetime(2026, 7, 12, 17, 10, tzinfo=UTC),
        )
    )
    assert "De Gouden Lepel" in message.subject + message.text
    assert "{" not in message.text + message.sms
    assert 'href=""' not in message.html  # no empty links for an entry without a manage page
    if template == "waitlist_offer":
        assert "https://x.test/accept" in message.sms
        assert "https://x.test/decline" in message.html and "https://x.test/accept" in message.html
    else:
        assert "https://x.test" not in message.sms


async def test_an_offer_is_queued_once_per_channel_with_its_links(db: Db) -> None:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, tables=1)
        guest = await make_guest(session)
        guest.phone, guest.sms_notifications = "+31612345678", True
        entry = await join(session, restaurant_id=restaurant.id, guest_id=guest.id, order=1)
        entry.language = "nl"
        await matching.match_waitlist(session, restaurant_id=restaurant.id, day=DAY, now=NOW)
        intent = WaitlistMessageIntent(entry_id=entry.id, template="waitlist_offer", sequence=1)
        ids = await queue_waitlist_message(
            session, intent=intent, base_url="https://r.test", secret=SECRET
        )
        again = await queue_waitlist_message(
            session, intent=intent, base_url="https://r.test", secret=SECRET
        )
        assert len(ids) == 2 and sorted(again) == sorted(ids)
        rows = list(await session.scalars(select(Notification).where(Notification.id.in_(ids))))
        accept, decline = offer_links(base_url="https://r.test", secret=SECRET, entry_id=entry.id)
        assert accept.startswith(f"https://r.test/api/v1/reservations/waitlist/{entry.id}/accept?")
        assert decline.endswith(accept.split("?")[1]) and "/decline?" in decline
        for row in rows:
            assert row.waitlist_entry_id == entry.id and row.reservation_id is None
            assert row.language == "nl"
            assert accept in row.body or (row.html_body and accept in row.html_body)
        assert {r.channel for r in rows} == {NotificationChannel.EMAIL, NotificationChannel.SMS}
