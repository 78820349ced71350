"""GoogleFeeds: regenerate Reserve with Google's feed files, run by a Temporal Schedule.

`worker.schedules.ensure_google_feeds_schedule` creates the schedule (every
GOOGLE_FEEDS_EVERY_MINUTES); each run calls one activity that writes the files.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@activity.defn(name="write_google_feeds")
async def write_google_feeds() -> int:
    """Write the three feeds from the database; the number of availability entries."""
    raise NotImplementedError("an activity contract: the worker registers the implementation")


GOOGLE_FEEDS_WORKFLOW = "GoogleFeeds"


@workflow.defn(name=GOOGLE_FEEDS_WORKFLOW)
class GoogleFeedsWorkflow:
    """One refresh of the feeds."""

    @workflow.run
    async def run(self) -> int:
        """The number of availability entries written."""
        return await workflow.execute_activity(
            write_google_feeds,
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=5),
                maximum_interval=timedelta(minutes=5),
                maximum_attempts=5,  # the next scheduled run tries again anyway
            ),
        )
