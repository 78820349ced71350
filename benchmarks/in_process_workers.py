"""Every queue of a `reservations worker --role all` process, run inside a benchmark.

Message sends have their own task queue (worker/roles.py); a benchmark that built one
Worker on the main queue would leave every confirmation unsent.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from temporalio.client import Client
from temporalio.worker import Worker

from reservations.settings import Settings, WorkerRole
from worker import roles
from worker.deps import WorkerDeps
from worker.main import build_worker
from worker.registry import activity_functions, workflow_classes


class InProcessWorkers:
    """The main and the messages queue's workers, run and stopped together."""

    def __init__(self, client: Client, settings: Settings, deps: WorkerDeps) -> None:
        queue = settings.temporal_task_queue
        plans = roles.plan(WorkerRole.ALL, queue, workflow_classes(), activity_functions(deps))
        self._workers: list[Worker] = [build_worker(client, plan, settings) for plan in plans]

    async def run(self) -> None:
        """Poll every queue until shut down."""
        await asyncio.gather(*(worker.run() for worker in self._workers))

    async def shutdown(self) -> None:
        """Stop polling and let running tasks finish."""
        await asyncio.gather(*(worker.shutdown() for worker in self._workers))

    async def __aenter__(self) -> InProcessWorkers:
        for worker in self._workers:
            await worker.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for worker in reversed(self._workers):
            await worker.__aexit__(exc_type, exc, tb)
