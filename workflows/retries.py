"""How every workflow here calls activities: timeouts, retry policies, refusals.

Outages (database down, provider 503) are retried without limit: nothing a caller
sent is dropped. A refusal by the data (a non-retryable ApplicationError from the
activity) is never retried; `refusal_of` turns it into an ApplicationError of the
workflow's own, so it fails the update that asked, not the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError


@dataclass(frozen=True)
class Calling:
    """Timeout and retry policy of one kind of activity."""

    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy


# database work is quick; an outage is retried until it ends
DATABASE = Calling(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1)
    ),
)
# providers (payments, SMTP, Twilio) may be down for a while: keep trying, never drop
PROVIDER = Calling(
    start_to_close_timeout=timedelta(seconds=60),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=10)
    ),
)


def refusal_of(failure: ActivityError) -> ApplicationError | None:
    """The data's refusal behind an activity failure, as the workflow's own error."""
    cause = failure.cause
    if isinstance(cause, ApplicationError) and cause.non_retryable:
        return ApplicationError(cause.message, *cause.details, type=cause.type, non_retryable=True)
    return None
