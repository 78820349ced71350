"""Calendar-month arithmetic for retention periods (pure: the workflow sandbox uses it)."""

from __future__ import annotations

import calendar
from datetime import datetime


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock instant `months` calendar months earlier (clamped to month end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
