"""The workflow sandbox the worker runs workflows in: the SDK's, minus per-run re-imports.

The sandbox re-imports every module a workflow file imports, for each new workflow
run, unless the module is passed through. A booking starts a new run, so each
booking paid for compiling and executing our workflow helper modules again (the
first workflow task of a booking fell from 170 to 38 ms without it; see
benchmarks/README.md, 2026-11-27, issue 14 items 2-3). These modules
are deterministic and hold no mutable module state (constants and classes only), so
sharing one import between runs changes nothing a workflow can observe.

The workflow entry modules (workflows/reservation.py, waitlist.py, ...) are passed
through too: the sandbox imported (and, with PYTHONDONTWRITEBYTECODE, compiled)
workflows/reservation.py for each run. Replaying a confirmed booking's history cost
15 ms of CPU per run, 9.4 ms with it passed through, 6.8 unsandboxed
(benchmarks/README.md, 2026-11-28). It is safe for the same reason: the entry
modules hold constants, TypeVars and the workflow classes; a run's state lives on
its own workflow instance and no workflow class has a mutable class attribute. Keep
it so: module- or class-level state here would be shared by every run on a worker.

What a passed-through module gives up is the sandbox's run-time restriction checks
(a `datetime.now()` in it would not be refused by the production worker). The full,
unchanged sandbox still runs every workflow in the time-skipping tests and the replay
tests (tests/workflows, tests/partners), so such a call is caught there, and
Temporal still compares every replayed command with the history in production.
"""

from __future__ import annotations

from temporalio.worker import WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# deterministic packages shared between workflow runs (constants, classes, pure
# functions); a package passes its submodules through, so a new workflow module is too
PASSED_THROUGH = ("models", "rules", "workflows")


def workflow_runner() -> WorkflowRunner:
    """The sandbox with our deterministic modules passed through."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    return SandboxedWorkflowRunner(restrictions=restrictions)
