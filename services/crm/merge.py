"""Merging a duplicate guest profile into the one that survives (a staff action).

Everything that belongs to the person moves to the survivor: reservations, waitlist
entries, booking notes, staff notes, outbox messages, marketing consents, each
restaurant's relationship and the global counters. The duplicate's row stays, pointing
at the survivor (`merged_into_id`), with its own email: it is another identity row, and
its email stays taken so a later booking under it is recognised (and can be merged
again by staff). Two audit rows (one on each guest) list every moved row id per table
and the full content of every row folded into another: enough to undo by hand.

Not moved: data-export links (issued to the duplicate's own address) and mailing
provider subscriber rows (they describe the duplicate's address at the provider, and
without consent left on the duplicate the next sync unsubscribes it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models.orm import (
    BookingNotes,
    Guest,
    GuestAudit,
    GuestNote,
    GuestRelationship,
    MarketingConsent,
    Notification,
    Reservation,
    WaitlistEntry,
)
from services.crm.visibility import guest_is_known, sharing_circle
from services.errors import ConflictError, InvalidError, NotFoundError

MERGED_IN = "merged_in"
MERGED_INTO = "merged_into"

# the rows that simply change hands: table name -> (primary key, guest column)
_MOVED: dict[str, tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any]]] = {
    "reservations": (Reservation.id, Reservation.guest_id),
    "waitlist_entries": (WaitlistEntry.id, WaitlistEntry.guest_id),
    "booking_notes": (BookingNotes.reservation_id, BookingNotes.guest_id),
    "guest_notes": (GuestNote.id, GuestNote.guest_id),
    "notifications": (Notification.id, Notification.guest_id),
}
# the global counters the survivor adds up
_COUNTERS = (
    "total_reservations",
    "completed_reservations",
    "no_show_count",
    "cancellation_count",
    "total_spend_minor",
)
_STATISTICS = (
    "bookings",
    "visits",
    "covers",
    "no_shows",
    "cancellations",
    "late_cancellations",
    "spend_minor",
)
_LISTS = ("tags", "preferred_areas", "dietary_restrictions", "allergies")


@dataclass
class MergeResult:
    """What a merge moved (row ids per table) and folded (rows absorbed into others)."""

    survivor_id: uuid.UUID
    duplicate_id: uuid.UUID
    moved: dict[str, list[str]] = field(default_factory=dict)
    folded: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def details(self) -> dict[str, Any]:
        """The audit trail's details (JSON)."""
        return {
            "survivor_id": str(self.survivor_id),
            "duplicate_id": str(self.duplicate_id),
            "moved": self.moved,
            "folded": self.folded,
            "counters_added": self.counters,
        }


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _snapshot(row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {name: _json(getattr(row, name)) for name in columns}


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((x for x in (a, b) if x is not None), default=None)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((x for x in (a, b) if x is not None), default=None)


async def _guest(session: AsyncSession, guest_id: uuid.UUID, field_name: str) -> Guest:
    guest = await session.get(Guest, guest_id, with_for_update=True)
    if guest is None:
        raise NotFoundError(f"guest {guest_id} not found", field=field_name)
    return guest


async def _check(
    session: AsyncSession,
    *,
    survivor_id: uuid.UUID,
    duplicate_id: uuid.UUID,
    restaurant_id: uuid.UUID,
) -> tuple[Guest, Guest]:
    if survivor_id == duplicate_id:
        raise InvalidError("a guest cannot be merged into themselves", field="duplicate_id")
    # lock in a fixed order so two opposite merges cannot deadlock
    first, second = sorted([survivor_id, duplicate_id], key=str)
    locked = {
        first: await _guest(session, first, "guest_id"),
        second: await _guest(session, second, "guest_id"),
    }
    circle = await sharing_circle(session, restaurant_id)
    survivor, duplicate = locked[survivor_id], locked[duplicate_id]
    for guest, name in ((survivor, "survivor_id"), (duplicate, "duplicate_id")):
        # a merged profile has no relationships left: the circle knows it through the
        # profile that absorbed it; a guest the circle does not know does not exist for it
        through = guest.merged_into_id or guest.id
        if not await guest_is_known(session, guest_id=through, circle=circle):
            raise NotFoundError(f"guest {guest.id} not found", field=name)
        if guest.merged_into_id is not None:
            raise ConflictError(
                f"guest {guest.id} was already merged into another profile",
                field=name,
                reason="already_merged",
            )
        if guest.erased_at is not None:
            raise ConflictError(f"guest {guest.id} was erased", field=name, reason="guest_erased")
    return survivor, duplicate


async def _ids(session: AsyncSession, query: Select[Any]) -> list[str]:
    return sorted(str(value) for value in await session.scalars(query))


async def _move_rows(session: AsyncSession, result: MergeResult) -> None:
    for table, (key, guest_column) in _MOVED.items():
        ids = await _ids(session, select(key).where(guest_column == result.duplicate_id))
        if ids:
            await session.execute(
                update(guest_column.class_)
                .where(guest_column == result.duplicate_id)
                .values({guest_column: result.survivor_id})
                .execution_options(synchronize_session=False)
            )
        result.moved[table] = ids


async def _merge_consents(session: AsyncSession, result: MergeResult) -> None:
    theirs = list(
        await session.scalars(
            select(MarketingConsent)
            .where(MarketingConsent.guest_id == result.duplicate_id)
            .with_for_update()
        )
    )
    ours = {
        c.scope: c
        for c in await session.scalars(
            select(MarketingConsent)
            .where(MarketingConsent.guest_id == result.survivor_id)
            .with_for_update()
        )
    }
    moved: list[str] = []
    folded: list[dict[str, Any]] = []
    columns = tuple(c.key for c in MarketingConsent.__table__.columns)
    for consent in theirs:
        kept = ours.get(consent.scope)
        if kept is None:
            consent.guest_id = result.survivor_id
            moved.append(str(consent.id))
            continue
        folded.append({"into": str(kept.id), **_snapshot(consent, columns)})
        # the earliest grant stands (with its wording and source); any withdrawal wins
        if consent.granted_at < kept.granted_at:
            kept.granted_at = consent.granted_at
            kept.source = consent.source
            kept.wording_version = consent.wording_version
        if consent.withdrawn_at is not None and (
            kept.withdrawn_at is None or consent.withdrawn_at > kept.withdrawn_at
        ):
            kept.withdrawn_at = consent.withdrawn_at
            kept.withdrawn_via = consent.withdrawn_via
        await session.delete(consent)
    await session.flush()
    result.moved["marketing_consents"] = sorted(moved)
    result.folded["marketing_consents"] = folded


async def _merge_relationships(session: AsyncSession, result: MergeResult) -> None:
    theirs = list(
        await session.scalars(
            select(GuestRelationship)
            .where(GuestRelationship.guest_id == result.duplicate_id)
            .with_for_update()
        )
    )
    ours = {
        r.restaurant_id: r
        for r in await session.scalars(
            select(GuestRelationship)
            .where(GuestRelationship.guest_id == result.survivor_id)
            .with_for_update()
        )
    }
    moved: list[str] = []
    folded: list[dict[str, Any]] = []
    columns = tuple(c.key for c in GuestRelationship.__table__.columns)
    for rel in theirs:
        kept = ours.get(rel.restaurant_id)
        if kept is None:
            rel.guest_id = result.survivor_id
            moved.append(str(rel.id))
            continue
        folded.append({"into": str(kept.id), **_snapshot(rel, columns)})
        for name in _STATISTICS:
            setattr(kept, name, getattr(kept, name) + getattr(rel, name))
        for name in _LISTS:
            merged = list(getattr(kept, name) or [])
            merged += [v for v in getattr(rel, name) or [] if v not in merged]
            setattr(kept, name, merged)
        kept.is_vip = kept.is_vip or rel.is_vip
        if kept.blocked_at is None and rel.blocked_at is not None:
            kept.blocked_at = rel.blocked_at
            kept.blocked_reason = rel.blocked_reason
            kept.blocked_by = rel.blocked_by
        kept.first_visit_at = _earliest(kept.first_visit_at, rel.first_visit_at)
        kept.last_visit_at = _latest(kept.last_visit_at, rel.last_visit_at)
        await session.delete(rel)
    # the unique (guest, restaurant) key: the folded rows go before the moved ones land
    await session.flush()
    result.moved["guest_relationships"] = sorted(moved)
    result.folded["guest_relationships"] = folded


def _add_counters(survivor: Guest, duplicate: Guest, result: MergeResult) -> None:
    for name in _COUNTERS:
        value = int(getattr(duplicate, name) or 0)
        result.counters[name] = value
        setattr(survivor, name, int(getattr(survivor, name) or 0) + value)
        setattr(duplicate, name, 0)
    survivor.last_activity_at = _latest(survivor.last_activity_at, duplicate.last_activity_at)
    survivor.is_vip = survivor.is_vip or duplicate.is_vip


async def merge_guests(
    session: AsyncSession,
    *,
    survivor_id: uuid.UUID,
    duplicate_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    staff_id: uuid.UUID | None,
    now: datetime,
) -> MergeResult:
    """Fold `duplicate_id` into `survivor_id` in the caller's transaction; audited.

    Both must be known to `restaurant_id`'s sharing circle (else NotFoundError);
    merging a guest into themselves is an InvalidError naming `duplicate_id`; a guest
    already merged or erased is a ConflictError, so a repeated merge changes nothing.
    """
    survivor, duplicate = await _check(
        session, survivor_id=survivor_id, duplicate_id=duplicate_id, restaurant_id=restaurant_id
    )
    result = MergeResult(survivor_id=survivor.id, duplicate_id=duplicate.id)
    await _move_rows(session, result)
    await _merge_consents(session, result)
    await _merge_relationships(session, result)
    _add_counters(survivor, duplicate, result)
    duplicate.merged_into_id = survivor.id
    details = result.details()
    for guest_id, action in ((survivor.id, MERGED_IN), (duplicate.id, MERGED_INTO)):
        session.add(
            GuestAudit(
                guest_id=guest_id,
                restaurant_id=restaurant_id,
                staff_id=staff_id,
                action=action,
                details=details,
                created_at=now,
            )
        )
    await session.flush()
    return result
