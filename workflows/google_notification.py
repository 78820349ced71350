"""GoogleNotification: deliver one real-time update about a Google-made booking.

Started by the reservation activities (`activities.partners.tell_google`) with a
workflow id per reservation and change, so a retried activity starts it once. The
one activity retries an outage (Google 5xx, 429, network) without limit, backing off
to ten minutes; Google refusing the update itself (another 4xx) ends it at once.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.schemas.google import GoogleNotice


@activity.defn(name="notify_google_booking")
async def notify_google_booking(notice: GoogleNotice) -> bool:
    """PATCH Google's notification.partners.bookings; False when not configured."""
    raise NotImplementedError("an activity contract: the worker registers the implementation")


DELIVERY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=10)
)


def notification_workflow_id(notice: GoogleNotice) -> str:
    """One workflow per reservation and change."""
    return f"google-notify-{notice.reservation_id}-{notice.change_key}"


@workflow.defn(name="GoogleNotification")
class GoogleNotificationWorkflow:
    """Send one update to Google, retrying until it is delivered or refused."""

    @workflow.run
    async def run(self, notice: GoogleNotice) -> bool:
        """True once Google accepted it (False: no endpoint configured)."""
        return await workflow.execute_activity(
            notify_google_booking,
            notice,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DELIVERY,
        )
