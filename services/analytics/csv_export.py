"""Any analytics answer as CSV in long form: one line per (section, bucket, metric).

A section is a top-level field (`summary` for top-level figures), a bucket names a
series row by its key fields joined with "/", and the value is written exactly as the
JSON answer writes it (empty for null), so the two exports hold the same figures.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from models.schemas.analytics import Row
from services.crm.csv_export import safe_cell

HEADER = ("section", "bucket", "metric", "value")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _keys(model: BaseModel) -> tuple[str, ...]:
    if isinstance(model, Row) and model.KEYS:
        return model.KEYS
    return (next(iter(type(model).model_fields)),)


def lines(answer: BaseModel) -> Iterator[tuple[str, str, str, str]]:
    """The answer's figures as (section, bucket, metric, value) in JSON's field order."""
    data = answer.model_dump(mode="json")
    for name in type(answer).model_fields:
        value = getattr(answer, name)
        if isinstance(value, BaseModel):
            for metric, cell in data[name].items():
                if not isinstance(cell, list | dict):
                    yield name, "", metric, _text(cell)
        elif isinstance(value, list):
            for item, dumped in zip(value, data[name], strict=True):
                keys = _keys(item)
                bucket = "/".join(_text(dumped[k]) for k in keys)
                for metric, cell in dumped.items():
                    if metric not in keys:
                        yield name, bucket, metric, _text(cell)
        else:
            yield "summary", "", name, _text(data[name])


def _cell(text: str) -> str:
    # a negative figure stays a number; any other text that starts a formula is defused
    try:
        float(text)
    except ValueError:
        return safe_cell(text)
    return text


def to_csv(answer: BaseModel) -> str:
    """The answer as a CSV document with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([_cell(c) for c in line] for line in lines(answer))
    return buffer.getvalue()
