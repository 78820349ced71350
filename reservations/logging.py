"""Structured logging (structlog) for every process, with personal data masked.

Log lines outlive every erasure, so no email address, phone number or guest name
may reach them: values under personal keys are masked whatever they hold, and
anything shaped like an email address or a phone number is masked in every value,
in structlog events and in the standard library's records (Temporal, uvicorn) alike.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

MASK = "***"
# keys whose values are personal whatever they look like
PERSONAL_KEYS = frozenset(
    {
        "email",
        "to",
        "recipient",
        "phone",
        "first_name",
        "last_name",
        "full_name",
        "guest_name",
        "search_name",
    }
)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+\d[\d ()-]{6,18}\d")


def mask_text(text: str) -> str:
    """`text` with email addresses and international phone numbers masked."""
    return _PHONE.sub(MASK, _EMAIL.sub(MASK, text))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: MASK if k in PERSONAL_KEYS else _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


def mask_personal_data(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: personal keys masked, emails and phones masked in values."""
    for key, value in list(event.items()):
        event[key] = MASK if key in PERSONAL_KEYS and value is not None else _masked(value)
    return event


class MaskPersonalData(logging.Filter):
    """The same masking for standard-library log records (Temporal's, uvicorn's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        record.msg = mask_text(message)
        record.args = None
        return True


def _enrichers() -> list[Any]:
    # the bound ids (request_id, workflow_id, activity, reservation_id) join every line
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # exc_info=True becomes the traceback's text, masked like every other value
        structlog.processors.format_exc_info,
        mask_personal_data,
    ]


def processors(*, json: bool = False) -> list[Any]:
    """The structlog processor chain every process uses (masking before rendering)."""
    renderer: Any = (
        structlog.processors.JSONRenderer(sort_keys=True)
        if json
        else structlog.processors.KeyValueRenderer(key_order=["timestamp", "level", "event"])
    )
    return [*_enrichers(), renderer]


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    """Logs with ISO timestamps at `level`, personal data masked: one JSON object per line
    when `json` (production), key=value otherwise. Standard-library records (Temporal's,
    uvicorn's) get the same fields and rendering in JSON mode."""
    logging.basicConfig(level=level, format="%(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
            handler.addFilter(MaskPersonalData())
        if json:
            handler.setFormatter(json_formatter())
    structlog.configure(
        processors=processors(json=json),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )


def json_formatter() -> logging.Formatter:
    """A formatter that renders standard-library records as our JSON lines."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *_enrichers()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
    )
