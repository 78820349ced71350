"""Worker roles: which task queues a worker process polls, and with which activities.

Message sends (a provider call that may be slow or down) run on their own task
queue, `<task queue>-messages`, so a burst of confirmation emails never queues in
front of the next booking's hold. `all` polls both queues in one process (dev, small
installs); production runs a `bookings` and a `messages` worker apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity

from reservations.settings import WorkerRole

MESSAGES_SUFFIX = "-messages"
# activities that hand a message to a provider (workflows schedule them on the messages queue)
MESSAGE_SENDS = frozenset({"send_notification"})


def messages_task_queue(task_queue: str) -> str:
    """The queue message sends of workflows on `task_queue` go to (workflows/outbox.py)."""
    return f"{task_queue}{MESSAGES_SUFFIX}"


def activity_name(fn: Callable[..., Any]) -> str:
    """The registered name of an activity callable."""
    defn = activity._Definition.from_callable(fn)
    if defn is None or defn.name is None:
        raise ValueError(f"{fn!r} is not an activity")
    return defn.name


@dataclass(frozen=True)
class QueuePlan:
    """One Worker to build: its task queue, workflows and activities."""

    task_queue: str
    workflows: list[type] = field(default_factory=list)
    activities: list[Callable[..., Any]] = field(default_factory=list)


def plan(
    role: WorkerRole,
    task_queue: str,
    workflows: list[type],
    activities: list[Callable[..., Any]],
) -> list[QueuePlan]:
    """The workers a process of `role` runs on `task_queue` (and its messages queue).

    A `bookings` worker keeps the sends registered on the main queue too: a send
    scheduled there before message sends moved (a workflow mid-retry across the
    upgrade) still finds a worker; nothing new is scheduled there.
    """
    sends = [fn for fn in activities if activity_name(fn) in MESSAGE_SENDS]
    main = QueuePlan(task_queue, workflows, activities)
    messages = QueuePlan(messages_task_queue(task_queue), [], sends)
    if role is WorkerRole.BOOKINGS:
        return [main]
    if role is WorkerRole.MESSAGES:
        return [messages]
    return [main, messages]
