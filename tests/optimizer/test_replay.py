"""Day replay: the engine under changed rules, as a function and as the CLI command."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from rules.availability import BookingPolicy
from rules.opening_hours import ServiceHours
from rules.table_fit import TableSpec
from rules.turn_time import TurnTimeRule
from services.optimizer.replay import Request, Rules, changed, generated_day, replay, report
from tests.test_cli import cli_env, key_values, ok, run

__all__ = ["cli_env"]

DAY = date(2031, 3, 5)
NOW = datetime(2031, 3, 4, 0, 0, tzinfo=UTC)


def rules() -> Rules:
    return Rules(
        timezone="UTC",
        services=tuple(ServiceHours("dinner", d, time(17), time(23), time(21)) for d in range(7)),
        special_day=None,
        policy=BookingPolicy(min_notice_minutes=0, turn_times=(TurnTimeRule(1, 60),)),
        tables=(TableSpec("a", "1", 1, 2), TableSpec("b", "2", 1, 4)),
    )


def test_a_longer_turn_time_turns_the_later_party_away() -> None:
    requests = [Request(time(18), 2), Request(time(18), 2), Request(time(19), 2)]
    now = replay(rules(), DAY, requests, now=NOW)
    assert (sum(now.accepted.values()), sum(now.turned_away.values())) == (6, 0)
    slower = changed(rules(), turn_times=[TurnTimeRule(1, 90)])
    after = replay(slower, DAY, requests, now=NOW)
    assert after.accepted == {"18:00": 4}
    assert after.turned_away == {"19:00": 2}
    lines = report(now, after)
    assert any(line.startswith("19:00") and line.rstrip().endswith("-2") for line in lines)


def test_pacing_and_a_table_mix_change_the_answer() -> None:
    requests = [Request(time(18), 4), Request(time(18), 2)]
    paced = replay(changed(rules(), pacing_covers=4), DAY, requests, now=NOW)
    assert paced.accepted == {"18:00": 4} and paced.reasons == {"pacing_limit_reached": 2}
    bigger = changed(rules(), tables=[TableSpec("c", "3", 1, 8)])
    assert replay(bigger, DAY, requests, now=NOW).accepted == {"18:00": 4}


def test_a_generated_day_is_mostly_small_parties_in_the_service() -> None:
    requests = generated_day(rules(), DAY, seed=3, covers=300)
    assert sum(r.party_size for r in requests) >= 300
    assert sum(r.party_size <= 2 for r in requests) / len(requests) > 0.5
    assert all(time(17) <= r.local_time <= time(21) for r in requests)


def test_the_cli_replays_a_generated_day_at_the_demo_bistro(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    ok(cli_env, "migrate")
    rid = key_values(ok(cli_env, "demo-data").stdout)["restaurant_id"]
    # a Friday a month ahead: the demo bistro serves dinner then
    ahead = datetime.now(UTC).date() + timedelta(days=30)
    day = ahead + timedelta(days=(4 - ahead.weekday()) % 7)
    out = ok(
        cli_env,
        "replay-day",
        "--restaurant",
        rid,
        "--date",
        day.isoformat(),
        "--generate",
        "--covers",
        "400",
        "--turn-time",
        "1=240",
    ).stdout
    lines = out.splitlines()
    assert lines[0].startswith(f"{day.isoformat()}: ") and "generated day" in lines[0]
    total = next(line for line in lines if line.startswith("total")).split()
    # every party keeps its table four hours: fewer covers are seated
    assert int(total[-1]) < 0, out
    tables = tmp_path / "tables.json"
    tables.write_text('[{"number": "1", "max_capacity": 2}]')
    one = ok(
        cli_env,
        "replay-day",
        "--restaurant",
        rid,
        "--date",
        day.isoformat(),
        "--generate",
        "--tables",
        str(tables),
    ).stdout
    assert int(next(x for x in one.splitlines() if x.startswith("total")).split()[-1]) < 0
    unknown = run(
        cli_env, "replay-day", "--restaurant", str(uuid.uuid4()), "--date", day.isoformat()
    )
    assert unknown.exit_code == 1 and "not found" in unknown.output
    wrong = run(
        cli_env, "replay-day", "--restaurant", rid, "--date", day.isoformat(), "--turn-time", "four"
    )
    assert wrong.exit_code == 2
