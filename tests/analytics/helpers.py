"""Calling the analytics routes and comparing their answers with an oracle's."""

from __future__ import annotations

import math
import uuid
from datetime import date
from typing import Any

from tests.conftest import Api

BASE = "/api/v1/reservations/analytics/restaurant"


async def get(
    api: Api,
    rid: uuid.UUID,
    report: str,
    headers: dict[str, str],
    date_from: date,
    date_to: date,
    **params: str | int,
) -> Any:
    """The report's JSON answer (asserting a 200)."""
    r = await api.client.get(
        f"{BASE}/{rid}/{report}",
        params={"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), **params},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    return r.json()


def same(actual: Any, expected: Any, path: str = "") -> None:
    """Deep equality with floats compared to 1e-9 (the databases divide in doubles)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            same(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{path}: {actual} != {expected}"
        )
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            same(a, e, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert isinstance(actual, int | float), f"{path}: {actual!r} != {expected!r}"
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9), (
            f"{path}: {actual} != {expected}"
        )
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
