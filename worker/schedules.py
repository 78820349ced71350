"""Temporal Schedules this application keeps: the Google feeds refresh."""

from __future__ import annotations

from datetime import timedelta

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from reservations.settings import Settings
from workflows.google_feeds import GOOGLE_FEEDS_WORKFLOW

log = structlog.get_logger(__name__)
GOOGLE_FEEDS_SCHEDULE = "google-feeds"


def google_feeds_schedule(settings: Settings) -> Schedule:
    """Every GOOGLE_FEEDS_EVERY_MINUTES, one GoogleFeeds run (a late one is skipped)."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            # by name: mypy (1.x) mis-infers the method-reference overloads of
            # temporalio's client once a no-argument workflow is referenced
            GOOGLE_FEEDS_WORKFLOW,
            id="google-feeds-run",
            task_queue=settings.temporal_task_queue,
        ),
        spec=ScheduleSpec(
            intervals=[
                ScheduleIntervalSpec(every=timedelta(minutes=settings.google_feeds_every_minutes))
            ]
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(note="Reserve with Google feeds (merchant, service, availability)"),
    )


async def ensure_google_feeds_schedule(client: Client, settings: Settings) -> None:
    """Create the schedule, or bring an existing one in line with the settings."""
    schedule = google_feeds_schedule(settings)
    try:
        await client.create_schedule(GOOGLE_FEEDS_SCHEDULE, schedule)
        log.info("schedule.created", schedule=GOOGLE_FEEDS_SCHEDULE)
    except ScheduleAlreadyRunningError:

        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(GOOGLE_FEEDS_SCHEDULE).update(update)
