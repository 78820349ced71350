"""OpenTelemetry tracing: off unless TRACING_OTLP_ENDPOINT is set.

One trace follows a request from the API's HTTP span through the Temporal client
call (the SDK's TracingInterceptor carries the context in the workflow's headers),
the workflow and update spans, to each activity and the SQL it runs. Spans carry
route templates, ids and SQL text with placeholders: never bound parameters,
request bodies or query strings, so no guest's personal data reaches a span.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Connection, ExceptionContext, ExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.contrib.opentelemetry import TracingInterceptor

from reservations.settings import Settings

SQL_TEXT_LIMIT = 2000
_SPAN_KEY = "_reservations_sql_span"


@dataclass
class Tracing:
    """The process's tracer; a no-op tracer and no interceptors when tracing is off."""

    provider: TracerProvider | None = None
    tracer: trace.Tracer = field(default_factory=trace.NoOpTracer)
    _traced_engines: weakref.WeakSet[Any] = field(default_factory=weakref.WeakSet)

    @property
    def enabled(self) -> bool:
        """Whether spans are recorded and exported."""
        return self.provider is not None

    @classmethod
    def exporting(
        cls, exporter: SpanExporter, *, service: str, ratio: float = 1.0, batch: bool = True
    ) -> Tracing:
        """Tracing that sends spans to `exporter` (batched unless `batch` is False)."""
        provider = TracerProvider(
            resource=Resource.create({SERVICE_NAME: service}),
            sampler=ParentBased(TraceIdRatioBased(ratio)),
        )
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
        return cls(provider=provider, tracer=provider.get_tracer("reservations"))

    def client_interceptors(self) -> list[TracingInterceptor]:
        """Interceptors for `Client.connect` (they also apply to workers on that client)."""
        return [TracingInterceptor(self.tracer)] if self.enabled else []

    def trace_sql(self, engine: AsyncEngine) -> None:
        """A span per SQL statement `engine` runs (once per engine; nothing when off)."""
        if not self.enabled or engine.sync_engine in self._traced_engines:
            return
        self._traced_engines.add(engine.sync_engine)
        dialect = engine.dialect.name
        tracer = self.tracer

        def before(
            conn: Connection,
            cursor: Any,
            statement: str,
            parameters: Any,
            context: ExecutionContext | None,
            executemany: bool,
        ) -> None:
            operation = statement.lstrip().split(None, 1)[0].upper() if statement else "SQL"
            span = tracer.start_span(
                f"{operation} {dialect}",
                kind=SpanKind.CLIENT,
                attributes={
                    "db.system.name": dialect,
                    "db.operation.name": operation,
                    # placeholders only: the bound values never leave the driver
                    "db.query.text": statement[:SQL_TEXT_LIMIT],
                },
            )
            if context is not None:
                setattr(context, _SPAN_KEY, span)

        def after(
            conn: Connection,
            cursor: Any,
            statement: str,
            parameters: Any,
            context: ExecutionContext | None,
            executemany: bool,
        ) -> None:
            span = getattr(context, _SPAN_KEY, None)
            if span is not None:
                setattr(context, _SPAN_KEY, None)  # a later error must not end it again
                span.end()

        def failed(error: ExceptionContext) -> None:
            span = getattr(error.execution_context, _SPAN_KEY, None)
            if span is not None:
                setattr(error.execution_context, _SPAN_KEY, None)
                # the error's type only: a driver's message may quote a bound value
                span.set_status(Status(StatusCode.ERROR, type(error.original_exception).__name__))
                span.end()

        event.listen(engine.sync_engine, "before_cursor_execute", before)
        event.listen(engine.sync_engine, "after_cursor_execute", after)
        event.listen(engine.sync_engine, "handle_error", failed)

    def shutdown(self) -> None:
        """Flush and stop the exporter."""
        if self.provider is not None:
            self.provider.shutdown()


def tracing_from_settings(settings: Settings, *, service: str) -> Tracing:
    """OTLP/HTTP export to TRACING_OTLP_ENDPOINT, or the no-op tracer when it is unset."""
    if not settings.tracing_otlp_endpoint:
        return Tracing()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return Tracing.exporting(
        OTLPSpanExporter(endpoint=settings.tracing_otlp_endpoint),
        service=service,
        ratio=settings.tracing_sample_ratio,
    )
