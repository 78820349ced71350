"""Day replay: the engine under changed rules, as a function and as the CLI command."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from models.enums import ReservationStatus
from models.orm import Guest, Reservation
from reservations.db import create_engine, session_factory
from rules.availability import BookingPolicy, check_time
from rules.occupancy import Booking
from rules.opening_hours import ServiceHours
from rules.table_fit import TableSpec
from rules.turn_time import TurnTimeRule
from services.optimizer.admission import ForecastClass
from services.optimizer.forecast import BookingCurve
from services.optimizer.replay import (
    PROTECTED,
    Protection,
    Request,
    Rules,
    changed,
    generated_day,
    made_along,
    replay,
    report,
)
from tests.test_cli import cli_env, key_values, ok, run

__all__ = ["cli_env"]

DAY = date(2031, 3, 5)
NOW = datetime(2031, 3, 4, 0, 0, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the demo bistro's


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


def four_tops() -> Rules:
    return replace(rules(), tables=tuple(TableSpec(n, n, 1, 4) for n in "1234"))


# parties of 4 are forecast to want all four tables at 18:00 (an hour after opening)
PEAK = Protection((ForecastClass(size=4, start=60, stay=60, expected=4),))


def test_protection_keeps_four_tops_for_the_forecast_fours() -> None:
    requests = [Request(time(18), 2), *[Request(time(18), 4)] * 4]
    now = replay(four_tops(), DAY, requests, now=NOW)
    assert (sum(now.accepted.values()), now.reasons) == (14, {"no_table_fits": 4})
    protected = replay(four_tops(), DAY, requests, now=NOW, protection=PEAK)
    assert protected.accepted == {"18:00": 16}
    assert protected.reasons == {PROTECTED: 2}
    assert protected.outcomes[0] == PROTECTED
    lines = report(now, protected)
    total = next(line for line in lines if line.startswith("total"))
    assert total.split()[-1] == "+2" and "protected 2" in lines[-1]


def test_a_request_made_late_in_the_curve_is_not_protected_against() -> None:
    # three quarters of the day's requests come a day ahead; a party of 2 booking on
    # the day leaves a quarter of the forecast (one four) to come, and a table for it
    curve = BookingCurve((0, 1440, 1440, 1440))
    late = [Request(time(18), 2, lead_minutes=0)]
    early = [Request(time(18), 2, lead_minutes=2 * 1440)]
    protection = Protection(PEAK.forecast, curve)
    assert replay(four_tops(), DAY, late, now=NOW, protection=protection).accepted == {"18:00": 2}
    assert replay(four_tops(), DAY, early, now=NOW, protection=protection).reasons == {PROTECTED: 2}


def test_an_empty_forecast_changes_nothing() -> None:
    requests = generated_day(four_tops(), DAY, seed=5, covers=120)
    now = replay(four_tops(), DAY, requests, now=NOW)
    empty = replay(four_tops(), DAY, requests, now=NOW, protection=Protection(()))
    assert (empty.accepted, empty.turned_away, empty.reasons, empty.outcomes) == (
        now.accepted,
        now.turned_away,
        now.reasons,
        now.outcomes,
    )
    assert len(now.outcomes) == len(requests) and now.turned_away


# a busy hour and a half, so that the forecast often wants more tables than are free
SLOTS = [time(18 + m // 60, m % 60) for m in range(0, 91, 15)]
requests_st = st.lists(
    st.builds(
        Request,
        local_time=st.sampled_from(SLOTS),
        party_size=st.integers(1, 6),
        lead_minutes=st.one_of(st.none(), st.none(), st.integers(0, 3 * 1440)),
    ),
    max_size=30,
)
forecast_st = st.lists(
    st.builds(
        ForecastClass,
        size=st.integers(1, 6),
        start=st.sampled_from(range(60, 151, 15)),
        stay=st.just(60),
        expected=st.floats(0, 10),
    ),
    max_size=8,
)
tables_st = st.lists(st.sampled_from([2, 4, 6]), min_size=1, max_size=5).map(
    lambda seats: tuple(TableSpec(str(i), str(i), 1, n) for i, n in enumerate(seats))
)


@settings(max_examples=120, deadline=None)
@given(
    tables=tables_st,
    requests=requests_st,
    forecast=forecast_st,
    leads=st.lists(st.integers(0, 3 * 1440), max_size=10),
)
def test_protection_only_refuses_what_the_engine_would_seat(
    tables: tuple[TableSpec, ...],
    requests: list[Request],
    forecast: list[ForecastClass],
    leads: list[int],
) -> None:
    floor = replace(rules(), tables=tables)
    protection = Protection(tuple(forecast), BookingCurve(tuple(sorted(leads))))
    tally = replay(floor, DAY, requests, now=NOW, protection=protection)
    assert len(tally.outcomes) == len(requests)
    for n, (r, outcome) in enumerate(zip(requests, tally.outcomes, strict=True)):
        # the engine's own answer with the bookings the protected replay had made
        before = [o for o in tally.outcomes[:n] if isinstance(o, Booking)]
        answer = check_time(
            day=DAY,
            local_time=r.local_time,
            party_size=r.party_size,
            timezone=floor.timezone,
            services=floor.services,
            special_day=None,
            policy=floor.policy,
            tables=floor.tables,
            bookings=before,
            now=NOW,
            staff=True,
        )
        if isinstance(outcome, Booking):
            assert answer.available and answer.tables is not None
            assert outcome.table_ids == answer.tables.table_ids
            assert outcome.start_utc == answer.start_utc
            assert outcome.covers == r.party_size
        elif outcome == PROTECTED:
            assert answer.available  # refused a table the engine had
        else:
            assert not answer.available and outcome == str(answer.reason)
    seated = sum(o.covers for o in tally.outcomes if isinstance(o, Booking))
    assert sum(tally.accepted.values()) == seated
    assert sum(tally.turned_away.values()) == sum(r.party_size for r in requests) - seated


def test_a_generated_day_is_made_along_the_booking_curve() -> None:
    requests = [Request(time(18), 2)] * 4
    curve = BookingCurve((0, 60, 1440, 2880))
    made = made_along(requests, curve)
    assert [r.lead_minutes for r in made] == [2880, 1440, 60, 0]
    assert [curve.still_to_come(r.lead_minutes) for r in made] == [1.0, 0.75, 0.5, 0.25]
    assert made_along(requests, BookingCurve()) == requests


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


async def _fours_at_seven(url: str, rid: str, days: list[date], parties: int) -> None:
    """``parties`` parties of 4 asking for 19:00 on each of ``days``, made days ahead,
    written into the CLI's database (cancelled ones too: they asked all the same)."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            guest = Guest(email=f"g-{uuid.uuid4().hex[:8]}@example.com", first_name="G")
            session.add(guest)
            await session.flush()
            for day in days:
                starts = datetime.combine(day, time(19), tzinfo=AMSTERDAM).astimezone(UTC)
                for n in range(parties):
                    session.add(
                        Reservation(
                            reference=f"RES-{uuid.uuid4().hex[:16]}",
                            restaurant_id=uuid.UUID(rid),
                            guest_id=guest.id,
                            party_size=4,
                            reservation_date=day,
                            reservation_time=time(19),
                            starts_at=starts,
                            ends_at=starts + timedelta(minutes=105),
                            duration_minutes=105,
                            status=ReservationStatus.CANCELLED_BY_GUEST
                            if n % 3 == 0
                            else ReservationStatus.COMPLETED,
                            created_at=starts - timedelta(days=1 + n % 5),
                            currency="EUR",
                        )
                    )
            await session.commit()
    finally:
        await engine.dispose()


def test_the_cli_replays_a_day_with_protection_on(cli_env: dict[str, str]) -> None:
    ok(cli_env, "migrate")
    rid = key_values(ok(cli_env, "demo-data").stdout)["restaurant_id"]
    ahead = datetime.now(UTC).date() + timedelta(days=30)
    day = ahead + timedelta(days=(4 - ahead.weekday()) % 7)  # a Friday
    args = ["replay-day", "--restaurant", rid, "--date", day.isoformat(), "--protect"]
    generated = [*args, "--generate", "--covers", "400"]
    empty = ok(cli_env, *generated).stdout
    assert "no requests on Fridays in the last 8 weeks" in empty, empty
    total = next(line for line in empty.splitlines() if line.startswith("total")).split()
    assert total[-1] == "+0" and "protected" not in empty
    # two past Fridays with twelve fours at 19:00; one more, nine weeks back, is too old
    past = [day - timedelta(weeks=1), day - timedelta(weeks=3), day - timedelta(weeks=9)]
    asyncio.run(_fours_at_seven(cli_env["DATABASE_URL"], rid, past, 12))
    out = ok(cli_env, *generated).stdout
    assert "forecast of 12.0 requests a day from 2 past Fridays" in out, out
    assert "protected" in out.splitlines()[-1], out
    one_week = ok(cli_env, *generated, "--weeks", "1").stdout
    assert "from 1 past Fridays in the last 1 weeks" in one_week
    too_far = run(cli_env, *generated, "--weeks", "100000")  # no date that far back
    assert too_far.exit_code == 2 and "--weeks" in too_far.output
    # the day's own requests, with their lead times, go through the same way
    asyncio.run(_fours_at_seven(cli_env["DATABASE_URL"], rid, [day], 2))
    booked = ok(cli_env, *args).stdout
    assert booked.startswith(f"{day.isoformat()}: 2 requests, 8 covers, from the booked requests")
