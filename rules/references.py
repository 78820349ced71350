"""Booking references shown to guests, e.g. ``RES-2026-000042``."""

from __future__ import annotations

import re

REFERENCE_PATTERN = r"RES-(\d{4})-(\d{6})"
_REFERENCE_RE = re.compile(REFERENCE_PATTERN)
MAX_NUMBER = 999_999


def format_reference(year: int, number: int) -> str:
    """Format a reference: ``format_reference(2026, 42) == "RES-2026-000042"``."""
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have four digits, got {year}")
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(f"reference number must be 1..{MAX_NUMBER}, got {number}")
    return f"RES-{year:04d}-{number:06d}"


def parse_reference(text: str) -> tuple[int, int]:
    """Parse a reference into ``(year, number)``; raise ``ValueError`` on bad text.

    Surrounding whitespace and lower case are accepted because guests type these.
    """
    match = _REFERENCE_RE.fullmatch(text.strip().upper())
    if match is None:
        raise ValueError(f"not a booking reference: {text!r}")
    year, number = int(match.group(1)), int(match.group(2))
    if year < 1000 or number == 0:
        raise ValueError(f"not a booking reference: {text!r}")
    return year, number
