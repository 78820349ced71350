"""GuestErasure: cancel a guest's future bookings, take them off waitlists, then anonymise.

Its id is `guest-erasure-<guest id>`, so a second request for the same guest finds
the first run instead of starting another. Cancellations go through each booking's
own workflow, as the guest, so refunds follow the booking's policy; only when they
are done is the guest anonymised (one activity, one transaction), and then deleted
from the mailing provider.
"""

from __future__ import annotations

import uuid

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.schemas.privacy import AnonymiseRequest, ErasureInput, ErasureResult
    from workflows.marketing_contracts import forget_marketing_subscriber
    from workflows.privacy_contracts import (
        anonymise_guest,
        cancel_guest_bookings,
        leave_guest_waitlists,
    )
    from workflows.retries import DATABASE, PROVIDER

GUEST_ERASURE_WORKFLOW = "GuestErasure"


def erasure_workflow_id(guest_id: uuid.UUID) -> str:
    """One erasure workflow per guest."""
    return f"guest-erasure-{guest_id}"


@workflow.defn(name=GUEST_ERASURE_WORKFLOW)
class GuestErasureWorkflow:
    """Erase one guest; run again, it changes nothing."""

    @workflow.run
    async def run(self, inp: ErasureInput) -> ErasureResult:
        """Cancel, leave, anonymise; the ids of what was cancelled and left."""
        cancelled = await workflow.execute_activity(
            cancel_guest_bookings,
            inp.guest_id,
            start_to_close_timeout=PROVIDER.start_to_close_timeout,
            retry_policy=PROVIDER.retry_policy,
        )
        left = await workflow.execute_activity(
            leave_guest_waitlists,
            inp.guest_id,
            start_to_close_timeout=PROVIDER.start_to_close_timeout,
            retry_policy=PROVIDER.retry_policy,
        )
        erased = await workflow.execute_activity(
            anonymise_guest,
            AnonymiseRequest(guest_id=inp.guest_id, action="erased", staff_id=inp.staff_id),
            start_to_close_timeout=DATABASE.start_to_close_timeout,
            retry_policy=DATABASE.retry_policy,
        )
        # the mailing provider still holds the address: delete it now, not at the next sync
        await workflow.execute_activity(
            forget_marketing_subscriber,
            inp.guest_id,
            start_to_close_timeout=PROVIDER.start_to_close_timeout,
            retry_policy=PROVIDER.retry_policy,
        )
        return ErasureResult(
            guest_id=inp.guest_id,
            cancelled_reservations=cancelled,
            left_waitlist_entries=left,
            erased=erased,
        )
