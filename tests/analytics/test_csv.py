"""The CSV export of every report holds exactly the JSON answer's figures."""

from __future__ import annotations

import csv
import io
from datetime import time
from typing import Any

from models.enums import ReservationSource, StaffRole
from tests.analytics.helpers import BASE
from tests.analytics.history import (
    FROM,
    TO,
    History,
    a_booking,
    a_restaurant,
    sample_history,
    write,
)
from tests.analytics.test_turned_away import Asked, write_turned_away
from tests.conftest import Api

# the fields that name a series row, per report and section
KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "dashboard": {"channel_mix": ("channel",)},
    "volume": {"daily": ("day",), "by_service": ("day", "service"), "channel_mix": ("channel",)},
    "no-shows": {
        s: ("key",) for s in ("by_channel", "by_party_size", "by_lead_time", "by_weekday")
    },
    "lead-times": {"bands": ("band",)},
    "slots": {"cells": ("weekday", "time")},
    "revenue": {"daily": ("day",)},
    "turned-away": {"days": ("day",), "channels": ("channel",), "cells": ("weekday", "time")},
    "turn-times": {
        "by_party_size": ("party_size",),
        "current": ("min_party_size",),
        "suggested": ("min_party_size",),
    },
}


def text(value: Any) -> str:
    """A JSON value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(value)


def expected_lines(report: str, answer: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    lines = []
    for section, value in answer.items():
        if isinstance(value, dict):
            lines += [(section, "", k, text(v)) for k, v in value.items()]
        elif isinstance(value, list):
            keys = KEYS[report][section]
            for row in value:
                bucket = "/".join(text(row[k]) for k in keys)
                lines += [(section, bucket, k, text(v)) for k, v in row.items() if k not in keys]
        else:
            lines.append(("summary", "", section, text(value)))
    return lines


async def test_csv_matches_json(api: Api) -> None:
    rid = await write(api.db, sample_history())
    turned_away = [
        Asked(FROM, time(19), 4, ReservationSource.ONLINE, elsewhere=False, booked_later=False),
        Asked(TO, time(20), 2, ReservationSource.GOOGLE, elsewhere=False, booked_later=False),
    ]
    await write_turned_away(api.db, turned_away, rid, rid)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    params: dict[str, str | int] = {
        "date_from": FROM.isoformat(),
        "date_to": TO.isoformat(),
        "min_samples": 1,
    }
    for report in KEYS:
        url = f"{BASE}/{rid}/{report}"
        as_json = await api.client.get(url, params=params, headers=manager)
        as_csv = await api.client.get(url, params={**params, "format": "csv"}, headers=manager)
        assert as_json.status_code == as_csv.status_code == 200, as_csv.text
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in as_csv.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(as_csv.text)))
        assert rows[0] == ["section", "bucket", "metric", "value"]
        lines = [tuple(r) for r in rows[1:]]
        assert lines == expected_lines(report, as_json.json()), report
        assert len(lines) > 5, report  # the sample week has figures in every report


async def test_csv_defuses_text_a_spreadsheet_would_run(api: Api) -> None:
    # a service name is staff-typed text: in CSV no cell may start a formula
    hostile = (("=HYPERLINK(1)", range(7), time(12), time(15)),)
    rid = await a_restaurant(api.db, services=hostile)
    await write(api.db, History(0, [a_booking(FROM, time(12), spend=0)], [], []), into=rid)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    params = {"date_from": FROM.isoformat(), "date_to": FROM.isoformat(), "format": "csv"}
    r = await api.client.get(f"{BASE}/{rid}/volume", params=params, headers=manager)
    rows = list(csv.reader(io.StringIO(r.text)))
    assert {row[1] for row in rows if row[0] == "by_service"} == {f"{FROM}/=HYPERLINK(1)"}
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@"))]
    # while negative figures stay numbers
    r = await api.client.get(
        f"{BASE}/{rid}/turn-times", params={**params, "min_samples": 1}, headers=manager
    )
    difference = [row for row in csv.reader(io.StringIO(r.text)) if row[2] == "difference_minutes"]
    assert difference == [["by_party_size", "2", "difference_minutes", "-25.0"]]
