"""GuestErasure: cancel a guest's future bookings, take them off waitlists, then anonymise.

Its id is `guest-erasure-<guest id>`, so a second request for the same guest finds
the first run instead of starting another. Cancellations go through each booking's
own workflow, as the guest, so refunds follow the booking's policy; only when they
are done is the guest anonymised (one activity, one transaction). A second pass then
cancels what was booked while the first ran, the profiles merged into the guest are
anonymised too, and every one of them is deleted from the mailing provider.
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
        merged_guests,
    )
    from workflows.retries import DATABASE, PROVIDER

GUEST_ERASURE_WORKFLOW = "GuestErasure"
# patch: after anonymising, cancel what was booked while the erasure ran, and erase the
# profiles merged into the guest (releases before it left both)
SECOND_PASS_AND_MERGED = "erasure-second-pass-and-merged"
# rounds of the second pass: a booking begun before the anonymising commits within one
SECOND_PASS_ROUNDS = 3


def erasure_workflow_id(guest_id: uuid.UUID) -> str:
    """One erasure workflow per guest."""
    return f"guest-erasure-{guest_id}"


@workflow.defn(name=GUEST_ERASURE_WORKFLOW)
class GuestErasureWorkflow:
    """Erase one guest; run again, it changes nothing."""

    @workflow.run
    async def run(self, inp: ErasureInput) -> ErasureResult:
        """Cancel, leave, anonymise; the ids of what was cancelled and left."""
        cancelled, left = await self._cancel_and_leave(inp.guest_id)
        erased = await self._anonymise(inp.guest_id, inp)
        merged: list[uuid.UUID] = []
        if workflow.patched(SECOND_PASS_AND_MERGED):
            # a booking or an entry begun before the guest was anonymised can land after
            # the first pass; none can begin after it (their email is gone, and a hold
            # refuses an erased guest)
            for _ in range(SECOND_PASS_ROUNDS):
                late = await self._cancel_and_leave(inp.guest_id)
                if not late[0] and not late[1]:
                    break
                cancelled, left = [*cancelled, *late[0]], [*left, *late[1]]
            merged = await workflow.execute_activity(
                merged_guests,
                inp.guest_id,
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
            for other in merged:
                # a merged profile keeps its email, so it may have booked since the merge
                late = await self._cancel_and_leave(other)
                cancelled, left = [*cancelled, *late[0]], [*left, *late[1]]
                await self._anonymise(other, inp)
                await self._forget_subscriber(other)
        # the mailing provider still holds the address: delete it now, not at the next sync
        await self._forget_subscriber(inp.guest_id)
        return ErasureResult(
            guest_id=inp.guest_id,
            cancelled_reservations=cancelled,
            left_waitlist_entries=left,
            erased=erased,
            erased_merged_guests=merged,
        )

    async def _cancel_and_leave(
        self, guest_id: uuid.UUID
    ) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        cancelled = await workflow.execute_activity(
            cancel_guest_bookings,
            guest_id,
            start_to_close_timeout=PROVIDER.start_to_close_timeout,
            retry_policy=PROVIDER.retry_policy,
        )
        left = await workflow.execute_activity(
            leave_guest_waitlists,
            guest_id,
            start_to_close_timeout=PROVIDER.start_to_close_timeout,
            retry_policy=PROVIDER.retry_policy,
        )
        return cancelled, left

    async def _anonymise(self, guest_id: uuid.UUID, inp: ErasureInput) -> bool:
        return await workflow.execute_activity(
            anonymise_guest,
            AnonymiseRequest(guest_id=guest_id, action="erased", staff_id=inp.staff_id),
            start_to_close_timeout=DATABASE.start_to_close_timeout,
            retry_policy=DATABASE.retry_policy,
        )

    async def _forget_subscriber(self, guest_id: uuid.UUID) -> None:
        await workflow.execute_activity(
            forget_marketing_subscriber,
            guest_id,
            start_to_close_timeout=PROVIDER.start_to_close_timeout,
            retry_policy=PROVIDER.retry_policy,
        )
