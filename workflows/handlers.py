"""The lock-and-inbox pattern every workflow here is built on.

- Update handlers that await do so under one `asyncio.Lock`, so two staff actions
  never interleave half-way.
- Signals do no work: they append to an inbox (de-duplicated by the sender's event
  id) and wake the main loop, which handles the inbox under the same lock.
- Slow side effects (money, message sends) run as background tasks beside the main
  loop, never under the lock.
- A workflow finishes only when no handler holds the lock, no background task runs
  and every handler has returned (`workflow.all_handlers_finished`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from temporalio import workflow

T = TypeVar("T")


@dataclass
class Step:
    """The next thing a workflow waits for: an instant (None: now) and what to do then."""

    at: datetime | None
    action: Callable[[], Awaitable[None]] | None


IDLE = Step(None, None)


def earliest(steps: list[Step]) -> Step:
    """The timed step due first (the first listed on a tie; IDLE when none is timed)."""
    timed = [(s.at, i, s) for i, s in enumerate(steps) if s.at is not None]
    return min(timed)[2] if timed else IDLE


class Inbox(Generic[T]):
    """Signalled items waiting for the main loop, first in first out."""

    def __init__(self) -> None:
        self._items: list[T] = []

    def put(self, item: T) -> None:
        """Add one item at the end."""
        self._items.append(item)

    def put_all(self, items: list[T]) -> None:
        """Add items at the end, in order."""
        self._items.extend(items)

    def take(self) -> T:
        """Take the first item."""
        return self._items.pop(0)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)


class Serialised:
    """One workflow's lock, seen-event ids, background tasks and wake-up flag."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self._seen: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._woken = False

    def first_time(self, event_id: str) -> bool:
        """True the first time an event id is seen (providers redeliver)."""
        if event_id in self._seen:
            return False
        self._seen.add(event_id)
        return True

    @property
    def seen_count(self) -> int:
        """How many distinct event ids were seen."""
        return len(self._seen)

    def wake(self) -> None:
        """Make the main loop look again at what it waits for."""
        self._woken = True

    def beside(self, work: Coroutine[Any, Any, None]) -> None:
        """Run work beside the main loop (it must take the lock itself to change state)."""
        self._tasks.append(asyncio.create_task(work))

    def busy(self) -> bool:
        """A handler is mid-way, or background work is still running."""
        return self.lock.locked() or any(not task.done() for task in self._tasks)

    async def drive(self, next_step: Callable[[], Step], finished: Callable[[], bool]) -> None:
        """Run due steps under the lock and sleep until the next, until `finished()`.

        Returns only once every handler has returned as well, so nothing a handler
        started is abandoned.
        """
        while True:
            while not finished():
                step = next_step()
                if step.action is not None and (step.at is None or step.at <= workflow.now()):
                    async with self.lock:
                        again = next_step()  # a handler may have changed course meanwhile
                        if again.action is not None and (
                            again.at is None or again.at <= workflow.now()
                        ):
                            await again.action()
                    continue
                self._woken = False
                timeout = (step.at - workflow.now()) if step.at is not None else None
                # on timeout the loop looks again: the deadline has come
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(lambda: self._woken, timeout=timeout)
            await workflow.wait_condition(workflow.all_handlers_finished)
            if finished():  # a last handler may have left work behind
                return
