"""The workflow sandbox the worker runs workflows in: the SDK's, minus per-run re-imports.

The sandbox re-imports every module a workflow file imports, for each new workflow
run, unless the module is passed through. A booking starts a new run, so each
booking paid for compiling and executing our workflow helper modules again (the
first workflow task of a booking fell from 170 to 38 ms without it; see
benchmarks/README.md, 2026-11-27, issue 14 items 2-3). These modules
are deterministic and hold no mutable module state (constants and classes only), so
sharing one import between runs changes nothing a workflow can observe.

The workflow entry modules themselves (workflows/reservation.py, waitlist.py, ...)
stay sandboxed and restricted. The full, unchanged sandbox still runs every workflow
in the time-skipping tests and the replay tests (tests/workflows), so a call such as
`datetime.now()` added to a helper is still caught there.
"""

from __future__ import annotations

from temporalio.worker import WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# deterministic modules shared between workflow runs (constants, classes, pure functions)
PASSED_THROUGH = (
    "models",
    "rules",
    "workflows.activity_contracts",
    "workflows.handlers",
    "workflows.lifecycle",
    "workflows.money",
    "workflows.outbox",
    "workflows.retries",
    "workflows.search_attributes",
    "workflows.waitlist_contracts",
    "workflows.webhook_contracts",
    "workflows.marketing_contracts",
    "workflows.privacy_contracts",
)


def workflow_runner() -> WorkflowRunner:
    """The sandbox with our deterministic modules passed through."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    return SandboxedWorkflowRunner(restrictions=restrictions)
