"""Touches to the generated OpenAPI document, so it describes what the API really sends."""

from __future__ import annotations

from collections.abc import Callable
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
    _touch_once_generated(app, _local_times)


PROBLEM_JSON = "application/problem+json"
PROBLEM = "Problem"
_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": PROBLEM,
    "description": "An RFC 9457 problem: every answer of 400 and above (others may add fields).",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string", "description": "the input the problem is about"},
        "errors": {
            "type": "array",
            "description": "each invalid input, on a 422",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "in": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
_DEFAULT = {
    "description": "A problem: bad input (4xx, naming the field), no access, not found, "
    "a conflict with the booking's state, a rate limit, or a dependency that is down",
    "content": {PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{PROBLEM}"}}},
}


def _problems(document: dict[str, Any]) -> None:
    """Document what errors really are: problem+json bodies, for any status an operation
    may answer (`default`), with the 422's body a Problem rather than FastAPI's default."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[PROBLEM] = _PROBLEM_SCHEMA
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    problem_ref: dict[str, Any] = {"$ref": f"#/components/schemas/{PROBLEM}"}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if responses is None:
                continue
            for status, response in responses.items():
                if not status.isdigit() or int(status) < 400:
                    continue
                content = response.setdefault("content", {})
                declared = content.pop("application/json", {}).get("schema")
                schema: dict[str, Any] = problem_ref
                if status != "422" and declared is not None:
                    schema = {"allOf": [problem_ref, declared]}
                content[PROBLEM_JSON] = {"schema": schema}
            responses.setdefault("default", _DEFAULT)


def describe_problems(app: FastAPI) -> None:
    """Make the app's OpenAPI document describe its problem+json error answers."""
    _touch_once_generated(app, _problems)


def _touch_once_generated(app: FastAPI, touch: Callable[[dict[str, Any]], None]) -> None:
    """Run `touch` on the app's OpenAPI document once, when it is first generated."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            touch(generate())
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
