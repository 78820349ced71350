"""How the worker runs workflow code: without the SDK's sandbox unless asked for it.

The SDK's sandbox re-imports every module a workflow file imports, for each new
workflow run, unless the module is passed through. A booking starts a new run, so
the worker passes our deterministic packages through (`PASSED_THROUGH`): the first
workflow task of a booking fell from 170 to 38 ms (benchmarks/README.md, 2026-11-27,
issue 14 items 2-3). These modules hold constants, TypeVars, classes and pure
functions; a run's state lives on its own workflow instance and no workflow class
has a mutable class attribute. Keep it so: module- or class-level state here would
be shared by every run on a worker.

Passed through, our modules import the real `datetime`, `uuid` and `random`, so the
sandbox's run-time restrictions no longer reach a line of our workflow code. What the
sandbox still cost was its own plumbing: an `exec` of a fresh code string for every
activation and for every payload of it, six times over (the SDK asks the sandboxed
instance for each payload's serialization context when it decodes and encodes).
Without it the bookings worker spends 5-7% less CPU per booking (benchmarks/README.md,
2026-11-28, 20:30 UTC). So the worker runs workflows unsandboxed by default;
`WORKFLOW_SANDBOX=true` brings the pass-through sandbox back.

Determinism is still checked where the sandbox can see our code: the time-skipping
workflow tests run every workflow in the SDK's default, fully restricted sandbox
(tests/workflows/conftest.py), the replay tests replay every kept history in it, and
tests/workflows/test_worker_sandbox.py replays them with both production runners.
In production, Temporal compares every replayed command with the history.
"""

from __future__ import annotations

from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# deterministic packages shared between workflow runs (constants, classes, pure
# functions); a package passes its submodules through, so a new workflow module is too
PASSED_THROUGH = ("models", "rules", "workflows")


def workflow_runner(*, sandboxed: bool = False) -> WorkflowRunner:
    """The production runner: unsandboxed, or the sandbox with our modules passed through."""
    if not sandboxed:
        return UnsandboxedWorkflowRunner()
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    return SandboxedWorkflowRunner(restrictions=restrictions)
