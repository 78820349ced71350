"""The pool and cache sizes (and the stop grace) operators set reach the API's and the worker's processes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.pool import QueuePool
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from reservations.cache import MemoryCache
from reservations.settings import WorkerRole
from tests.conftest import Database
from tests.conftest import test_settings as settings_for
from worker import roles
from worker.deps import WorkerDeps
from worker.main import build_worker
from worker.registry import activity_functions, workflow_classes


def sizes_of(pool: object) -> tuple[int, int]:
    assert isinstance(pool, QueuePool)
    # SQLAlchemy shows the overflow ceiling only as this attribute
    return pool.size(), pool._max_overflow


async def test_the_api_and_the_worker_open_the_pools_the_settings_ask_for(
    pg_db: Database,
) -> None:
    settings = settings_for(pg_db.url, database_pool_size=3, database_max_overflow=4)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        assert sizes_of(app.state.engine.pool) == (3, 4)
    deps = WorkerDeps.from_settings(settings)
    try:
        assert sizes_of(deps.engine.pool) == (3, 4)
    finally:
        await deps.aclose()


async def test_the_defaults_keep_ten_and_twenty(pg_db: Database) -> None:
    deps = WorkerDeps.from_settings(settings_for(pg_db.url))
    try:
        assert sizes_of(deps.engine.pool) == (10, 20)
    finally:
        await deps.aclose()


async def test_sqlite_ignores_the_pool_sizes(tmp_path: object) -> None:
    settings = settings_for(
        f"sqlite+aiosqlite:///{tmp_path}/sizes.db", database_pool_size=3, database_max_overflow=0
    )
    deps = WorkerDeps.from_settings(settings)
    await deps.aclose()  # built without a pool-size error


async def test_a_worker_keeps_as_many_workflows_as_the_setting_says(
    dev_server: WorkflowEnvironment, pg_db: Database
) -> None:
    settings = settings_for(
        pg_db.url, worker_max_cached_workflows=7, worker_graceful_shutdown_seconds=9
    )
    deps = WorkerDeps(
        settings=settings, engine=pg_db.engine, sessions=pg_db.sessions, cache=MemoryCache()
    )
    plans = roles.plan(
        WorkerRole.ALL, f"sizes-{uuid.uuid4()}", workflow_classes(), activity_functions(deps)
    )
    for plan in plans:
        worker = build_worker(dev_server.client, plan, settings)
        assert worker.config()["max_cached_workflows"] == 7
        assert worker.config()["graceful_shutdown_timeout"] == timedelta(seconds=9)
