"""Marketing consent: granted per guest and scope, withdrawn by link, staff or erasure.

A scope is "restaurant:<uuid>" or "group:<uuid>"; a guest has at most one consent row
per scope. Re-granting after a withdrawal grants the same row again (the latest grant
is kept; the audit trail keeps every grant and withdrawal). Nobody is ever marked as
consenting without an explicit grant.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from models.enums import ConsentSource
from models.orm import Guest, GuestAudit, MarketingConsent, Restaurant, RestaurantGroup
from reservations.db import upsert_insert
from services.errors import InvalidError
from services.guests import normalise_email

GRANTED = "consent_granted"
WITHDRAWN = "consent_withdrawn"


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose marketing the consent is for: one restaurant, or every restaurant of a group."""

    kind: str  # "restaurant" or "group"
    id: uuid.UUID

    @property
    def key(self) -> str:
        """The stored form, "restaurant:<uuid>" or "group:<uuid>"."""
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, key: str) -> Scope:
        """The scope a stored key names; ValueError for anything else."""
        kind, _, raw = key.partition(":")
        if kind not in {"restaurant", "group"}:
            raise ValueError(f"unknown consent scope {key!r}")
        return cls(kind=kind, id=uuid.UUID(raw))


def restaurant_scope(restaurant_id: uuid.UUID) -> Scope:
    return Scope(kind="restaurant", id=restaurant_id)


def group_scope(group_id: uuid.UUID) -> Scope:
    return Scope(kind="group", id=group_id)


async def scopes_of_restaurant(session: AsyncSession, *, restaurant_id: uuid.UUID) -> list[Scope]:
    """The scopes whose consent covers marketing from this restaurant (itself, its group)."""
    group_id = await session.scalar(
        select(Restaurant.group_id).where(Restaurant.id == restaurant_id)
    )
    return scopes_of(restaurant_id, group_id)


def scopes_of(restaurant_id: uuid.UUID, group_id: uuid.UUID | None) -> list[Scope]:
    """`scopes_of_restaurant` of a restaurant whose group the caller knows."""
    scopes = [restaurant_scope(restaurant_id)]
    if group_id is not None:
        scopes.append(group_scope(group_id))
    return scopes


def active_consent(
    guest_id: ColumnElement[uuid.UUID] | InstrumentedAttribute[uuid.UUID], scopes: list[Scope]
) -> ColumnElement[bool]:
    """SQL: the guest has a live (granted, not withdrawn) consent in one of `scopes`."""
    return (
        select(MarketingConsent.id)
        .where(MarketingConsent.guest_id == guest_id)
        .where(MarketingConsent.scope.in_([s.key for s in scopes]))
        .where(MarketingConsent.withdrawn_at.is_(None))
        .exists()
    )


async def grant(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    scope: Scope,
    source: ConsentSource,
    wording_version: str,
    now: datetime,
    staff_id: uuid.UUID | None = None,
    restaurant_id: uuid.UUID | None = None,
) -> MarketingConsent:
    """Record a grant (a new one, or again after a withdrawal) and audit it."""
    if not wording_version.strip():
        raise InvalidError("the consent wording version is required", field="wording_version")
    await session.execute(
        upsert_insert(session)(MarketingConsent)
        .values(
            id=uuid.uuid4(),
            guest_id=guest_id,
            scope=scope.key,
            restaurant_id=scope.id if scope.kind == "restaurant" else None,
            group_id=scope.id if scope.kind == "group" else None,
            granted_at=now,
            source=source.value,
            wording_version=wording_version,
        )
        .on_conflict_do_nothing(index_elements=[MarketingConsent.guest_id, MarketingConsent.scope])
    )
    consent = await _consent(session, guest_id=guest_id, scope=scope)
    assert consent is not None
    consent.granted_at = now
    consent.source = source.value
    consent.wording_version = wording_version
    consent.withdrawn_at = None
    consent.withdrawn_via = None
    session.add(
        GuestAudit(
            guest_id=guest_id,
            restaurant_id=restaurant_id,
            staff_id=staff_id,
            action=GRANTED,
            details={
                "scope": scope.key,
                "source": source.value,
                "wording_version": wording_version,
            },
            created_at=now,
        )
    )
    await session.flush()
    return consent


async def withdraw(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    scope: Scope,
    via: str,
    now: datetime,
    staff_id: uuid.UUID | None = None,
    restaurant_id: uuid.UUID | None = None,
) -> bool:
    """Withdraw the guest's consent in `scope`; False when there was none live (a no-op)."""
    consent = await _consent(session, guest_id=guest_id, scope=scope, for_update=True)
    if consent is None or consent.withdrawn_at is not None:
        return False
    consent.withdrawn_at = now
    consent.withdrawn_via = via
    session.add(
        GuestAudit(
            guest_id=guest_id,
            restaurant_id=restaurant_id,
            staff_id=staff_id,
            action=WITHDRAWN,
            details={"scope": scope.key, "via": via},
            created_at=now,
        )
    )
    await session.flush()
    return True


async def withdraw_all(
    session: AsyncSession, *, guest_id: uuid.UUID, via: str, now: datetime
) -> list[str]:
    """Withdraw every live consent of the guest (erasure); the scopes withdrawn.

    The next marketing sync of each scope removes the guest from the provider (it
    finds their subscriber rows by guest id, so it works after anonymisation too).
    """
    live = list(
        await session.scalars(
            select(MarketingConsent)
            .where(MarketingConsent.guest_id == guest_id)
            .where(MarketingConsent.withdrawn_at.is_(None))
            .order_by(MarketingConsent.scope)
        )
    )
    withdrawn: list[str] = []
    for consent in live:
        if await withdraw(
            session, guest_id=guest_id, scope=Scope.parse(consent.scope), via=via, now=now
        ):
            withdrawn.append(consent.scope)
    return withdrawn


async def withdraw_all_of_emails(
    session: AsyncSession, *, emails: list[str], via: str, now: datetime
) -> list[uuid.UUID]:
    """Withdraw every live consent of the guests with these emails; the guests affected.

    For an unsubscribe the mailing provider reports: it covers its whole account, so
    every scope. An address that is not valid, or that no guest has, is skipped.
    """
    normalised: set[str] = set()
    for email in emails:
        try:
            normalised.add(normalise_email(email))
        except ValueError:
            continue
    if not normalised:
        return []
    guest_ids = list(
        await session.scalars(
            select(Guest.id).where(Guest.email.in_(sorted(normalised))).order_by(Guest.id)
        )
    )
    return [
        guest_id
        for guest_id in guest_ids
        if await withdraw_all(session, guest_id=guest_id, via=via, now=now)
    ]


async def record_booking_consent(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    given: bool,
    wording_version: str | None,
    now: datetime,
    source: ConsentSource = ConsentSource.BOOKING_FORM,
    staff_id: uuid.UUID | None = None,
) -> MarketingConsent | None:
    """The guest form's consent box: a grant for the restaurant when ticked, else nothing.

    An unticked box withdraws nothing: it only means no new consent was given. A
    walk-in staff enter by hand records `source` staff.
    """
    if not given:
        return None
    if not wording_version:
        raise InvalidError(
            "the consent wording version is required when consent is given",
            field="guest.consent_wording_version",
        )
    return await grant(
        session,
        guest_id=guest_id,
        scope=restaurant_scope(restaurant_id),
        source=source,
        wording_version=wording_version,
        now=now,
        staff_id=staff_id,
        restaurant_id=restaurant_id,
    )


async def consents_seen_from(
    session: AsyncSession, *, guest_id: uuid.UUID, restaurant_id: uuid.UUID
) -> list[MarketingConsent]:
    """The guest's consents for this restaurant and its group (what its staff may see)."""
    scopes = await scopes_of_restaurant(session, restaurant_id=restaurant_id)
    return list(
        await session.scalars(
            select(MarketingConsent)
            .where(MarketingConsent.guest_id == guest_id)
            .where(MarketingConsent.scope.in_([s.key for s in scopes]))
            .order_by(MarketingConsent.scope)
        )
    )


async def scope_for_staff(session: AsyncSession, *, restaurant_id: uuid.UUID, kind: str) -> Scope:
    """The scope a restaurant's staff record consent in: the restaurant, or its group."""
    if kind == "restaurant":
        return restaurant_scope(restaurant_id)
    group_id = await session.scalar(
        select(Restaurant.group_id).where(Restaurant.id == restaurant_id)
    )
    if group_id is None:
        raise InvalidError("this restaurant belongs to no group", field="scope")
    return group_scope(group_id)


async def scopes_with_active_consent(
    session: AsyncSession, *, guest_id: uuid.UUID, scopes: list[Scope]
) -> list[Scope]:
    """Those of `scopes` in which the guest has a live consent, in their order (one query)."""
    live = set(
        await session.scalars(
            select(MarketingConsent.scope)
            .where(MarketingConsent.guest_id == guest_id)
            .where(MarketingConsent.scope.in_([s.key for s in scopes]))
            .where(MarketingConsent.withdrawn_at.is_(None))
        )
    )
    return [scope for scope in scopes if scope.key in live]


async def has_active_consent(
    session: AsyncSession, *, guest_id: uuid.UUID, scopes: list[Scope]
) -> bool:
    """True when the guest has a live consent in one of `scopes`."""
    found = await session.scalar(
        select(MarketingConsent.id)
        .where(MarketingConsent.guest_id == guest_id)
        .where(MarketingConsent.scope.in_([s.key for s in scopes]))
        .where(MarketingConsent.withdrawn_at.is_(None))
        .limit(1)
    )
    return found is not None


async def _consent(
    session: AsyncSession, *, guest_id: uuid.UUID, scope: Scope, for_update: bool = False
) -> MarketingConsent | None:
    query = (
        select(MarketingConsent)
        .where(MarketingConsent.guest_id == guest_id)
        .where(MarketingConsent.scope == scope.key)
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query.execution_options(populate_existing=True))


async def restaurants_in_scope(session: AsyncSession, *, scope: Scope) -> list[uuid.UUID]:
    """The restaurants whose marketing a consent in `scope` covers."""
    if scope.kind == "restaurant":
        return [scope.id]
    return list(
        await session.scalars(
            select(Restaurant.id).where(Restaurant.group_id == scope.id).order_by(Restaurant.id)
        )
    )


async def scope_name(session: AsyncSession, *, scope: Scope) -> str | None:
    """The restaurant's or group's name, for the withdrawal page."""
    model = Restaurant if scope.kind == "restaurant" else RestaurantGroup
    name: str | None = await session.scalar(select(model.name).where(model.id == scope.id))
    return name
