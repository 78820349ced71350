"""What the worker runs: the workflow classes and activity functions on the task queue.

The worker and the replay tests read this one list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activities.reservations import ReservationActivities
from worker.deps import WorkerDeps
from workflows.reservation import ReservationWorkflow


def workflow_classes() -> list[type]:
    """Workflow classes the worker runs."""
    return [ReservationWorkflow]


def activity_functions(deps: WorkerDeps) -> list[Callable[..., Any]]:
    """Activity callables bound to `deps` (database, cache, providers)."""
    reservations = ReservationActivities(
        sessions=deps.sessions,
        cache=deps.cache,
        reminder_hours=deps.settings.reminder_hours_before,
    )
    return reservations.all()
