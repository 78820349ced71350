"""The worker's /metrics: a booking moves our activity and booking metrics, and the
Temporal SDK's own metrics are served on the same page."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from temporalio.testing import WorkflowEnvironment

from reservations.settings import Environment, Settings
from tests.api.observed_stack import observed_stack, wait_for_outbox
from tests.api.test_reservation_lifecycle import BASE, booking, restaurant
from tests.conftest import Database
from worker.activity_observer import reservation_id_of
from worker.metrics_server import WorkerMetrics, start_worker_metrics

pytestmark = pytest.mark.xdist_group("worker-metrics")


def scrape(port: int) -> dict[str, float]:
    """Every sample on the page, keyed `name{label=value,...}`."""
    # a guard against a hang, not a speed check (it takes milliseconds here, yet once
    # ran past 5 s on a loaded CI box)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=60) as answer:
        text = answer.read().decode()
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def total(samples: dict[str, float], name: str, **labels: str) -> float:
    wanted = [f"{k}={v}" for k, v in labels.items()]
    return sum(
        value
        for key, value in samples.items()
        if key.split("{")[0] == name and all(w in key for w in wanted)
    )


@pytest.fixture(scope="module")
def worker_metrics() -> Iterator[WorkerMetrics]:
    metrics = start_worker_metrics("127.0.0.1", 0)
    yield metrics
    metrics.close()


async def test_a_booking_moves_the_worker_metrics_and_the_sdk_metrics_are_served(
    db: Database, dev_server: WorkflowEnvironment, worker_metrics: WorkerMetrics
) -> None:
    assert worker_metrics.port
    before = scrape(worker_metrics.port)
    async with observed_stack(db, dev_server, runtime=worker_metrics.runtime) as stack:
        admin = await stack.admin()
        rid = await restaurant(stack, admin)  # type: ignore[arg-type]
        created = await stack.client.post(f"{BASE}/reservations", json=booking(rid))
        assert created.status_code == 201, created.text
        await wait_for_outbox(stack, created.json()["id"])
        full = await stack.client.post(f"{BASE}/reservations", json=booking(rid, party=40))
        assert full.status_code in {409, 422}, full.text
    after = scrape(worker_metrics.port)

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("reservations_activity_seconds_count", activity="hold_booking") >= 1
    assert moved("reservations_activity_seconds_sum", activity="hold_booking") > 0
    assert moved("reservations_bookings_total", outcome="held", channel="online") == 1
    # the party of 40 was answered too, and counted as not held
    assert moved("reservations_bookings_total", channel="online") == 2
    # the confirmation email went through the outbox provider
    assert moved("reservations_messages_total", channel="email", status="sent") == 1
    assert moved("reservations_activity_seconds_count", activity="send_notification") >= 1
    # the Temporal SDK's own metrics, from the runtime the worker's client connected with
    assert total(after, "temporal_request_total") > 0
    assert total(after, "temporal_workflow_task_execution_latency_count") > 0
    assert total(after, "temporal_activity_execution_latency_count") > 0


def test_the_reservation_id_comes_from_the_workflow_id_or_the_input() -> None:
    rid = uuid.uuid4()
    assert reservation_id_of(f"reservation-{rid}", []) == str(rid)

    class Move:
        reservation_id = rid

    assert reservation_id_of("webhook-delivery-1", [Move()]) == str(rid)
    assert reservation_id_of("reservation-not-a-uuid", ["x"]) is None
    assert reservation_id_of(None, []) is None


async def test_worker_metrics_address_follows_the_environment() -> None:
    dev = Settings(_env_file=None)
    assert dev.worker_metrics_address is None
    prod = Settings(_env_file=None, environment=Environment.PRODUCTION)
    assert prod.worker_metrics_address == ("0.0.0.0", 9464)
    chosen = Settings(_env_file=None, worker_metrics_port=0)
    assert chosen.worker_metrics_address == ("127.0.0.1", 0)
