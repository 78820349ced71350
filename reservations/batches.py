"""One run of a read for every caller that asked before the run began.

A crowd asking the same question at once (a release rush asking "is 19:00 full?")
needs one answer, not a thousand. A caller joins the next run of its key that has
not started yet; a run starts only when the one before it for that key has ended,
so every answer a caller gets was read after it asked. That keeps a shared answer
as fresh as one read of the caller's own, unlike a memo of an earlier answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Item = TypeVar("Item")
Answer = TypeVar("Answer")

Work = Callable[[list[Item]], Awaitable[list[Answer]]]


class _Run(Generic[Item, Answer]):
    """The callers' items of one run, and the task that answers them, in order."""

    def __init__(self, work: Work[Item, Answer]) -> None:
        self.work = work
        self.items: list[Item] = []
        self.task: asyncio.Task[list[Answer]] | None = None


class Batches(Generic[Key, Item, Answer]):
    """Runs of a read per key: each answers the callers that joined before it began."""

    def __init__(self) -> None:
        self._open: dict[Key, _Run[Item, Answer]] = {}  # not begun: callers may join
        self._running: dict[Key, asyncio.Task[list[Answer]]] = {}

    async def ask(self, key: Key, item: Item, work: Work[Item, Answer]) -> Answer:
        """This caller's answer from the next run of `key` to begin.

        `work` gets the run's items in the order they joined and returns one answer
        per item; the first caller of a run gives the work that run does. An error of
        the run reaches every caller of it. A caller that is cancelled leaves the run
        going for the others.
        """
        run = self._open.get(key)
        if run is not None and not _usable(run.task):
            run = None  # left behind by an event loop that has ended: start afresh
        if run is None:
            run = _Run(work)
            self._open[key] = run
            run.task = asyncio.create_task(self._begin(key, run))
        index = len(run.items)
        run.items.append(item)
        assert run.task is not None
        answers = await asyncio.shield(run.task)
        return answers[index]

    async def _begin(self, key: Key, run: _Run[Item, Answer]) -> list[Answer]:
        before = self._running.get(key)
        if before is not None and _usable(before):
            await asyncio.wait({before})  # its outcome is its own callers'
        # closed from here on: a caller arriving now joins a run that begins later
        del self._open[key]
        this = run.task
        assert this is not None
        self._running[key] = this
        try:
            answers = await run.work(run.items)
        finally:
            if self._running.get(key) is this:
                del self._running[key]
        if len(answers) != len(run.items):
            raise RuntimeError(f"{len(answers)} answers for {len(run.items)} callers")
        return answers

    def __len__(self) -> int:
        """Keys with a run open or going (none once the crowd has its answers)."""
        return len(self._open.keys() | self._running.keys())


def _usable(task: asyncio.Task[Any] | None) -> bool:
    """A task of this event loop (one of an ended loop will never finish)."""
    return task is not None and task.get_loop() is asyncio.get_running_loop()
