"""Retention: anonymise long-inactive guests, delete old message bodies and old
turned-away requests (daily Schedule).

Deterministic: the cutoffs come from the workflow's clock; each activity handles
one bounded batch, and guests are paged by id so a dry run lists every candidate
once without changing anything. Only ids and counts pass through the history.
"""

from __future__ import annotations

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.schemas.privacy import (
        LISTED_IDS,
        DemandCutoff,
        InactiveQuery,
        MessageCutoff,
        RetentionInput,
        RetentionResult,
        RetireBatch,
    )
    from services.crm.months import months_before
    from workflows.privacy_contracts import (
        clear_old_messages,
        count_old_messages,
        count_old_turned_away,
        find_inactive_guests,
        forget_old_turned_away,
        retire_guests,
    )
    from workflows.retries import DATABASE

RETENTION_WORKFLOW = "Retention"
# runs started before this patch trimmed no demand; their histories replay without it
TRIM_TURNED_AWAY = "trim-turned-away"


@workflow.defn(name=RETENTION_WORKFLOW)
class RetentionWorkflow:
    """One retention run (or dry run)."""

    @workflow.run
    async def run(self, inp: RetentionInput) -> RetentionResult:
        """Anonymise the inactive guests, then empty old message bodies; what was done."""
        now = workflow.now()
        result = RetentionResult(
            dry_run=inp.dry_run,
            guest_cutoff=months_before(now, inp.guest_months),
            message_cutoff=months_before(now, inp.message_body_months),
        )
        demand_cutoff = months_before(now, inp.demand_months).date()
        after = None
        while True:
            page = await workflow.execute_activity(
                find_inactive_guests,
                InactiveQuery(
                    cutoff=result.guest_cutoff, now=now, after=after, limit=inp.batch_size
                ),
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
            done = page
            if page and not inp.dry_run:
                done = await workflow.execute_activity(
                    retire_guests,
                    RetireBatch(guest_ids=page, cutoff=result.guest_cutoff, now=now),
                    start_to_close_timeout=DATABASE.start_to_close_timeout,
                    retry_policy=DATABASE.retry_policy,
                )
            result.guests += len(done)
            result.guest_ids.extend(done[: max(0, LISTED_IDS - len(result.guest_ids))])
            if len(page) < inp.batch_size:
                break
            after = page[-1]
        if inp.dry_run:
            result.message_bodies = await workflow.execute_activity(
                count_old_messages,
                result.message_cutoff,
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
            if workflow.patched(TRIM_TURNED_AWAY):
                result.demand_cutoff = demand_cutoff
                result.turned_away = await workflow.execute_activity(
                    count_old_turned_away,
                    result.demand_cutoff,
                    start_to_close_timeout=DATABASE.start_to_close_timeout,
                    retry_policy=DATABASE.retry_policy,
                )
            return result
        while True:
            cleared = await workflow.execute_activity(
                clear_old_messages,
                MessageCutoff(cutoff=result.message_cutoff, limit=inp.batch_size),
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
            result.message_bodies += cleared
            if cleared == 0:
                break
        if workflow.patched(TRIM_TURNED_AWAY):
            await self._trim_turned_away(inp, result, demand_cutoff)
        return result

    async def _trim_turned_away(
        self, inp: RetentionInput, result: RetentionResult, before: date
    ) -> None:
        """Delete turned-away requests for dates before `before`, a batch at a time."""
        result.demand_cutoff = before
        while True:
            forgotten = await workflow.execute_activity(
                forget_old_turned_away,
                DemandCutoff(before=before, limit=inp.batch_size),
                start_to_close_timeout=DATABASE.start_to_close_timeout,
                retry_policy=DATABASE.retry_policy,
            )
            result.turned_away += forgotten
            if forgotten < inp.batch_size:
                break
