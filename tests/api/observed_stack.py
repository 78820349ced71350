"""The API and a worker wired as the real processes wire them: tracing and metrics on.

`live_api` hands the dev server's plain client to both; here the API's client carries
the tracing interceptor, the worker's client the Prometheus runtime (when asked) and
the tracing interceptor, and the workers are built by `build_worker`, as `run_worker` does.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from models.enums import NotificationStatus, StaffRole
from models.orm import Notification
from reservations.cache import MemoryCache
from reservations.settings import WorkerRole
from reservations.tracing import Tracing
from tests.api.conftest import eventually
from tests.conftest import Api, Database, test_settings
from worker import roles
from worker.deps import WorkerDeps
from worker.main import build_worker
from worker.registry import activity_functions, workflow_classes


@dataclass
class ObservedStack(Api):
    task_queue: str = ""

    async def admin(self) -> dict[str, str]:
        """Auth headers of a new admin."""
        return await self.token_for(StaffRole.ADMIN)


@contextlib.asynccontextmanager
async def observed_stack(
    db: Database,
    dev_server: WorkflowEnvironment,
    *,
    tracing: Tracing | None = None,
    runtime: Runtime | None = None,
    **overrides: object,
) -> AsyncIterator[ObservedStack]:
    """The API over ASGI and a worker on their own task queue, observed like production."""
    tracing = tracing or Tracing()
    queue = f"obs-{uuid.uuid4().hex[:10]}"
    settings = test_settings(db.url, temporal_task_queue=queue, **overrides)
    target = dev_server.client.service_client.config.target_host
    api_client = await Client.connect(
        target,
        data_converter=pydantic_data_converter,
        interceptors=tracing.client_interceptors(),
    )
    worker_client = await Client.connect(
        target,
        data_converter=pydantic_data_converter,
        interceptors=tracing.client_interceptors(),
        runtime=runtime,
    )
    cache = MemoryCache()
    app = create_app(
        settings, engine=db.engine, cache=cache, temporal_client=api_client, tracing=tracing
    )
    deps = WorkerDeps(settings=settings, engine=db.engine, sessions=db.sessions, cache=cache)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
            AsyncExitStack() as workers,
        ):
            for plan in roles.plan(
                WorkerRole.ALL, queue, workflow_classes(), activity_functions(deps)
            ):
                await workers.enter_async_context(build_worker(worker_client, plan, settings))
            yield ObservedStack(client=client, db=db, task_queue=queue)


async def wait_for_outbox(stack: Api, reservation_id: str) -> None:
    """Until every message of the reservation has left the outbox (sent or refused)."""

    async def sent() -> bool:
        async with stack.db.sessions() as session:
            statuses = list(
                await session.scalars(
                    select(Notification.status).where(
                        Notification.reservation_id == uuid.UUID(reservation_id)
                    )
                )
            )
        return bool(statuses) and all(s is not NotificationStatus.QUEUED for s in statuses)

    await eventually(sent, "the confirmation email left the outbox")
