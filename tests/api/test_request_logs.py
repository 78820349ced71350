"""Production logs: one JSON object per line, with the request id on the API's lines and
the workflow id, activity and reservation id on the worker's, and no personal data."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from temporalio.testing import WorkflowEnvironment

from reservations.logging import json_formatter, processors
from reservations.settings import Environment, Settings
from tests.api.observed_stack import observed_stack, wait_for_outbox
from tests.api.test_reservation_lifecycle import BASE, booking, restaurant
from tests.api.workflow_probe import reservation_workflow_id
from tests.conftest import Api, Database

EMAIL = "Logged.Guest@Example.com"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """structlog and the standard library both rendering JSON into one buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = structlog.get_config()
    structlog.configure(
        processors=processors(json=True),
        logger_factory=structlog.WriteLoggerFactory(file=buffer),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=False,
    )
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        structlog.configure(**previous)


def parsed(buffer: io.StringIO) -> list[dict[str, Any]]:
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is one JSON object


async def test_a_booking_logs_json_lines_carrying_the_ids(
    db: Database, dev_server: WorkflowEnvironment, json_lines: io.StringIO
) -> None:
    async with observed_stack(db, dev_server) as stack:
        admin = await stack.admin()
        rid = await restaurant(stack, admin)  # type: ignore[arg-type]
        created = await stack.client.post(
            f"{BASE}/reservations",
            json=booking(rid, email=EMAIL),
            headers={"X-Request-ID": "booking-request-0001"},
        )
        assert created.status_code == 201, created.text
        assert created.headers["x-request-id"] == "booking-request-0001"
        reservation_id = created.json()["id"]
        await wait_for_outbox(stack, reservation_id)
    lines = parsed(json_lines)
    assert lines, "nothing was logged"

    requests = [line for line in lines if line.get("event") == "http.request"]
    booked = [line for line in requests if line.get("request_id") == "booking-request-0001"]
    assert len(booked) == 1, requests
    assert booked[0]["route"] == "/reservations" and booked[0]["status"] == 201
    assert all(line.get("request_id") for line in requests)

    activity_lines = [line for line in lines if line.get("reservation_id") == reservation_id]
    assert activity_lines, "no worker line named the reservation"
    for line in activity_lines:
        assert line["workflow_id"] == reservation_workflow_id(reservation_id)
        assert line["activity"]
        assert {"timestamp", "level", "event"} <= set(line)

    # masked everywhere: the outbox logs who it wrote to under a personal key
    text = json_lines.getvalue().lower()
    assert EMAIL.lower() not in text
    assert "+31612345678" not in text and "smit" not in text


async def test_a_bad_or_missing_request_id_is_replaced(api: Api) -> None:
    for sent in (None, "x", "has spaces in it", "a" * 200, "bad\\u0000id-0000"):
        headers = {"X-Request-ID": sent} if sent is not None else {}
        answer = await api.client.get("/healthz", headers=headers)
        made = answer.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made), made
    kept = await api.client.get("/healthz", headers={"X-Request-ID": "3fa85f64-5717-4562"})
    assert kept.headers["x-request-id"] == "3fa85f64-5717-4562"


def test_json_logs_by_default_in_production_only() -> None:
    assert not Settings(_env_file=None).logs_as_json
    assert Settings(_env_file=None, environment=Environment.PRODUCTION).logs_as_json
    assert Settings(_env_file=None, log_json=True).logs_as_json
