"""A worker interceptor that times every activity attempt and names it in the logs.

Each attempt is observed in `reservations_activity_seconds` by activity name, a raised
attempt counted in `reservations_activity_failures_total`, and while it runs every log
line carries the workflow id, the activity name and (when known) the reservation id.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from reservations.metrics import ACTIVITY_FAILURES, ACTIVITY_SECONDS

RESERVATION_WORKFLOW_PREFIX = "reservation-"


class ActivityObserver(Interceptor):
    """Install with `Worker(..., interceptors=[ActivityObserver()])`."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        """Wrap the activity inbound chain."""
        return _Observed(next)


class _Observed(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        name = info.activity_type
        ids: dict[str, str] = {"activity": name, "attempt": str(info.attempt)}
        if info.workflow_id:
            ids["workflow_id"] = info.workflow_id
        reservation = reservation_id_of(info.workflow_id, input.args)
        if reservation is not None:
            ids["reservation_id"] = reservation
        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(**ids):
            try:
                return await super().execute_activity(input)
            except BaseException as exc:
                error = exc.type if isinstance(exc, ApplicationError) else None
                ACTIVITY_FAILURES.labels(name, error or type(exc).__name__).inc()
                raise
            finally:
                ACTIVITY_SECONDS.labels(name).observe(time.perf_counter() - started)


def reservation_id_of(workflow_id: str | None, args: Sequence[Any]) -> str | None:
    """The reservation an activity works for: from its workflow's id, else from its input."""
    if workflow_id and workflow_id.startswith(RESERVATION_WORKFLOW_PREFIX):
        candidate = workflow_id.removeprefix(RESERVATION_WORKFLOW_PREFIX)
        if _is_uuid(candidate):
            return candidate
    for arg in args[:1]:
        value = getattr(arg, "reservation_id", None)
        if isinstance(value, uuid.UUID):
            return str(value)
    return None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
