"""One trace from the HTTP request through the workflow update to each activity and its
SQL, with no guest's personal data in any span attribute."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from temporalio.testing import WorkflowEnvironment

from reservations.settings import Settings
from reservations.tracing import Tracing, tracing_from_settings
from tests.api.observed_stack import observed_stack
from tests.api.test_reservation_lifecycle import BASE, booking, restaurant
from tests.conftest import Database

EMAIL = "Traced.Guest@Example.com"
TRACE_PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def attribute_text(span: ReadableSpan) -> str:
    return " ".join(f"{k}={v!r}" for k, v in (span.attributes or {}).items())


async def test_a_booking_is_one_trace_from_http_to_activity_sql(
    db: Database, dev_server: WorkflowEnvironment
) -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.exporting(exporter, service="test", batch=False)
    async with observed_stack(db, dev_server, tracing=tracing) as stack:
        admin = await stack.admin()
        rid = await restaurant(stack, admin)  # type: ignore[arg-type]
        exporter.clear()
        created = await stack.client.post(
            f"{BASE}/reservations", json=booking(rid, email=EMAIL), headers=admin
        )
        assert created.status_code == 201, created.text
    spans = exporter.get_finished_spans()

    requests = [s for s in spans if s.kind is SpanKind.SERVER and s.name.startswith("POST ")]
    # named by the route template, as api/metrics.py labels it
    assert [s.name for s in requests] == ["POST /reservations"]
    trace_id = requests[0].context.trace_id
    ours = [s for s in spans if s.context.trace_id == trace_id]
    names = {s.name for s in ours}
    # the client's update-with-start, the workflow's update handler, the activities
    assert any(n == "StartUpdateWithStartWorkflow:ReservationWorkflow" for n in names), names
    assert any(n == "HandleUpdate:create" for n in names), names
    assert "RunActivity:hold_booking" in names, names
    hold = next(s for s in ours if s.name == "RunActivity:hold_booking")
    # SQL run by the activity is a child of the activity's span
    sql = [s for s in ours if s.attributes and "db.query.text" in s.attributes]
    assert any(s.parent is not None and s.parent.span_id == hold.context.span_id for s in sql)
    inserts = [s for s in sql if s.attributes and s.attributes["db.operation.name"] == "INSERT"]
    assert inserts, "the hold inserts rows"
    # SQL of the request itself (the guest upsert) belongs to the same trace
    assert any(s.parent and s.parent.span_id == requests[0].context.span_id for s in sql)

    # nothing personal in any span of the whole run: no email, name or phone
    for span in spans:
        text = attribute_text(span).lower()
        for secret in (EMAIL.lower(), "smit", "+31612345678", "31612345678"):
            assert secret not in text, (span.name, text)


async def test_an_incoming_traceparent_is_continued_and_the_request_id_recorded(
    db: Database, dev_server: WorkflowEnvironment
) -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.exporting(exporter, service="test", batch=False)
    async with observed_stack(db, dev_server, tracing=tracing) as stack:
        answer = await stack.client.get(
            "/healthz", headers={"traceparent": TRACE_PARENT, "x-request-id": "req-12345678"}
        )
        assert answer.status_code == 200
    [span] = [s for s in exporter.get_finished_spans() if s.name.startswith("GET ")]
    assert f"{span.context.trace_id:032x}" == TRACE_PARENT.split("-")[1]
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/healthz"
    assert span.attributes["http.request.id"] == "req-12345678"
    assert span.attributes["http.response.status_code"] == 200


@pytest.mark.parametrize("endpoint", [None, ""])
def test_tracing_is_off_unless_an_endpoint_is_set(endpoint: str | None) -> None:
    tracing = tracing_from_settings(
        Settings(_env_file=None, tracing_otlp_endpoint=endpoint), service="x"
    )
    assert not tracing.enabled
    assert tracing.client_interceptors() == []


def test_an_endpoint_turns_otlp_export_on() -> None:
    settings = Settings(_env_file=None, tracing_otlp_endpoint="http://127.0.0.1:9/v1/traces")
    tracing = tracing_from_settings(settings, service="x")
    try:
        assert tracing.enabled
        assert len(tracing.client_interceptors()) == 1
    finally:
        tracing.shutdown()
