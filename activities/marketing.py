"""Marketing sync activities: the segment from the database, the group at MailerLite.

Every activity takes ids and reads contact data itself, so nothing personal enters a
workflow history. Each guest's change is committed as soon as MailerLite accepted it:
a retried batch skips what is already in step. A guest without live consent is
never sent, whatever the plan said (consent may be withdrawn between plan and push).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.refusals import refusing
from models.orm import Guest, MarketingSubscriber, Restaurant
from models.schemas.marketing import BatchOutcome, SubscriberBatch, SyncInput, SyncPage
from reservations.settings import Settings
from services.crm import mailerlite as ml
from services.crm.consent import has_active_consent, restaurant_scope, scopes_of_restaurant
from services.crm.segments import segment_guest_ids

log = structlog.get_logger(__name__)


def group_name(slug: str, segment: str) -> str:
    """The provider group a restaurant's segment maps to."""
    return f"{slug} · {segment}"


@dataclass
class MarketingActivities:
    """Talks to the database and to MailerLite (or the fake the settings point at)."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    # guest ids per plan page (tests use small pages to cross page boundaries)
    page_size: int = 500

    @asynccontextmanager
    async def _provider(self) -> AsyncIterator[ml.MailerLite]:
        token = self.settings.mailerlite_api_token
        if not token:
            raise ApplicationError(
                "MailerLite is not configured", type="NotConfigured", non_retryable=True
            )
        try:
            async with ml.mailerlite(
                base_url=self.settings.mailerlite_base_url, token=token
            ) as client:
                yield client
        except ml.Unavailable as exc:
            delay = timedelta(seconds=exc.retry_after) if exc.retry_after is not None else None
            raise ApplicationError(
                str(exc), type="MailerLiteUnavailable", next_retry_delay=delay
            ) from None
        except ml.Refused as exc:
            raise ApplicationError(
                str(exc), {"status": exc.status}, type="MailerLiteRefused", non_retryable=True
            ) from None

    @activity.defn(name="ensure_marketing_group")
    @refusing
    async def ensure_marketing_group(self, inp: SyncInput) -> str:
        """The group "<slug> · <segment>" at MailerLite, found by name or created."""
        assert inp.segment is not None
        async with self.sessions() as session:
            slug = await session.scalar(
                select(Restaurant.slug).where(Restaurant.id == inp.restaurant_id)
            )
        if slug is None:
            raise ApplicationError("restaurant not found", type="NotFound", non_retryable=True)
        async with self._provider() as client:
            return await client.find_or_create_group(group_name(slug, inp.segment.value))

    @activity.defn(name="plan_marketing_sync")
    @refusing
    async def plan_marketing_sync(
        self, inp: SyncInput, group_id: str | None, after: uuid.UUID | None
    ) -> SyncPage:
        """The next page, in guest-id order, of members to add and subscribers to take out.

        Keyset paging over two lists (members, subscribed rows): each gives at most a
        page after `after`; the first page-full of their union is complete up to its
        last id, which is where the next page starts.
        """
        now = datetime.now(UTC)
        scope = restaurant_scope(inp.restaurant_id).key
        async with self.sessions() as session:
            members = (
                await segment_guest_ids(
                    session,
                    restaurant_id=inp.restaurant_id,
                    segment=inp.segment,
                    now=now,
                    after=after,
                    limit=self.page_size,
                )
                if inp.segment is not None
                else []
            )
            query = (
                select(MarketingSubscriber)
                .where(MarketingSubscriber.scope == scope)
                .where(MarketingSubscriber.unsubscribed_at.is_(None))
                .order_by(MarketingSubscriber.guest_id)
                .limit(self.page_size)
            )
            if after is not None:
                query = query.where(MarketingSubscriber.guest_id > after)
            subscribed = {row.guest_id: row for row in await session.scalars(query)}
            page = sorted({*members, *subscribed})[: self.page_size]
            keep = set(members)
            scopes = await scopes_of_restaurant(session, restaurant_id=inp.restaurant_id)
            add: list[uuid.UUID] = []
            remove: list[uuid.UUID] = []
            for guest_id in page:
                if guest_id in keep:
                    add.append(guest_id)
                    continue
                row = subscribed[guest_id]
                left_group = group_id is not None and group_id in row.groups
                if left_group or not await has_active_consent(
                    session, guest_id=guest_id, scopes=scopes
                ):
                    remove.append(guest_id)
        full = len(page) == self.page_size
        return SyncPage(add=add, remove=remove, next_after=page[-1] if full else None)

    @activity.defn(name="push_marketing_subscribers")
    @refusing
    async def push_marketing_subscribers(self, batch: SubscriberBatch) -> BatchOutcome:
        """Upsert each consenting guest into the group; skip who is already in step."""
        assert batch.group_id is not None
        outcome = BatchOutcome()
        scope = restaurant_scope(batch.restaurant_id).key
        async with self._provider() as client, self.sessions() as session:
            scopes = await scopes_of_restaurant(session, restaurant_id=batch.restaurant_id)
            for guest_id in batch.guest_ids:
                guest = await session.get(Guest, guest_id)
                if (
                    guest is None
                    or guest.erased_at is not None
                    or not await has_active_consent(session, guest_id=guest_id, scopes=scopes)
                ):
                    outcome.unchanged += 1
                    continue
                row = await _subscriber(session, guest_id=guest_id, scope=scope)
                if (
                    row.provider_subscriber_id
                    and row.unsubscribed_at is None
                    and batch.group_id in row.groups
                ):
                    outcome.unchanged += 1
                    continue
                try:
                    subscriber_id = await client.upsert_subscriber(
                        email=guest.email,
                        first_name=guest.first_name,
                        last_name=guest.last_name,
                        group_ids=[batch.group_id],
                    )
                except ml.Refused as exc:
                    if exc.status != 422:
                        raise
                    # this guest's data is not acceptable to MailerLite: skip, not fail all
                    log.info("marketing.subscriber_refused", guest_id=str(guest_id))
                    outcome.refused += 1
                    continue
                row.provider_subscriber_id = subscriber_id
                row.groups = sorted({*row.groups, batch.group_id})
                row.unsubscribed_at = None
                row.synced_at = datetime.now(UTC)
                await session.commit()
                outcome.changed += 1
        return outcome

    @activity.defn(name="drop_marketing_subscribers")
    @refusing
    async def drop_marketing_subscribers(self, batch: SubscriberBatch) -> BatchOutcome:
        """Out of the group; out of every group of the scope (and deleted) without consent."""
        outcome = BatchOutcome()
        scope = restaurant_scope(batch.restaurant_id).key
        async with self._provider() as client, self.sessions() as session:
            scopes = await scopes_of_restaurant(session, restaurant_id=batch.restaurant_id)
            for guest_id in batch.guest_ids:
                row = await session.scalar(
                    select(MarketingSubscriber)
                    .where(MarketingSubscriber.guest_id == guest_id)
                    .where(MarketingSubscriber.scope == scope)
                )
                if row is None or row.unsubscribed_at is not None or not row.provider_subscriber_id:
                    outcome.unchanged += 1
                    continue
                consenting = await has_active_consent(session, guest_id=guest_id, scopes=scopes)
                if consenting:  # still consenting, only left this segment
                    in_group = batch.group_id is not None and batch.group_id in row.groups
                    leaving = [batch.group_id] if in_group and batch.group_id else []
                else:
                    leaving = list(row.groups)
                if consenting and not leaving:
                    outcome.unchanged += 1
                    continue
                for group_id in leaving:
                    await client.remove_from_group(
                        subscriber_id=row.provider_subscriber_id, group_id=group_id
                    )
                row.groups = [g for g in row.groups if g not in leaving]
                if not consenting:
                    row.unsubscribed_at = datetime.now(UTC)
                    if not await _subscribed_elsewhere(session, guest_id=guest_id, scope=scope):
                        await client.delete_subscriber(row.provider_subscriber_id)
                row.synced_at = datetime.now(UTC)
                await session.commit()
                outcome.changed += 1
        return outcome

    @activity.defn(name="forget_marketing_subscriber")
    @refusing
    async def forget_marketing_subscriber(self, guest_id: uuid.UUID) -> int:
        """Delete an erased guest's subscribers at MailerLite at once (not at the next sync).

        Nothing to do when MailerLite is not configured; deleting twice is harmless.
        """
        if not self.settings.mailerlite_api_token:
            return 0
        async with self.sessions() as session:
            rows = list(
                await session.scalars(
                    select(MarketingSubscriber).where(MarketingSubscriber.guest_id == guest_id)
                )
            )
            provider_ids = sorted(
                {r.provider_subscriber_id for r in rows if r.provider_subscriber_id}
            )
        if provider_ids:
            async with self._provider() as client:
                for subscriber_id in provider_ids:
                    await client.delete_subscriber(subscriber_id)
        async with self.sessions() as session:
            for row in await session.scalars(
                select(MarketingSubscriber).where(MarketingSubscriber.guest_id == guest_id)
            ):
                row.groups = []
                row.unsubscribed_at = row.unsubscribed_at or datetime.now(UTC)
            await session.commit()
        return len(provider_ids)

    def all(self) -> list[Callable[..., Any]]:
        """The activity callables to register on a worker."""
        return [
            self.ensure_marketing_group,
            self.plan_marketing_sync,
            self.push_marketing_subscribers,
            self.drop_marketing_subscribers,
            self.forget_marketing_subscriber,
        ]


async def _subscriber(
    session: AsyncSession, *, guest_id: uuid.UUID, scope: str
) -> MarketingSubscriber:
    row = await session.scalar(
        select(MarketingSubscriber)
        .where(MarketingSubscriber.guest_id == guest_id)
        .where(MarketingSubscriber.scope == scope)
    )
    if row is None:
        row = MarketingSubscriber(guest_id=guest_id, scope=scope, groups=[])
        session.add(row)
    return row


async def _subscribed_elsewhere(session: AsyncSession, *, guest_id: uuid.UUID, scope: str) -> bool:
    """True when another scope still keeps the guest subscribed at the provider."""
    found = await session.scalar(
        select(MarketingSubscriber.id)
        .where(MarketingSubscriber.guest_id == guest_id)
        .where(MarketingSubscriber.scope != scope)
        .where(MarketingSubscriber.unsubscribed_at.is_(None))
        .limit(1)
    )
    return found is not None
