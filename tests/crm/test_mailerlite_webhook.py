"""MailerLite's webhook over HTTP: a signed unsubscribe made at MailerLite withdraws the
guest's consent in every scope; a bad or missing signature, a malformed body and an
unconfigured webhook change nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.app import create_app
from models.enums import ConsentSource
from models.orm import GuestAudit, MarketingConsent
from reservations.cache import MemoryCache
from services.crm.consent import Scope, grant, restaurant_scope
from services.crm.mailerlite_events import MalformedEvents, unsubscribed_emails
from tests.conftest import Database
from tests.conftest import test_settings as settings_for
from tests.crm.helpers import a_guest, a_restaurant

URL = "/api/v1/reservations/webhooks/mailerlite"
SECRET = "whsec-test-" + "k" * 20


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    """The headers MailerLite sends: JSON, and the body's HMAC-SHA256 in hex."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "Signature": digest}


def unsubscribed_event(email: str) -> dict[str, Any]:
    """One subscriber.unsubscribed event as the current API describes a subscriber."""
    return {
        "type": "subscriber.unsubscribed",
        "data": {
            "id": "31897397363737859",
            "email": email,
            "status": "unsubscribed",
            "unsubscribed_at": "2026-11-29 01:02:03",
            "fields": {"name": "Ann", "last_name": "Smit"},
        },
    }


@asynccontextmanager
async def webhook_client(db: Database, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(db.url, **({"mailerlite_webhook_secret": SECRET} | overrides))
    app = create_app(settings, engine=db.engine, cache=MemoryCache())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def consenting_guest(db: Database) -> tuple[uuid.UUID, str, list[Scope]]:
    """A guest with live consent for two restaurants; their id, email and scopes."""
    first, second = await a_restaurant(db), await a_restaurant(db)
    email = f"ann-{uuid.uuid4().hex[:8]}@example.com"
    guest_id = await a_guest(db, at=first, email=email)
    scopes = [restaurant_scope(first), restaurant_scope(second)]
    async with db.sessions() as session:
        for scope in scopes:
            await grant(
                session,
                guest_id=guest_id,
                scope=scope,
                source=ConsentSource.BOOKING_FORM,
                wording_version="form-v1",
                now=datetime.now(UTC),
            )
        await session.commit()
    return guest_id, email, scopes


async def live_scopes(db: Database, guest_id: uuid.UUID) -> list[str]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(MarketingConsent.scope).where(
                MarketingConsent.guest_id == guest_id, MarketingConsent.withdrawn_at.is_(None)
            )
        )
        return sorted(rows)


async def test_a_signed_unsubscribe_withdraws_every_scope_once(db: Database) -> None:
    guest_id, email, scopes = await consenting_guest(db)
    other_id, _, other_scopes = await consenting_guest(db)
    # MailerLite keeps the address as the guest typed it; ours is normalised
    body = json.dumps({"events": [unsubscribed_event(email.upper())]}).encode()
    async with webhook_client(db) as client:
        answer = await client.post(URL, content=body, headers=signed(body))
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"unsubscribed": 1, "withdrawn_guests": 1}
        assert await live_scopes(db, guest_id) == []
        assert await live_scopes(db, other_id) == sorted(s.key for s in other_scopes)
        async with db.sessions() as session:
            consents = list(
                await session.scalars(
                    select(MarketingConsent).where(MarketingConsent.guest_id == guest_id)
                )
            )
            audit = list(
                await session.scalars(
                    select(GuestAudit.details).where(
                        GuestAudit.guest_id == guest_id, GuestAudit.action == "consent_withdrawn"
                    )
                )
            )
        assert {c.withdrawn_via for c in consents} == {"mailerlite"}
        assert sorted(d["scope"] for d in audit) == sorted(s.key for s in scopes)
        # MailerLite delivers again when it misses our answer: nothing changes twice
        again = await client.post(URL, content=body, headers=signed(body))
        assert again.status_code == 200, again.text
        assert again.json() == {"unsubscribed": 1, "withdrawn_guests": 0}


async def test_a_single_event_and_a_spam_report_withdraw_too(db: Database) -> None:
    unsubscribed_id, unsubscribed_email, _ = await consenting_guest(db)
    reporter_id, reporter_email, _ = await consenting_guest(db)
    async with webhook_client(db) as client:
        for event in (
            unsubscribed_event(unsubscribed_email),
            {"type": "subscriber.spam_reported", "data": {"email": reporter_email}},
        ):
            body = json.dumps(event).encode()
            answer = await client.post(URL, content=body, headers=signed(body))
            assert answer.status_code == 200, answer.text
    assert await live_scopes(db, unsubscribed_id) == []
    assert await live_scopes(db, reporter_id) == []


async def test_other_events_and_unknown_addresses_change_nothing(db: Database) -> None:
    guest_id, email, scopes = await consenting_guest(db)
    body = json.dumps(
        {
            "events": [
                {"type": "subscriber.created", "data": {"email": email, "status": "active"}},
                {"type": "subscriber.updated", "data": {"email": email, "status": "active"}},
                unsubscribed_event("nobody-we-know@example.com"),
                unsubscribed_event("not an address"),
            ]
        }
    ).encode()
    async with webhook_client(db) as client:
        answer = await client.post(URL, content=body, headers=signed(body))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"unsubscribed": 2, "withdrawn_guests": 0}
    assert await live_scopes(db, guest_id) == sorted(s.key for s in scopes)


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json"},
        {"Content-Type": "application/json", "Signature": "0" * 64},
        {"Content-Type": "application/json", "Signature": "not hex at all"},
        {"Content-Type": "application/json", "Signature": b"\xe9" * 64},
    ],
    ids=["missing", "wrong", "garbage", "not-ascii"],
)
async def test_an_unsigned_or_forged_call_is_refused(db: Database, headers: dict[str, Any]) -> None:
    guest_id, email, scopes = await consenting_guest(db)
    body = json.dumps(unsubscribed_event(email)).encode()
    async with webhook_client(db) as client:
        answer = await client.post(URL, content=body, headers=headers)
        # signed with another webhook's secret
        forged = await client.post(URL, content=body, headers=signed(body, "another-secret"))
    for refused in (answer, forged):
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert await live_scopes(db, guest_id) == sorted(s.key for s in scopes)


async def test_a_signed_malformed_body_is_422_naming_the_body(db: Database) -> None:
    async with webhook_client(db) as client:
        for body in (
            b"not json",
            b"\xff\xfe",
            b"[1, 2]",
            b'{"events": {"a": 1}}',
            b'{"events": [1]}',
            b"[" * 200_000,  # nested past the parser's recursion limit
        ):
            answer = await client.post(URL, content=body, headers=signed(body))
            assert answer.status_code == 422, (body[:20], answer.text)
            assert answer.json()["field"] == "body"


async def test_without_a_secret_the_webhook_is_not_there(db: Database) -> None:
    guest_id, email, scopes = await consenting_guest(db)
    body = json.dumps(unsubscribed_event(email)).encode()
    async with webhook_client(db, mailerlite_webhook_secret=None) as client:
        answer = await client.post(URL, content=body, headers=signed(body))
    assert answer.status_code == 404, answer.text
    assert await live_scopes(db, guest_id) == sorted(s.key for s in scopes)


def test_the_payload_shapes_mailerlite_sends() -> None:
    # the classic API: an envelope of events, the subscriber under data.subscriber and
    # its status in `type`; the event's own `type` decides
    classic = {
        "events": [
            {
                "type": "subscriber.unsubscribe",
                "data": {"subscriber": {"email": "a@example.com", "type": "unsubscribed"}},
            },
            {"type": "subscriber.create", "data": {"subscriber": {"email": "b@example.com"}}},
        ]
    }
    assert unsubscribed_emails(json.dumps(classic).encode()) == ["a@example.com"]
    # a bare subscriber with no event type: its status decides
    bare = {"id": "1", "email": "c@example.com", "status": "unsubscribed"}
    assert unsubscribed_emails(json.dumps(bare).encode()) == ["c@example.com"]
    active = {"id": "2", "email": "d@example.com", "status": "active"}
    assert unsubscribed_emails(json.dumps(active).encode()) == []
    # repeats are reported once
    twice = {"events": [unsubscribed_event("e@example.com")] * 2}
    assert unsubscribed_emails(json.dumps(twice).encode()) == ["e@example.com"]
    with pytest.raises(MalformedEvents):
        unsubscribed_emails(json.dumps({"events": [{}] * 1001}).encode())
