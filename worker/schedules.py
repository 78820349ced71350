"""Temporal Schedules this application keeps: the Google feeds refresh, daily retention and
the sweep of privacy links left unsent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

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

from models.schemas.privacy import RetentionInput
from reservations.settings import Settings
from workflows.google_feeds import GOOGLE_FEEDS_WORKFLOW
from workflows.privacy_message import PRIVACY_SWEEP_WORKFLOW
from workflows.retention import RETENTION_WORKFLOW

log = structlog.get_logger(__name__)
GOOGLE_FEEDS_SCHEDULE = "google-feeds"
RETENTION_SCHEDULE = "guest-retention"
PRIVACY_SWEEP_SCHEDULE = "privacy-link-sweep"


def _every(
    every: timedelta, workflow: str, *, run_id: str, settings: Settings, note: str, arg: Any = None
) -> Schedule:
    """A schedule that starts one `workflow` run every `every` (a late one is skipped)."""
    args = [] if arg is None else [arg]
    return Schedule(
        # by name: mypy (1.x) mis-infers the method-reference overloads of temporalio's
        # client once a no-argument workflow is referenced
        action=ScheduleActionStartWorkflow(
            workflow, args=args, id=run_id, task_queue=settings.temporal_task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(note=note),
    )


def google_feeds_schedule(settings: Settings) -> Schedule:
    """Every GOOGLE_FEEDS_EVERY_MINUTES, one GoogleFeeds run (a late one is skipped)."""
    return _every(
        timedelta(minutes=settings.google_feeds_every_minutes),
        GOOGLE_FEEDS_WORKFLOW,
        run_id="google-feeds-run",
        settings=settings,
        note="Reserve with Google feeds (merchant, service, availability)",
    )


async def ensure_google_feeds_schedule(client: Client, settings: Settings) -> None:
    """Create the schedule, or bring an existing one in line with the settings."""
    await ensure_schedule(client, GOOGLE_FEEDS_SCHEDULE, google_feeds_schedule(settings))


def retention_schedule(settings: Settings) -> Schedule:
    """Once a day, one Retention run with the configured periods (a late one is skipped)."""
    return _every(
        timedelta(days=1),
        RETENTION_WORKFLOW,
        run_id="guest-retention-run",
        settings=settings,
        note="Guest data retention (anonymise the inactive, old messages)",
        arg=RetentionInput(
            guest_months=settings.retention_guest_months,
            message_body_months=settings.retention_message_body_months,
            demand_months=settings.retention_demand_months,
            batch_size=settings.retention_batch_size,
        ),
    )


async def ensure_schedule(client: Client, schedule_id: str, schedule: Schedule) -> None:
    """Create the schedule, or bring an existing one in line with `schedule`."""
    try:
        await client.create_schedule(schedule_id, schedule)
        log.info("schedule.created", schedule=schedule_id)
    except ScheduleAlreadyRunningError:

        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(update)


async def ensure_retention_schedule(client: Client, settings: Settings) -> None:
    """Create or update the daily retention schedule."""
    await ensure_schedule(client, RETENTION_SCHEDULE, retention_schedule(settings))


def privacy_sweep_schedule(settings: Settings) -> Schedule:
    """Every PRIVACY_LINK_SWEEP_MINUTES, one PrivacyLinkSweep run (a late one is skipped)."""
    return _every(
        timedelta(minutes=settings.privacy_link_sweep_minutes),
        PRIVACY_SWEEP_WORKFLOW,
        run_id="privacy-link-sweep-run",
        settings=settings,
        note="Send privacy links whose request could not reach Temporal",
    )


async def ensure_privacy_sweep_schedule(client: Client, settings: Settings) -> None:
    """Create or update the privacy-link sweep schedule."""
    await ensure_schedule(client, PRIVACY_SWEEP_SCHEDULE, privacy_sweep_schedule(settings))
