"""The production worker's runners (worker/sandbox.py) run every workflow type.

The other workflow tests use the SDK's default sandbox, which checks determinism;
this one replays today's kept histories with the worker's runners (unsandboxed, its
default, and the pass-through sandbox of `WORKFLOW_SANDBOX=true`), so a module that
cannot be shared between runs fails here rather than on the worker.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

import workflows
from reservations.settings import Settings
from tests.workflows.release_histories import current_histories
from worker.registry import workflow_classes
from worker.sandbox import PASSED_THROUGH, workflow_runner


def passed_through(module: str) -> bool:
    """As the sandbox reads the list: a package passes its submodules through."""
    return any(module == p or module.startswith(f"{p}.") for p in PASSED_THROUGH)


def test_every_workflow_module_is_passed_through() -> None:
    # a module left out is re-imported (and compiled) for every new run
    modules = {f"workflows.{m.name}" for m in pkgutil.iter_modules(workflows.__path__)}
    assert all(passed_through(m) for m in modules)
    assert all(passed_through(cls.__module__) for cls in workflow_classes())


def test_the_worker_runs_unsandboxed_unless_configured() -> None:
    assert not Settings.model_fields["workflow_sandbox"].default
    assert isinstance(workflow_runner(), UnsandboxedWorkflowRunner)
    assert isinstance(workflow_runner(sandboxed=True), SandboxedWorkflowRunner)


@pytest.mark.parametrize("sandboxed", [False, True], ids=["unsandboxed", "sandboxed"])
@pytest.mark.parametrize("path", current_histories(), ids=lambda p: p.stem)
async def test_history_replays_in_the_worker_runners(path: Path, sandboxed: bool) -> None:
    history = WorkflowHistory.from_json(f"worker-runner-{path.stem}", path.read_text())
    replayer = Replayer(
        workflows=workflow_classes(),
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(sandboxed=sandboxed),
    )
    await replayer.replay_workflow(history)
