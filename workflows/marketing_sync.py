"""MarketingSync: copy a restaurant's consenting segment to a MailerLite group.

Started by managers (one workflow id per restaurant and segment: a double click
joins the running sync) and, without a segment, when a guest withdraws consent
(signal-with-start: a sync already running makes one more pass). Provider calls
retry an outage or a 429 on the PROVIDER policy without limit; a refusal (bad token,
invalid data) fails the sync at once instead of retrying forever.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from models.schemas.marketing import (
        BatchOutcome,
        SubscriberBatch,
        SyncInput,
        SyncPage,
        SyncResult,
    )
    from workflows.marketing_contracts import (
        drop_marketing_subscribers,
        ensure_marketing_group,
        plan_marketing_sync,
        push_marketing_subscribers,
    )
    from workflows.retries import DATABASE, PROVIDER, refusal_of

BATCH_SIZE = 25
WITHDRAWALS = "withdrawals"


def sync_workflow_id(inp: SyncInput) -> str:
    """One sync per restaurant and segment (and one for withdrawals alone)."""
    segment = inp.segment.value if inp.segment is not None else WITHDRAWALS
    return f"marketing-sync-{inp.restaurant_id}-{segment}"


@workflow.defn(name="MarketingSync")
class MarketingSyncWorkflow:
    """Bring the provider's group in step with the segment; propagate withdrawals."""

    def __init__(self) -> None:
        self._again = False

    @workflow.signal
    def again(self) -> None:
        """Something changed meanwhile (a withdrawal): make one more pass when done."""
        self._again = True

    @workflow.run
    async def run(self, inp: SyncInput) -> SyncResult:
        """Sync until a pass ends with no new request; the last pass's counts."""
        while True:
            self._again = False
            result = await self._pass(inp)
            if not self._again:
                break
        await workflow.wait_condition(workflow.all_handlers_finished)
        return result

    async def _pass(self, inp: SyncInput) -> SyncResult:
        try:
            group_id: str | None = None
            if inp.segment is not None:
                group_id = await workflow.execute_activity(
                    ensure_marketing_group,
                    inp,
                    start_to_close_timeout=PROVIDER.start_to_close_timeout,
                    retry_policy=PROVIDER.retry_policy,
                )
            result = SyncResult(group_id=group_id)
            after: uuid.UUID | None = None
            while True:
                page: SyncPage = await workflow.execute_activity(
                    plan_marketing_sync,
                    args=[inp, group_id, after],
                    start_to_close_timeout=DATABASE.start_to_close_timeout,
                    retry_policy=DATABASE.retry_policy,
                )
                for ids in _batches(page.add):
                    added = await self._batch(push_marketing_subscribers, inp, group_id, ids)
                    result.added += added.changed
                    result.unchanged += added.unchanged
                    result.refused += added.refused
                for ids in _batches(page.remove):
                    removed = await self._batch(drop_marketing_subscribers, inp, group_id, ids)
                    result.removed += removed.changed
                    result.unchanged += removed.unchanged
                    result.refused += removed.refused
                if page.next_after is None:
                    break
                after = page.next_after
            return result
        except ActivityError as failure:
            refused = refusal_of(failure)
            if refused is None:
                raise
            raise refused from None

    async def _batch(
        self,
        activity: Callable[[SubscriberBatch], Awaitable[BatchOutcome]],
        inp: SyncInput,
        group_id: str | None,
        ids: list[uuid.UUID],
    ) -> BatchOutcome:
        batch = SubscriberBatch(restaurant_id=inp.restaurant_id, group_id=group_id, guest_ids=ids)
        outcome: BatchOutcome = await workflow.execute_activity(
            activity,
            batch,
            start_to_close_timeout=PROVIDER.start_to_close_timeout,
            retry_policy=PROVIDER.retry_policy,
        )
        return outcome


def _batches(ids: list[uuid.UUID]) -> list[list[uuid.UUID]]:
    return [ids[i : i + BATCH_SIZE] for i in range(0, len(ids), BATCH_SIZE)]
