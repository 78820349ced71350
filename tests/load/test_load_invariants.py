"""A short load run against the real processes: no 5xx, and every invariant holds after it.

The same driver as `python -m benchmarks.load`, at a low rate for about 30 s: the API
and worker as separate `reservations` processes, the Temporal dev server, PostgreSQL
and Redis (its own db number).  Timings are not asserted here; they live in the
benchmark.
"""

from __future__ import annotations

import pytest

from benchmarks.load import LoadConfig, report, run_load

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.temporal,
    pytest.mark.xdist_group("load"),
    pytest.mark.long_running,
]

REDIS_URL = "redis://127.0.0.1:6379/12"


async def test_a_short_mixed_load_leaves_no_5xx_and_every_invariant_holding() -> None:
    # one test, one run: the stack takes most of a minute to start on two cores
    config = LoadConfig(rate=4, duration=30, workers=1, apis=2, restaurants=6, redis_url=REDIS_URL)
    result = await run_load(config, log=lambda _: None)

    # no request failed on the server side
    assert result.recorder.server_errors == 0, report(result)
    assert not result.recorder.transport_errors, report(result)

    # every kind of traffic was answered
    statuses = result.recorder.statuses
    assert statuses["availability"][200] > 0, report(result)
    assert statuses["book"][201] > 0, report(result)
    assert statuses["modify"][200] > 0, report(result)
    assert statuses["cancel"][200] > 0, report(result)
    assert statuses["webhook"][200] > 0, report(result)
    # nothing the driver sends is malformed: client errors other than "not available" mean
    # the driver or the API broke
    unexpected = {op: {s: n for s, n in c.items() if 400 <= s < 500 and s != 409}
                  for op, c in statuses.items()}  # fmt: skip
    assert not any(unexpected.values()), unexpected

    # the invariants hold after the run, over real data: bookings, paid deposits,
    # cancelled workflows
    failed = [check.line() for check in result.invariants if not check.ok]
    assert not failed, failed
    assert not result.workflow_problems, result.workflow_problems
    assert result.bookings_made >= 10, report(result)
    assert result.workflows.get("COMPLETED", 0) > 0, result.workflows
    assert result.ok
