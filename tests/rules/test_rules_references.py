import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.references import REFERENCE_PATTERN, format_reference, parse_reference


def test_format() -> None:
    assert format_reference(2026, 42) == "RES-2026-000042"
    assert format_reference(2026, 999_999) == "RES-2026-999999"
    assert re.fullmatch(REFERENCE_PATTERN, format_reference(2027, 1))


@pytest.mark.parametrize(("year", "number"), [(2026, 0), (2026, 1_000_000), (2026, -1), (99, 1)])
def test_format_rejects_out_of_range(year: int, number: int) -> None:
    with pytest.raises(ValueError):
        format_reference(year, number)


def test_parse() -> None:
    assert parse_reference("RES-2026-000042") == (2026, 42)
    assert parse_reference("  res-2026-000042 ") == (2026, 42)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "RES-2026-42",
        "RES-2026-0000042",
        "RES-26-000042",
        "XRES-2026-000042",
        "RES-2026-000000",
        "RES-2026-00004a",
        "RES_2026_000042",
        "RES-2026-000042x",
    ],
)
def test_parse_rejects_bad_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_reference(text)


@given(st.integers(1000, 9999), st.integers(1, 999_999))
def test_round_trip(year: int, number: int) -> None:
    assert parse_reference(format_reference(year, number)) == (year, number)
