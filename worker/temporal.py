"""The Temporal client, configured the same way for the API, the worker and tools."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.client import Client, Interceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime

from reservations.settings import Settings

DEFAULT_ADDRESS = "127.0.0.1:7233"


class TemporalUnavailable(Exception):
    """The Temporal frontend could not be reached; the message is one line naming the address."""


def temporal_address(settings: Settings) -> str:
    """TEMPORAL_ADDRESS, or the embedded dev server's default address."""
    return settings.temporal_address or DEFAULT_ADDRESS


async def connect(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    interceptors: Sequence[Interceptor] = (),
) -> Client:
    """A client with the pydantic data converter, so shared contracts cross as JSON.

    `runtime` carries the SDK's metrics (it must exist before connecting); `interceptors`
    (tracing) apply to this client's calls and to every worker built on it.
    """
    address = temporal_address(settings)
    try:
        return await Client.connect(
            address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
            interceptors=interceptors,
            runtime=runtime,
        )
    except RuntimeError as exc:
        # the SDK reports an unreachable server as a bare RuntimeError with a long message
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TemporalUnavailable(f"cannot reach Temporal at {address}: {first_line}") from exc
