"""Partner pushes: real-time updates to Google about bookings Google made.

`tell_google` is the one call the reservation activities make after a change; it
starts a `GoogleNotification` workflow (deduplicated by its id), whose activity
`GoogleActivities.notify_google_booking` sends the booking as it now is.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.refusals import refusing
from models.enums import ReservationSource
from models.orm import Reservation
from models.schemas.google import GoogleNotice
from reservations.http_answers import is_transient
from reservations.settings import Settings
from services.partners.google import CANCELLED_ON_GOOGLE, booking_status
from services.partners.google_auth import (
    AccessTokens,
    GoogleAuthRefused,
    GoogleAuthUnavailable,
    ServiceAccountKey,
)
from services.partners.google_feeds import write_feeds
from workflows.google_notification import GoogleNotificationWorkflow, notification_workflow_id

log = structlog.get_logger(__name__)


async def tell_google(
    *,
    reservation_id: uuid.UUID,
    source: ReservationSource,
    change: str,
    change_key: str,
    reason: str | None = None,
) -> None:
    """From inside a reservation activity: have Google told about a change of its booking."""
    if source is not ReservationSource.GOOGLE or reason == CANCELLED_ON_GOOGLE:
        return
    notice = GoogleNotice(
        reservation_id=str(reservation_id),
        change="slot" if change == "slot" else "status",
        change_key=change_key,
    )
    # an earlier attempt of the calling activity may have announced this change already
    with contextlib.suppress(WorkflowAlreadyStartedError):
        await activity.client().start_workflow(
            GoogleNotificationWorkflow.run,
            notice,
            id=notification_workflow_id(notice),
            task_queue=activity.info().task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )


@dataclass
class GoogleActivities:
    """Sends real-time updates to the Maps Booking API (or the configured stand-in)."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    # the service account's access token, shared by this worker's updates
    _tokens: AccessTokens | None = field(default=None, init=False, repr=False)

    @activity.defn(name="notify_google_booking")
    @refusing
    async def notify_google_booking(self, notice: GoogleNotice) -> bool:
        """PATCH notification/partners/{partner}/bookings/{booking}; False when not configured."""
        base = self.settings.google_notification_url
        if not base:
            log.info("google.notification.skipped", reservation_id=notice.reservation_id)
            return False
        async with self.sessions() as session:
            reservation = await session.get(Reservation, uuid.UUID(notice.reservation_id))
            if reservation is None:
                return False  # erased meanwhile: nothing left to tell
            partner = self.settings.google_partner_id
            seconds = int((reservation.ends_at - reservation.starts_at).total_seconds())
            body: dict[str, Any] = {
                "name": f"partners/{partner}/bookings/{reservation.id}",
                "merchantId": str(reservation.restaurant_id),
                "serviceId": self.settings.google_service_id,
                "startTime": reservation.starts_at.isoformat().replace("+00:00", "Z"),
                "duration": f"{seconds}s",
                "partySize": reservation.party_size,
                "status": booking_status(reservation.status),
            }
        mask = "status" if notice.change == "status" else "startTime,duration,partySize"
        url = (
            f"{base.rstrip('/')}/v1alpha/notification/partners/{partner}/bookings/{reservation.id}"
        )
        try:
            async with httpx.AsyncClient(timeout=20) as client:
                headers = await self._authorization(client)
                response = await client.patch(
                    url, params={"updateMask": mask}, json=body, headers=headers
                )
        except httpx.HTTPError as exc:
            raise RuntimeError(f"Google unreachable: {exc}") from None  # retried
        if is_transient(response.status_code):
            raise RuntimeError(f"Google answered {response.status_code}")  # retried
        if response.status_code >= 400:
            raise ApplicationError(
                f"Google refused the update: {response.status_code} {response.text[:200]}",
                type="GoogleRefused",
                non_retryable=True,
            )
        return True

    async def _authorization(self, http: httpx.AsyncClient) -> dict[str, str]:
        """The service account's access token when a key file is set, else the
        configured bearer token (a stand-in's), else nothing."""
        key_file = self.settings.google_service_account_file
        if key_file is None:
            token = self.settings.google_notification_token
            return {"Authorization": f"Bearer {token}"} if token else {}
        try:
            if self._tokens is None:
                self._tokens = AccessTokens(key=ServiceAccountKey.load(key_file))
            return {"Authorization": f"Bearer {await self._tokens.token(http)}"}
        except GoogleAuthUnavailable as exc:
            raise RuntimeError(str(exc)) from None  # retried
        except GoogleAuthRefused as exc:
            raise ApplicationError(str(exc), type="GoogleAuthRefused", non_retryable=True) from None

    @activity.defn(name="write_google_feeds")
    @refusing
    async def write_google_feeds(self) -> int:
        """Write the three feeds into GOOGLE_FEEDS_DIR; the number of availability entries."""
        async with self.sessions() as session:
            files = await write_feeds(
                session,
                out=self.settings.google_feeds_dir,
                days=self.settings.google_feed_days,
                max_party_size=self.settings.google_max_party_size,
                service_id=self.settings.google_service_id,
            )
        log.info("google.feeds.written", merchants=files.merchant_count, slots=files.slot_count)
        return files.slot_count

    def all(self) -> list[Callable[..., Any]]:
        """The activity callables to register on a worker."""
        return [self.notify_google_booking, self.write_google_feeds]
