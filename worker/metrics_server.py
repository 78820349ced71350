"""The worker's /metrics: our prometheus-client metrics plus the Temporal SDK's own.

The SDK's metrics come from its Prometheus runtime, which serves them on a loopback
port of its own; a collector reads that page on every scrape, so Prometheus scrapes
one address per worker. The Runtime must exist before the client connects: a client
records its metrics into the runtime it was connected with.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

import structlog
from prometheus_client import REGISTRY, start_http_server
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

log = structlog.get_logger(__name__)

SDK_SCRAPE_TIMEOUT_SECONDS = 2.0


class TemporalSdkMetrics(Collector):
    """The Temporal runtime's Prometheus page, re-exposed through our registry."""

    def __init__(self, url: str) -> None:
        self.url = url

    def describe(self) -> list[Metric]:
        """Nothing up front: registering must not read the page (it may not serve yet)."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Read and parse the SDK's page; nothing (not an error) while it is unreachable."""
        try:
            with urllib.request.urlopen(self.url, timeout=SDK_SCRAPE_TIMEOUT_SECONDS) as answer:
                text = answer.read().decode()
        except OSError as exc:
            log.warning("worker.sdk_metrics_unreachable", error=str(exc))
            return
        yield from text_string_to_metric_families(text)


@dataclass
class WorkerMetrics:
    """The Temporal runtime to connect with, and where /metrics is served (None: off)."""

    runtime: Runtime | None
    server: WSGIServer | None = None
    collector: TemporalSdkMetrics | None = None

    @property
    def port(self) -> int | None:
        """The port /metrics listens on (the real one when 0 was asked for)."""
        return self.server.server_port if self.server is not None else None

    def close(self) -> None:
        """Stop serving /metrics (the runtime lives as long as the process)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.collector is not None:
            REGISTRY.unregister(self.collector)
            self.collector = None


def start_worker_metrics(host: str, port: int | None) -> WorkerMetrics:
    """Serve /metrics on host:port (0 = any free port) with the SDK's metrics; None = off."""
    if port is None:
        return WorkerMetrics(runtime=None)
    sdk_address = f"127.0.0.1:{free_loopback_port()}"
    runtime = Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(
                bind_address=sdk_address,
                counters_total_suffix=True,
                durations_as_seconds=True,
            )
        )
    )
    collector = TemporalSdkMetrics(f"http://{sdk_address}/metrics")
    REGISTRY.register(collector)
    server, _thread = start_http_server(port, addr=host)
    metrics = WorkerMetrics(runtime=runtime, server=server, collector=collector)
    log.info("worker.metrics_serving", address=f"{host}:{metrics.port}", path="/metrics")
    return metrics


def free_loopback_port() -> int:
    """A loopback port free right now (for the SDK's internal metrics page)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
