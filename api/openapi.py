"""Touches to the generated OpenAPI document, so it describes what the API really sends."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

# what pydantic writes for a datetime.time without an offset: HH:MM[:SS[.ffffff]]
WALL_CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def _local_times(node: Any) -> None:
    """Replace `format: time` (RFC 3339 full-time, which requires a UTC offset) by the
    pattern of the local wall-clock times the API reads and writes."""
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            node["pattern"] = WALL_CLOCK_PATTERN
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def describe_local_times(app: FastAPI) -> None:
    """Make the app's OpenAPI document describe times as local wall-clock times.

    Slots, opening hours and booking times are the restaurant's local time without an
    offset (DESIGN: times); "format: time" claimed an offset, so every client that
    validates responses against the schema refused them.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _local_times(generate())
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
