"""Every analytics figure, fetched over HTTP, equals a plain-Python oracle's reading of a
generated history, on PostgreSQL and on SQLite (hypothesis; a new restaurant per example).

The histories straddle the spring DST change in Amsterdam, include bookings outside the
range, band edges of lead times and services that run past midnight.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from models.enums import StaffRole
from tests.analytics import history as oracle
from tests.analytics.helpers import get, same
from tests.analytics.history import FROM, TO, History, histories, write
from tests.conftest import Api


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories)
async def test_sql_figures_match_the_oracle(api: Api, history: History) -> None:
    rid = await write(api.db, history)
    manager = await api.token_for(StaffRole.MANAGER, [rid])

    async def report(name: str, **params: str | int) -> dict[str, Any]:
        answer: dict[str, Any] = await get(api, rid, name, manager, FROM, TO, **params)
        return answer

    same(await report("volume"), oracle.volume(history))
    same(await report("no-shows"), oracle.no_shows(history))
    same(await report("lead-times"), oracle.lead_times(history))
    same((await report("slots"))["cells"], oracle.slots(history))
    same(await report("revenue"), oracle.revenue(history))
    turns = await report("turn-times", min_samples=2)
    expected_turns = oracle.turn_times(history)
    same(turns["by_party_size"], expected_turns)
    same(turns["suggested"], oracle.suggested(expected_turns, 2))
    same(await report("dashboard"), oracle.dashboard(history))
