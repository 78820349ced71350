"""How every workflow here calls activities: timeouts, retry policies, refusals.

Outages (database down, provider 503) are retried without limit: nothing a caller
sent is dropped. A refusal by the data (a non-retryable ApplicationError from the
activity) is never retried; `refusal_of` turns it into an ApplicationError of the
workflow's own, so it fails the update that asked, not the workflow.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError


@dataclass(frozen=True)
class Calling:
    """Timeout and retry policy of one kind of activity."""

    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy
    # how long all attempts together may take (None: no limit)
    schedule_to_close_timeout: timedelta | None = None


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


@dataclass(frozen=True)
class AttemptTimeouts:
    """How long one attempt of database or provider work may run before Temporal gives
    it to another worker (a worker killed mid-attempt never reports back).

    A reservation's values come from its input (`LifecyclePolicy`), frozen when the
    booking starts, so a replay always sees the same ones; fault tests shorten them.
    """

    database: timedelta = DATABASE.start_to_close_timeout
    provider: timedelta = PROVIDER.start_to_close_timeout


# webhook subscribers: a short wait first, doubling to an hour, for at most a day; a
# subscriber that is down longer loses the event (and, after a streak, its subscription)
WEBHOOK_FIRST_RETRY = timedelta(seconds=30)
WEBHOOK_LONGEST_WAIT = timedelta(hours=1)
WEBHOOK_MAX_ATTEMPTS = 30  # about what 30 s doubling to 1 h fits in 24 h
WEBHOOK_GIVE_UP_AFTER = timedelta(hours=24)


def webhook_calling(first_retry: timedelta = WEBHOOK_FIRST_RETRY) -> Calling:
    """The webhook delivery policy (tests shorten the first wait; the shape stays)."""
    return Calling(
        start_to_close_timeout=timedelta(seconds=30),
        retry_policy=RetryPolicy(
            initial_interval=first_retry,
            backoff_coefficient=2.0,
            maximum_interval=WEBHOOK_LONGEST_WAIT,
            maximum_attempts=WEBHOOK_MAX_ATTEMPTS,
        ),
        schedule_to_close_timeout=WEBHOOK_GIVE_UP_AFTER,
    )


WEBHOOK = webhook_calling()


def retry_delay(policy: RetryPolicy, attempt: int) -> timedelta | None:
    """The wait after failed attempt `attempt` (1-based), or None when none follows."""
    if policy.maximum_attempts and attempt >= policy.maximum_attempts:
        return None
    delay = policy.initial_interval * (policy.backoff_coefficient ** (attempt - 1))
    if policy.maximum_interval is not None:
        delay = min(delay, policy.maximum_interval)
    return delay


def refusal_of(failure: ActivityError | ApplicationError) -> ApplicationError | None:
    """The data's refusal behind an activity failure, as the workflow's own error.

    A regular activity's failure arrives wrapped in an ActivityError; a local activity's
    non-retryable ApplicationError reaches the workflow as it was raised."""
    cause = failure.cause if isinstance(failure, ActivityError) else failure
    if isinstance(cause, ApplicationError) and cause.non_retryable:
        return ApplicationError(cause.message, *cause.details, type=cause.type, non_retryable=True)
    return None


@contextlib.contextmanager
def refusals_fail_the_update() -> Iterator[None]:
    """Around an activity call in an update: its refusal fails the update, not the workflow."""
    try:
        yield
    except ActivityError as failure:
        refusal = refusal_of(failure)
        if refusal is None:
            raise
        raise refusal from None
