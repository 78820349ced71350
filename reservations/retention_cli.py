"""What `reservations privacy retention` does: a dry run from the database, or a real run
through the RetentionWorkflow (the same workflow the daily schedule starts)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from models.schemas.privacy import LISTED_IDS, RetentionInput, RetentionResult
from reservations.db import command_sessions
from reservations.settings import Settings
from services.crm import retention
from services.crm.months import months_before


def retention_input(settings: Settings, *, dry_run: bool) -> RetentionInput:
    """The run the settings describe."""
    return RetentionInput(
        dry_run=dry_run,
        guest_months=settings.retention_guest_months,
        message_body_months=settings.retention_message_body_months,
        demand_months=settings.retention_demand_months,
        batch_size=settings.retention_batch_size,
    )


async def dry_run(settings: Settings, *, now: datetime | None = None) -> RetentionResult:
    """What a retention run would do now, read from the database; nothing is changed."""
    inp = retention_input(settings, dry_run=True)
    now = now or datetime.now(UTC)
    demand_cutoff = months_before(now, inp.demand_months).date()
    result = RetentionResult(
        dry_run=True,
        guest_cutoff=months_before(now, inp.guest_months),
        message_cutoff=months_before(now, inp.message_body_months),
        demand_cutoff=demand_cutoff,
    )
    async with command_sessions(settings) as sessions, sessions() as session:
        after: uuid.UUID | None = None
        while True:
            page = await retention.inactive_guests(
                session, cutoff=result.guest_cutoff, now=now, after=after, limit=inp.batch_size
            )
            result.guests += len(page)
            result.guest_ids.extend(page[: max(0, LISTED_IDS - len(result.guest_ids))])
            if len(page) < inp.batch_size:
                break
            after = page[-1]
        result.message_bodies = await retention.old_message_count(
            session, cutoff=result.message_cutoff
        )
        result.turned_away = await retention.old_turned_away_count(session, before=demand_cutoff)
    return result


async def run_now(settings: Settings) -> RetentionResult:
    """Start a RetentionWorkflow on the worker's task queue and wait for its result."""
    from worker.temporal import connect
    from workflows.retention import RetentionWorkflow

    client = await connect(settings)
    return await client.execute_workflow(
        RetentionWorkflow.run,
        retention_input(settings, dry_run=False),
        id=f"guest-retention-manual-{uuid.uuid4()}",
        task_queue=settings.temporal_task_queue,
    )


def report(result: RetentionResult) -> list[str]:
    """The lines the command prints: counts first, then guest ids (no personal data)."""
    verb = "would anonymise" if result.dry_run else "anonymised"
    cleared = "would clear" if result.dry_run else "cleared"
    lines = [
        f"{verb} {result.guests} guests inactive since {result.guest_cutoff.date().isoformat()}",
        f"{cleared} {result.message_bodies} message bodies older than "
        f"{result.message_cutoff.date().isoformat()}",
    ]
    if result.demand_cutoff is not None:
        deleted = "would delete" if result.dry_run else "deleted"
        lines.append(
            f"{deleted} {result.turned_away} turned-away requests for dates before "
            f"{result.demand_cutoff.isoformat()}"
        )
    lines += [f"guest {guest_id}" for guest_id in result.guest_ids]
    return lines
