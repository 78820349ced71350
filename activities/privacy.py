"""Activities of the privacy workflows: cancel and leave through the guest's own workflows,
anonymise, and the retention batches.

Each is idempotent: a cancelled booking refuses a second cancel (skipped), an
erased guest is not erased again, a cleared body is not counted again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities.refusals import refusing
from models.schemas.lifecycle import CancelRequest
from models.schemas.privacy import (
    AnonymiseRequest,
    DemandCutoff,
    InactiveQuery,
    MessageCutoff,
    RetireBatch,
    UnsentLinks,
)
from models.schemas.waitlist import LeaveRequest, entry_workflow_id
from services.crm import erasure, privacy_export, retention
from workflows.privacy_message import start_privacy_message
from workflows.reservation import ReservationWorkflow
from workflows.waitlist import WaitlistWorkflow

log = structlog.get_logger(__name__)
ERASURE_REASON = "cancelled at the guest's request to erase their data"


async def _update(workflow_id: str, update: Any, arg: Any) -> bool:
    """Run one update on a workflow; False when it refused or has ended (nothing to do)."""
    handle = activity.client().get_workflow_handle(workflow_id)
    try:
        await handle.execute_update(update, arg)
    except WorkflowUpdateFailedError:
        return False  # already cancelled, seated or otherwise past changing
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


@dataclass
class PrivacyActivities:
    """Erasure and retention work against the database (and the guest's workflows)."""

    sessions: async_sessionmaker[AsyncSession]

    def all(self) -> list[Any]:
        return [
            self.cancel_guest_bookings,
            self.leave_guest_waitlists,
            self.anonymise_guest,
            self.merged_guests,
            self.find_inactive_guests,
            self.retire_guests,
            self.count_old_messages,
            self.clear_old_messages,
            self.count_old_turned_away,
            self.forget_old_turned_away,
            self.start_unsent_privacy_messages,
        ]

    @activity.defn(name="start_unsent_privacy_messages")
    @refusing
    async def start_unsent_privacy_messages(self, query: UnsentLinks) -> int:
        """Start the send of every privacy link still queued from before the cutoff.

        Idempotent: a send already started (by the API or an earlier sweep) is not
        started again.
        """
        async with self.sessions() as session:
            unsent = await privacy_export.unsent_links(
                session, queued_before=query.queued_before, limit=query.limit
            )
        started = 0
        for notification_id in unsent:
            if await start_privacy_message(
                activity.client(), notification_id, task_queue=query.task_queue
            ):
                started += 1
        if started:
            log.info("privacy.unsent_links_started", started=started)
        return started

    @activity.defn(name="cancel_guest_bookings")
    @refusing
    async def cancel_guest_bookings(self, guest_id: uuid.UUID) -> list[uuid.UUID]:
        """Cancel each future booking as the guest would, so refunds follow its policy."""
        async with self.sessions() as session:
            ids = await erasure.future_bookings(session, guest_id=guest_id, now=datetime.now(UTC))
        cancelled: list[uuid.UUID] = []
        for reservation_id in ids:
            request = CancelRequest(by="guest", reason=ERASURE_REASON)
            if await _update(f"reservation-{reservation_id}", ReservationWorkflow.cancel, request):
                cancelled.append(reservation_id)
        log.info("privacy.bookings_cancelled", guest_id=str(guest_id), count=len(cancelled))
        return cancelled

    @activity.defn(name="leave_guest_waitlists")
    @refusing
    async def leave_guest_waitlists(self, guest_id: uuid.UUID) -> list[uuid.UUID]:
        """Leave every open waitlist entry of the guest, as the guest."""
        async with self.sessions() as session:
            ids = await erasure.open_waitlist_entries(session, guest_id=guest_id)
        left: list[uuid.UUID] = []
        for entry_id in ids:
            if await _update(
                entry_workflow_id(entry_id), WaitlistWorkflow.leave, LeaveRequest(by="guest")
            ):
                left.append(entry_id)
        return left

    @activity.defn(name="anonymise_guest")
    @refusing
    async def anonymise_guest(self, request: AnonymiseRequest) -> bool:
        """Anonymise the guest in one transaction; False when erased before."""
        async with self.sessions() as session:
            done = await erasure.anonymise(
                session,
                guest_id=request.guest_id,
                now=datetime.now(UTC),
                action=request.action,
                staff_id=request.staff_id,
            )
            await session.commit()
        log.info("privacy.anonymised", guest_id=str(request.guest_id), changed=done)
        return done

    @activity.defn(name="merged_guests")
    @refusing
    async def merged_guests(self, guest_id: uuid.UUID) -> list[uuid.UUID]:
        """The profiles merged into the guest, directly or through another merge."""
        async with self.sessions() as session:
            return await erasure.merged_into(session, guest_id=guest_id)

    @activity.defn(name="find_inactive_guests")
    @refusing
    async def find_inactive_guests(self, query: InactiveQuery) -> list[uuid.UUID]:
        """One page of retention candidates."""
        async with self.sessions() as session:
            return await retention.inactive_guests(
                session, cutoff=query.cutoff, now=query.now, after=query.after, limit=query.limit
            )

    @activity.defn(name="retire_guests")
    @refusing
    async def retire_guests(self, batch: RetireBatch) -> list[uuid.UUID]:
        """Anonymise those of the batch still inactive (one may have booked meanwhile)."""
        now = datetime.now(UTC)
        async with self.sessions() as session:
            still = await retention.inactive_guests(
                session,
                cutoff=batch.cutoff,
                now=max(now, batch.now),
                after=None,
                limit=len(batch.guest_ids),
                among=batch.guest_ids,
            )
            done = [
                guest_id
                for guest_id in still
                if await erasure.anonymise(session, guest_id=guest_id, now=now, action="retention")
            ]
            await session.commit()
        log.info("privacy.retention_batch", anonymised=len(done))
        return done

    @activity.defn(name="count_old_messages")
    @refusing
    async def count_old_messages(self, cutoff: datetime) -> int:
        """Message bodies a real run would empty."""
        async with self.sessions() as session:
            return await retention.old_message_count(session, cutoff=cutoff)

    @activity.defn(name="clear_old_messages")
    @refusing
    async def clear_old_messages(self, query: MessageCutoff) -> int:
        """Empty one batch of old message bodies."""
        async with self.sessions() as session:
            cleared = await retention.clear_old_messages(
                session, cutoff=query.cutoff, limit=query.limit
            )
            await session.commit()
        return cleared

    @activity.defn(name="count_old_turned_away")
    @refusing
    async def count_old_turned_away(self, before: date) -> int:
        """Turned-away requests a real run would delete."""
        async with self.sessions() as session:
            return await retention.old_turned_away_count(session, before=before)

    @activity.defn(name="forget_old_turned_away")
    @refusing
    async def forget_old_turned_away(self, query: DemandCutoff) -> int:
        """Delete one batch of old turned-away requests (idempotent: a retry deletes
        what is left)."""
        async with self.sessions() as session:
            forgotten = await retention.forget_old_turned_away(
                session, before=query.before, limit=query.limit
            )
            await session.commit()
        return forgotten
