"""The worker process: runs the role's workflows and activities until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import signal
import time
from datetime import timedelta

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from reservations.settings import Settings, WorkerRole
from reservations.tracing import Tracing, tracing_from_settings
from worker import registry, roles
from worker.activity_observer import ActivityObserver
from worker.deps import WorkerDeps
from worker.metrics_server import WorkerMetrics, start_worker_metrics
from worker.sandbox import workflow_runner
from worker.schedules import (
    ensure_google_feeds_schedule,
    ensure_privacy_sweep_schedule,
    ensure_retention_schedule,
)
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


async def run_worker(settings: Settings, *, role: WorkerRole | None = None) -> None:
    """Poll the role's task queues until SIGINT or SIGTERM, then shut down cleanly.

    `role` overrides WORKER_ROLE. With nothing registered yet, log why and return
    (exit 0) rather than fail.
    """
    role = role or settings.worker_role
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
        plans = roles.plan(role, settings.temporal_task_queue, workflows, activities)
        # the SDK's metrics runtime must exist before the client connects
        address = settings.worker_metrics_address
        metrics = start_worker_metrics(*address) if address else WorkerMetrics(runtime=None)
        tracing = tracing_from_settings(settings, service="reservations-worker")
        tracing.trace_sql(deps.engine)
        try:
            await _serve(settings, role, plans, metrics, tracing)
        finally:
            tracing.shutdown()
            metrics.close()
    finally:
        await deps.aclose()


def build_worker(client: Client, plan: roles.QueuePlan, settings: Settings) -> Worker:
    """The one place a Worker is built, for every queue of every role."""
    return Worker(
        client,
        task_queue=plan.task_queue,
        workflows=plan.workflows,
        activities=plan.activities,
        interceptors=[ActivityObserver()],
        workflow_runner=workflow_runner(sandboxed=settings.workflow_sandbox),
        max_cached_workflows=settings.worker_max_cached_workflows,
        graceful_shutdown_timeout=timedelta(seconds=settings.worker_graceful_shutdown_seconds),
        # None (the default) keeps an unversioned worker
        deployment_config=deployment_config(settings),
    )


async def _serve(
    settings: Settings,
    role: WorkerRole,
    plans: list[roles.QueuePlan],
    metrics: WorkerMetrics,
    tracing: Tracing,
) -> None:
    """Connect, keep the schedules (where workflows run), and poll until signalled."""
    client = await connect_with_retry(settings, metrics=metrics, tracing=tracing)
    if role is not WorkerRole.MESSAGES:
        if settings.google_feeds_schedule:
            await ensure_google_feeds_schedule(client, settings)
        if settings.retention_schedule:
            await ensure_retention_schedule(client, settings)
        if settings.privacy_link_sweep_minutes:
            await ensure_privacy_sweep_schedule(client, settings)
    workers = [build_worker(client, plan, settings) for plan in plans]
    # keep start-up's objects (modules, classes, the validated workflow definitions) out
    # of every later full collection: one walked ~350,000 of them (270-340 ms on a slow
    # box, about once a minute of steady booking), 62 ms after (benchmarks/README.md)
    gc.collect()
    gc.freeze()
    log.info(
        "worker.started",
        role=role,
        task_queues=[plan.task_queue for plan in plans],
        namespace=settings.temporal_namespace,
        address=temporal_address(settings),
        workflows=sum(len(plan.workflows) for plan in plans),
        activities=sum(len(plan.activities) for plan in plans),
    )
    await _run_until_signalled(workers)
    log.info("worker.stopped")


async def _run_until_signalled(workers: list[Worker]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    running = [
        asyncio.create_task(worker.run(), name=f"temporal-worker-{worker.task_queue}")
        for worker in workers
    ]
    stopping = asyncio.create_task(stop.wait(), name="stop-signal")
    try:
        await asyncio.wait({*running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        failed = [task for task in running if task.done()]
        if failed:
            # a worker failed on its own (a fatal poll error): stop the others, then crash
            await asyncio.gather(*(w.shutdown() for w in workers if not w.is_shutdown))
            await asyncio.gather(*running, return_exceptions=True)
            await failed[0]
            return
        log.info("worker.stopping")
        await asyncio.gather(*(worker.shutdown() for worker in workers))
        await asyncio.gather(*running)
    finally:
        stopping.cancel()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
