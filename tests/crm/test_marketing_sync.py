"""MarketingSync on the time-skipping test server with the real activities, a real
database and a local fake of MailerLite: only consenting guests reach it, a re-run
changes nothing, 429 and 5xx are retried, a refusal is not, withdrawals propagate,
and no email or name enters the workflow history."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowFailureError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.marketing import MarketingActivities, group_name
from models.orm import MarketingSubscriber, Restaurant
from models.schemas.marketing import Segment, SubscriberBatch, SyncInput, SyncResult
from services.crm.consent import restaurant_scope
from services.crm.mailerlite import Refused, Unavailable, mailerlite
from tests.api.test_reservation_lifecycle import payload_bytes
from tests.conftest import Database
from tests.conftest import test_settings as settings_for
from tests.crm.fake_mailerlite import TOKEN, FakeMailerLite
from tests.crm.helpers import a_guest, a_restaurant, consents, withdraws
from tests.workflows.test_activity_contracts import _name, _shape, _worker_activities
from workflows import marketing_contracts
from workflows.marketing_sync import MarketingSyncWorkflow, sync_workflow_id

HISTORIES = Path(__file__).parent.parent / "workflows" / "histories"


@pytest.fixture
async def fake() -> AsyncIterator[FakeMailerLite]:
    server = FakeMailerLite()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@dataclass
class Sync:
    env: WorkflowEnvironment
    db: Database
    fake: FakeMailerLite
    token: str = TOKEN
    page_size: int = 500

    def activities(self) -> MarketingActivities:
        settings = settings_for(
            self.db.url, mailerlite_api_token=self.token, mailerlite_base_url=self.fake.base_url
        )
        return MarketingActivities(
            sessions=self.db.sessions, settings=settings, page_size=self.page_size
        )

    async def run(
        self, restaurant_id: uuid.UUID, segment: Segment | None, *, keep_as: str | None = None
    ) -> SyncResult:
        queue = f"mk-{uuid.uuid4().hex[:8]}"
        inp = SyncInput(restaurant_id=restaurant_id, segment=segment)
        async with Worker(
            self.env.client,
            task_queue=queue,
            workflows=[MarketingSyncWorkflow],
            activities=self.activities().all(),
        ):
            handle = await self.env.client.start_workflow(
                MarketingSyncWorkflow.run,
                inp,
                id=f"{sync_workflow_id(inp)}-{uuid.uuid4().hex[:6]}",
                task_queue=queue,
            )
            try:
                return await handle.result()
            finally:
                history = await handle.fetch_history()
                text = history.to_json()
                # personal data never enters a history, whatever happened
                stored = b"\n".join(d for e in history.events for d in payload_bytes(e)).decode()
                assert str(restaurant_id) in stored  # the payloads were read
                for email in self.fake.emails_received():
                    assert email not in stored and email not in text
                if keep_as and os.environ.get("RECORD_HISTORIES") == "1":
                    (HISTORIES / f"marketing_sync-{keep_as}.json").write_text(text)


@pytest.fixture
async def sync(time_skipping: WorkflowEnvironment, db: Database, fake: FakeMailerLite) -> Sync:
    return Sync(time_skipping, db, fake)


async def slug_of(db: Database, rid: uuid.UUID) -> str:
    async with db.sessions() as session:
        slug = await session.scalar(select(Restaurant.slug).where(Restaurant.id == rid))
        assert slug is not None
        return slug


async def subscriber(db: Database, gid: uuid.UUID, rid: uuid.UUID) -> MarketingSubscriber | None:
    async with db.sessions() as session:
        return await session.scalar(
            select(MarketingSubscriber)
            .where(MarketingSubscriber.guest_id == gid)
            .where(MarketingSubscriber.scope == restaurant_scope(rid).key)
        )


async def test_only_consenting_guests_reach_mailerlite_and_a_rerun_changes_nothing(
    sync: Sync,
) -> None:
    rid = await a_restaurant(sync.db)
    here = restaurant_scope(rid)
    ann = await a_guest(sync.db, at=rid, first_name="Ann", email="ann@example.com")
    await consents(sync.db, ann, here)
    await a_guest(sync.db, at=rid, first_name="Never", email="never@example.com")
    withdrew = await a_guest(sync.db, at=rid, first_name="Gone", email="gone@example.com")
    await consents(sync.db, withdrew, here)
    await withdraws(sync.db, withdrew, here)

    result = await sync.run(rid, Segment.RECENT, keep_as="synced")
    assert (result.added, result.removed, result.refused) == (1, 0, 0)
    name = group_name(await slug_of(sync.db, rid), "recent")
    assert sync.fake.members_of(name) == {"ann@example.com"}
    assert sync.fake.emails_received() == {"ann@example.com"}
    [upsert] = [c for c in sync.fake.calls if c.path == "/api/subscribers"]
    assert upsert.body is not None and upsert.body["fields"]["name"] == "Ann"
    row = await subscriber(sync.db, ann, rid)
    assert row is not None and row.provider_subscriber_id and row.groups == [result.group_id]

    before = len(sync.fake.writes())
    again = await sync.run(rid, Segment.RECENT)
    assert (again.added, again.removed, again.unchanged) == (0, 0, 1)
    assert len(sync.fake.writes()) == before  # only the group lookup, a GET
    assert again.group_id == result.group_id


async def test_rate_limits_and_outages_are_retried_until_synced(sync: Sync) -> None:
    rid = await a_restaurant(sync.db)
    ann = await a_guest(sync.db, at=rid, email="ann@example.com")
    await consents(sync.db, ann, restaurant_scope(rid))
    sync.fake.fail_next = [429, 500, 503]
    sync.fake.retry_after = 30
    result = await sync.run(rid, Segment.ALL_CONSENTING, keep_as="retried")
    assert result.added == 1
    assert [c.path for c in sync.fake.calls[:4]] == ["/api/groups"] * 4
    assert sync.fake.members_of(group_name(await slug_of(sync.db, rid), "all_consenting")) == {
        "ann@example.com"
    }


async def test_a_bad_token_fails_the_sync_without_retrying(sync: Sync) -> None:
    rid = await a_restaurant(sync.db)
    ann = await a_guest(sync.db, at=rid)
    await consents(sync.db, ann, restaurant_scope(rid))
    sync.token = "wrong-token"
    with pytest.raises(WorkflowFailureError) as failed:
        await sync.run(rid, Segment.VIP, keep_as="refused")
    assert "401" in str(failed.value.cause)
    assert len(sync.fake.calls) == 1
    assert await subscriber(sync.db, ann, rid) is None


async def test_a_guest_mailerlite_refuses_is_skipped_not_retried(sync: Sync) -> None:
    rid = await a_restaurant(sync.db)
    for email in ("ann@example.com", "odd@example.com"):
        gid = await a_guest(sync.db, at=rid, email=email)
        await consents(sync.db, gid, restaurant_scope(rid))
    sync.fake.refuse_emails = {"odd@example.com"}
    result = await sync.run(rid, Segment.ALL_CONSENTING)
    assert (result.added, result.refused) == (1, 1)
    upserts = [c for c in sync.fake.calls if c.path == "/api/subscribers"]
    assert len(upserts) == 2


async def test_withdrawals_and_leavers_are_propagated(sync: Sync) -> None:
    rid = await a_restaurant(sync.db)
    here = restaurant_scope(rid)
    ann = await a_guest(sync.db, at=rid, email="ann@example.com", vip=True)
    bob = await a_guest(sync.db, at=rid, email="bob@example.com", vip=True)
    for gid in (ann, bob):
        await consents(sync.db, gid, here)
    vip = await sync.run(rid, Segment.VIP)
    everyone = await sync.run(rid, Segment.ALL_CONSENTING)
    assert vip.added == 2 and everyone.added == 2
    slug = await slug_of(sync.db, rid)
    assert sync.fake.members_of(f"{slug} · vip") == {"ann@example.com", "bob@example.com"}

    # Ann withdraws: a withdrawals-only sync takes her out of every group and deletes her
    await withdraws(sync.db, ann, here)
    gone = await sync.run(rid, None, keep_as="withdrawn")
    assert gone.removed == 1 and gone.group_id is None
    assert "ann@example.com" not in {s["email"] for s in sync.fake.subscribers.values()}
    row = await subscriber(sync.db, ann, rid)
    assert row is not None and row.unsubscribed_at is not None and row.groups == []

    # Bob is no longer a VIP: he leaves that group only, and stays subscribed
    async with sync.db.sessions() as session:
        from models.orm import GuestRelationship

        rel = await session.scalar(
            select(GuestRelationship).where(GuestRelationship.guest_id == bob)
        )
        assert rel is not None
        rel.is_vip = False
        await session.commit()
    left = await sync.run(rid, Segment.VIP)
    assert left.removed == 1
    assert sync.fake.members_of(f"{slug} · vip") == set()
    assert sync.fake.members_of(f"{slug} · all_consenting") == {"bob@example.com"}
    # nothing more to do the second time
    assert (await sync.run(rid, None)).removed == 0


async def test_a_guest_without_consent_is_never_sent_even_if_planned(sync: Sync) -> None:
    rid = await a_restaurant(sync.db)
    here = restaurant_scope(rid)
    ann = await a_guest(sync.db, at=rid, email="ann@example.com")
    await consents(sync.db, ann, here)
    await withdraws(sync.db, ann, here)  # withdrew after the plan was made
    never = await a_guest(sync.db, at=rid, email="never@example.com")
    batch = SubscriberBatch(restaurant_id=rid, group_id="1", guest_ids=[ann, never])
    outcome = await ActivityEnvironment().run(sync.activities().push_marketing_subscribers, batch)
    assert (outcome.changed, outcome.unchanged) == (0, 2)
    assert sync.fake.calls == []


async def test_pages_cover_every_member_and_every_leaver(sync: Sync) -> None:
    rid = await a_restaurant(sync.db)
    here = restaurant_scope(rid)
    guests = []
    for n in range(7):
        gid = await a_guest(sync.db, at=rid, email=f"guest{n}@example.com")
        await consents(sync.db, gid, here)
        guests.append(gid)
    sync.page_size = 2  # four pages: members and leavers interleave across boundaries
    assert (await sync.run(rid, Segment.ALL_CONSENTING)).added == 7
    leavers = sorted(guests)[1::2]
    for gid in leavers:
        await withdraws(sync.db, gid, here)
    newcomer = await a_guest(sync.db, at=rid, email="new@example.com")
    await consents(sync.db, newcomer, here)
    result = await sync.run(rid, Segment.ALL_CONSENTING, keep_as="paged")
    assert (result.added, result.removed, result.unchanged) == (1, 3, 4)
    slug = await slug_of(sync.db, rid)
    assert len(sync.fake.members_of(f"{slug} · all_consenting")) == 5


def test_the_worker_implements_the_marketing_contracts() -> None:
    implemented = _worker_activities()
    for contract in marketing_contracts.CONTRACTS:
        assert _shape(implemented[_name(contract)]) == _shape(contract), _name(contract)


async def test_an_erased_guest_is_deleted_from_mailerlite_at_once(sync: Sync) -> None:
    rid = await a_restaurant(sync.db)
    here = restaurant_scope(rid)
    ann = await a_guest(sync.db, at=rid, email="ann@example.com")
    await consents(sync.db, ann, here)
    assert (await sync.run(rid, Segment.ALL_CONSENTING)).added == 1
    assert "ann@example.com" in {s["email"] for s in sync.fake.subscribers.values()}

    forget = sync.activities().forget_marketing_subscriber
    assert await ActivityEnvironment().run(forget, ann) == 1
    assert "ann@example.com" not in {s["email"] for s in sync.fake.subscribers.values()}
    row = await subscriber(sync.db, ann, rid)
    assert row is not None and row.unsubscribed_at is not None and row.groups == []
    # a retry of the activity deletes again harmlessly (MailerLite's 404 counts as gone)
    assert await ActivityEnvironment().run(forget, ann) == 1
    # without MailerLite configured there is nothing to tell
    sync.token = ""
    assert await ActivityEnvironment().run(sync.activities().forget_marketing_subscriber, ann) == 0


@pytest.mark.parametrize("status", [408, 429, 503])
async def test_passing_answers_are_unavailable_and_a_bad_request_refused(
    fake: FakeMailerLite, status: int
) -> None:
    async with mailerlite(base_url=fake.base_url, token=TOKEN) as client:
        fake.fail_next = [status]
        with pytest.raises(Unavailable, match=str(status)):
            await client.find_or_create_group("passing")
        fake.fail_next = [400]
        with pytest.raises(Refused):
            await client.find_or_create_group("refused")
        assert await client.find_or_create_group("served")
