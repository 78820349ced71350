"""The worker process: runs the registered workflows and activities until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable
from typing import Any

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from reservations.settings import Settings
from reservations.tracing import Tracing, tracing_from_settings
from worker import registry
from worker.activity_observer import ActivityObserver
from worker.deps import WorkerDeps
from worker.metrics_server import WorkerMetrics, start_worker_metrics
from worker.schedules import ensure_google_feeds_schedule, ensure_retention_schedule
from worker.temporal import TemporalUnavailable, connect, temporal_address
from worker.versioning import deployment_config

log = structlog.get_logger(__name__)

CONNECT_TIMEOUT_SECONDS = 60.0


async def connect_with_retry(
    settings: Settings,
    *,
    give_up_after: float = CONNECT_TIMEOUT_SECONDS,
    metrics: WorkerMetrics | None = None,
    tracing: Tracing | None = None,
) -> Client:
    """Connect, retrying for `give_up_after` seconds: Temporal often starts after the worker."""
    deadline = time.monotonic() + give_up_after
    runtime = metrics.runtime if metrics is not None else None
    interceptors = tracing.client_interceptors() if tracing is not None else []
    while True:
        try:
            return await connect(settings, runtime=runtime, interceptors=interceptors)
        except TemporalUnavailable as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("worker.temporal_unavailable", error=str(exc), retry_in_seconds=2)
            await asyncio.sleep(2)


async def run_worker(settings: Settings) -> None:
    """Poll the task queue until SIGINT or SIGTERM, then shut down cleanly.

    With nothing registered yet, log why and return (exit 0) rather than fail.
    """
    workflows = registry.workflow_classes()
    deps = WorkerDeps.from_settings(settings)
    try:
        activities = registry.activity_functions(deps)
        if not workflows and not activities:
            log.warning(
                "worker.nothing_registered",
                detail="worker/registry.py lists no workflows or activities yet; nothing to run",
            )
            return
        # the SDK's metrics runtime must exist before the client connects
        address = settings.worker_metrics_address
        metrics = start_worker_metrics(*address) if address else WorkerMetrics(runtime=None)
        tracing = tracing_from_settings(settings, service="reservations-worker")
        tracing.trace_sql(deps.engine)
        try:
            await _serve(settings, deps, workflows, activities, metrics, tracing)
        finally:
            tracing.shutdown()
            metrics.close()
    finally:
        await deps.aclose()


async def _serve(
    settings: Settings,
    deps: WorkerDeps,
    workflows: list[type],
    activities: list[Callable[..., Any]],
    metrics: WorkerMetrics,
    tracing: Tracing,
) -> None:
    """Connect, keep the schedules, and poll until signalled."""
    client = await connect_with_retry(settings, metrics=metrics, tracing=tracing)
    if settings.google_feeds_schedule:
        await ensure_google_feeds_schedule(client, settings)
    if settings.retention_schedule:
        await ensure_retention_schedule(client, settings)
    worker = Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=workflows,
        activities=activities,
        interceptors=[ActivityObserver()],
        # None (the default) keeps an unversioned worker
        deployment_config=deployment_config(settings),
    )
    log.info(
        "worker.started",
        task_queue=settings.temporal_task_queue,
        namespace=settings.temporal_namespace,
        address=temporal_address(settings),
        workflows=len(workflows),
        activities=len(activities),
    )
    await _run_until_signalled(worker)
    log.info("worker.stopped")


async def _run_until_signalled(worker: Worker) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    running = asyncio.create_task(worker.run(), name="temporal-worker")
    stopping = asyncio.create_task(stop.wait(), name="stop-signal")
    try:
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            # the worker failed on its own (a fatal poll error); surface it as a crash
            await running
            return
        log.info("worker.stopping")
        await worker.shutdown()
        await running
    finally:
        stopping.cancel()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
