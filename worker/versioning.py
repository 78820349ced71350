"""Worker Versioning: which deployment version (build) this worker is, and making one current.

Off by default (an unversioned worker, as before). With `WORKER_DEPLOYMENT_NAME` and
`WORKER_BUILD_ID` set, the worker polls as one version of a worker deployment: the
server sends it only the workflows routed to that version. A workflow started while
a version is current stays on it when `WORKER_VERSIONING_BEHAVIOR=pinned`, so a
large change ships as a new build while old reservations finish on the old code.
See docs/operations/evolving-workflows.md.
"""

from __future__ import annotations

import asyncio
import time

from temporalio.api.enums.v1 import RoutingConfigUpdateState
from temporalio.api.workflowservice.v1 import (
    DescribeWorkerDeploymentRequest,
    SetWorkerDeploymentCurrentVersionRequest,
)
from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import WorkerDeploymentConfig

from reservations.settings import Settings

BEHAVIORS = {
    "pinned": VersioningBehavior.PINNED,
    "auto_upgrade": VersioningBehavior.AUTO_UPGRADE,
}


class VersioningMisconfigured(ValueError):
    """Only one of the deployment name and the build id is set."""


def deployment_version(settings: Settings) -> WorkerDeploymentVersion | None:
    """This worker's deployment version, or None when versioning is off."""
    name, build = settings.worker_deployment_name, settings.worker_build_id
    if not name and not build:
        return None
    if not name or not build:
        # half a version would silently run unversioned: refuse at start instead
        raise VersioningMisconfigured(
            "set both WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID, or neither"
        )
    return WorkerDeploymentVersion(deployment_name=name, build_id=build)


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """What `Worker(deployment_config=...)` takes: None keeps the worker unversioned."""
    version = deployment_version(settings)
    if version is None:
        return None
    return WorkerDeploymentConfig(
        version=version,
        use_worker_versioning=True,
        default_versioning_behavior=BEHAVIORS[settings.worker_versioning_behavior],
    )


async def has_version(client: Client, version: WorkerDeploymentVersion) -> bool:
    """Whether the server has seen a worker of this version poll (so it can become current)."""
    try:
        described = await client.workflow_service.describe_worker_deployment(
            DescribeWorkerDeploymentRequest(
                namespace=client.namespace, deployment_name=version.deployment_name
            )
        )
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            return False
        raise
    return any(
        summary.deployment_version.build_id == version.build_id
        for summary in described.worker_deployment_info.version_summaries
    )


async def _routing_propagated(client: Client, deployment_name: str, deadline: float) -> None:
    """Wait until the deployment's routing has reached all its task queues (a server that
    does not report the state answers UNSPECIFIED: nothing to wait for)."""
    while True:
        described = await client.workflow_service.describe_worker_deployment(
            DescribeWorkerDeploymentRequest(
                namespace=client.namespace, deployment_name=deployment_name
            )
        )
        state = described.worker_deployment_info.routing_config_update_state
        if state != RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"the routing of {deployment_name} did not reach every queue")
        await asyncio.sleep(0.1)


async def make_current(
    client: Client, version: WorkerDeploymentVersion, *, wait_seconds: float = 60.0
) -> None:
    """Route new workflows (and auto-upgrading ones) to `version`, once its workers poll
    every task queue the current version serves; returns when the routing has reached
    every task queue (until then an auto-upgrading workflow's next task may still go to
    the version before).

    Operators do the same with `temporal worker deployment set-current-version`.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            if await has_version(client, version):
                await client.workflow_service.set_worker_deployment_current_version(
                    SetWorkerDeploymentCurrentVersionRequest(
                        namespace=client.namespace,
                        deployment_name=version.deployment_name,
                        build_id=version.build_id,
                        identity="reservations",
                    )
                )
                await _routing_propagated(client, version.deployment_name, deadline)
                return
        except RPCError as exc:
            # the version is known but has not yet polled every task queue the current
            # one serves: setting it now would leave those queues unversioned
            if exc.status is not RPCStatusCode.FAILED_PRECONDITION:
                raise
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{version} could not become current within {wait_seconds} s")
        await asyncio.sleep(0.2)
