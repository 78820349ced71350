"""Table assignment: first-fit, today's engine, engine + make-room, and the hindsight optimum.

Generated demand (guests ask for one time; a refusal is a turned-away party) over
two floors, at three loads, booked in a random arrival order:

* a 240-seat room: 2 two-tops, 56 four-tops, 2 six-tops;
* a 40-seat bistro: 20 two-tops in a row, each combinable with its neighbours.

More than 60% of parties are of 1-2; turn times 45/60/75/90 minutes by size
(mean about 50 minutes).  Policies, side by side on the same requests:

* ``first-fit``: first come, first served, first table in floor order that fits;
* ``engine``: smallest fit, the real engine (``rules.availability.check_time``);
* ``make-room``: the engine, and on ``no_table_fits`` a bounded CP-SAT re-seat of
  the parties already booked (``services.optimizer.make_room``);
* ``protected``: make-room, and a table the engine found is refused when, by a
  forecast of the requests still to come, it would displace more covers than the
  party brings (``services.optimizer.admission``); the forecast is the mean of
  other seeds' demand from the same generator, never the requests being booked;
* ``hindsight``: CP-SAT over the whole night's requests at once (cached under
  var/ per floor, load, seed and time limit).

Run: python -m benchmarks.table_assignment [--seed 7] [--hindsight-seconds 20]
"""

from __future__ import annotations

import argparse
import json
import random
import time as clock
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from benchmarks import median, percentile
from rules.availability import BookingPolicy, UnavailableReason, check_time
from rules.occupancy import Booking
from rules.opening_hours import ServiceHours
from rules.table_fit import TableOption, TableSpec, natural_key
from rules.turn_time import TurnTimeRule, turn_time_minutes
from services.optimizer.admission import ForecastClass, admit, kind_of
from services.optimizer.by_type import optimum_by_type
from services.optimizer.make_room import make_room
from services.optimizer.parties import first_free, options_for
from services.optimizer.solver import Party, solve

ZONE = "UTC"
DAY = date(2031, 3, 5)
NOW = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
OPENS, LAST_SEATING, CLOSES = time(17), time(21, 30), time(23, 30)
TURNS = (TurnTimeRule(1, 45), TurnTimeRule(3, 60), TurnTimeRule(5, 75), TurnTimeRule(7, 90))
POLICY = BookingPolicy(
    interval_minutes=15, min_notice_minutes=0, turn_times=TURNS, default_turn_minutes=45
)
SERVICES = tuple(ServiceHours("dinner", d, OPENS, CLOSES, LAST_SEATING) for d in range(7))
SIZES = (1, 2, 3, 4, 5, 6)
WEIGHTS = (8, 55, 10, 17, 5, 5)  # 63% of parties are 1-2
LOADS = {"low": 0.6, "medium": 0.9, "high": 1.2}  # demand seat-minutes / seat-minutes on offer
MAKE_ROOM_BUDGET_MS = 100
FORECAST_DAYS = 8  # past days the forecast averages
CACHE = Path("var/table_assignment")


def big_room() -> list[TableSpec]:
    """240 seats: 2 two-tops, 56 four-tops, 2 six-tops."""
    tables = [TableSpec(f"d{i}", f"{i}", 1, 2) for i in (1, 2)]
    tables += [TableSpec(f"q{i}", f"{i}", 1, 4) for i in range(3, 59)]
    tables += [TableSpec(f"s{i}", f"{i}", 3, 6) for i in (59, 60)]
    return tables


def bistro() -> list[TableSpec]:
    """40 seats: 20 two-tops in a row, each combinable with its neighbours (up to three)."""
    ids = [f"b{i}" for i in range(1, 21)]
    return [
        TableSpec(
            ids[i],
            str(i + 1),
            1,
            2,
            combinable_with=frozenset(ids[j] for j in (i - 1, i + 1) if 0 <= j < len(ids)),
        )
        for i in range(len(ids))
    ]


@dataclass(frozen=True, slots=True)
class Request:
    id: str
    size: int
    minute: int  # from 17:00
    stay: int


def _stay(size: int) -> int:
    return turn_time_minutes(size, TURNS, 45)


def demand(tables: Sequence[TableSpec], load: float, rng: random.Random) -> list[Request]:
    """Requests in arrival order; times peak around 19:30."""
    seats = sum(t.max_capacity for t in tables)
    offered = seats * (_minutes(LAST_SEATING) + 60)
    wanted: list[Request] = []
    used = 0
    slots = list(range(0, _minutes(LAST_SEATING) + 1, 15))
    slot_weights = [max(1.0, 6 - abs(m - 150) / 30) for m in slots]
    while used < load * offered:
        size = rng.choices(SIZES, WEIGHTS)[0]
        minute = rng.choices(slots, slot_weights)[0]
        wanted.append(Request(f"r{len(wanted)}", size, minute, _stay(size)))
        used += size * _stay(size)
    rng.shuffle(wanted)
    return wanted


def _minutes(at: time) -> int:
    return (at.hour - OPENS.hour) * 60 + at.minute


def _instant(minute: int) -> datetime:
    return datetime.combine(DAY, OPENS, UTC) + timedelta(minutes=minute)


@dataclass
class Result:
    accepted: int = 0
    refused: int = 0
    seat_minutes: int = 0
    moves: int = 0
    protected: int = 0  # covers refused by capacity protection
    solve_ms: list[float] = field(default_factory=list)
    note: str = ""


def first_fit(tables: Sequence[TableSpec], requests: Sequence[Request]) -> Result:
    """First come, first served; the first table (or combination) in floor order."""
    result, busy = Result(), {}  # type: ignore[var-annotated]
    for r in requests:
        options = sorted(
            options_for(r.size, tables),
            key=lambda o: (len(o.table_ids), [natural_key(n) for n in o.numbers]),
        )
        option = first_free(options, busy, r.minute, r.minute + r.stay)
        _book(result, busy, r, option)
    return result


def _book(
    result: Result, busy: dict[str, list[tuple[int, int]]], r: Request, option: TableOption | None
) -> None:
    if option is None:
        result.refused += r.size
        return
    result.accepted += r.size
    result.seat_minutes += r.size * r.stay
    for t in option.table_ids:
        busy.setdefault(t, []).append((r.minute, r.minute + r.stay))


def _engine(
    tables: Sequence[TableSpec], bookings: Sequence[Booking], r: Request
) -> TableOption | None:
    answer = check_time(
        day=DAY,
        local_time=(datetime.combine(DAY, OPENS) + timedelta(minutes=r.minute)).time(),
        party_size=r.size,
        timezone=ZONE,
        services=SERVICES,
        special_day=None,
        policy=POLICY,
        tables=tables,
        bookings=bookings,
        now=NOW,
    )
    if answer.reason not in (None, UnavailableReason.NO_TABLE_FITS):
        raise RuntimeError(f"unexpected refusal {answer.reason} for {r}")
    return answer.tables


def engine(
    tables: Sequence[TableSpec],
    requests: Sequence[Request],
    *,
    room: bool = False,
    seated: dict[str, tuple[Request, tuple[str, ...]]] | None = None,
    forecast: Sequence[ForecastClass] | None = None,
) -> Result:
    """Today's engine, request by request; with ``room``, make room on a table refusal;
    with ``forecast``, capacity protection may refuse the table found.

    ``seated`` (filled in) ends with where everyone accepted sits.
    """
    result = Result()
    seated = {} if seated is None else seated
    expected = sum(c.expected for c in forecast or ())
    for arrived, r in enumerate(requests):
        still_to_come = max(0.0, 1 - arrived / expected) if expected else 0.0
        bookings = [
            Booking(ids, _instant(q.minute), _instant(q.minute + q.stay), q.size)
            for q, ids in seated.values()
        ]
        option = _engine(tables, bookings, r)
        if option is None and room:
            parties = [
                Party(q.id, q.size, q.minute, q.minute + q.stay, options_for(q.size, tables), ids)
                for q, ids in seated.values()
            ]
            newcomer = Party(r.id, r.size, r.minute, r.minute + r.stay, options_for(r.size, tables))
            started = clock.perf_counter()
            made = make_room(parties, newcomer, time_budget_ms=MAKE_ROOM_BUDGET_MS)
            # the whole attempt, model building included: what a booking would wait
            result.solve_ms.append((clock.perf_counter() - started) * 1000)
            if made is not None:
                if forecast is not None and not _admitted(
                    tables, seated, r, made.seat.table_ids, forecast, still_to_come
                ):
                    result.refused += r.size
                    result.protected += r.size
                    continue
                for move in made.moves:
                    seated[move.party_id] = (seated[move.party_id][0], move.table_ids)
                result.moves += len(made.moves)
                seated[r.id] = (r, made.seat.table_ids)
                result.accepted += r.size
                result.seat_minutes += r.size * r.stay
                continue
        if option is None:
            result.refused += r.size
            continue
        if forecast is not None and not _admitted(
            tables, seated, r, option.table_ids, forecast, still_to_come
        ):
            result.refused += r.size
            result.protected += r.size
            continue
        seated[r.id] = (r, option.table_ids)
        result.accepted += r.size
        result.seat_minutes += r.size * r.stay
    return result


def _admitted(
    tables: Sequence[TableSpec],
    seated: dict[str, tuple[Request, tuple[str, ...]]],
    r: Request,
    table_ids: tuple[str, ...],
    forecast: Sequence[ForecastClass],
    still_to_come: float,
) -> bool:
    """Capacity protection on the tables found for ``r``, by the kind of table they are."""
    by_id = {t.id: t for t in tables}
    kind = kind_of(by_id[table_ids[0]])
    alike = {t.id for t in tables if kind_of(t) == kind}
    step = POLICY.interval_minutes
    free = {}
    for moment in range(r.minute, r.minute + r.stay, step):
        busy = {
            t for q, ids in seated.values() if q.minute <= moment < q.minute + q.stay for t in ids
        }
        free[moment] = len(alike - busy)
    verdict = admit(
        size=r.size,
        start=r.minute,
        stay=r.stay,
        kind=kind,
        combinable=any(t.combinable_with for t in tables),
        free_tables=free,
        forecast=forecast,
        still_to_come=still_to_come,
        step=step,
    )
    return verdict.accept


def forecast_for(
    name: str, tables: Sequence[TableSpec], load: str, seed: int
) -> list[ForecastClass]:
    """Mean requests per (party size, time) over FORECAST_DAYS other seeds' demand:
    what past days of the same service would tell the restaurant."""
    counts: Counter[tuple[int, int]] = Counter()
    for day in range(1, FORECAST_DAYS + 1):
        past = demand(tables, LOADS[load], random.Random(f"{seed}-past{day}-{name}-{load}"))
        counts.update((q.size, q.minute) for q in past)
    return [
        ForecastClass(size, minute, _stay(size), n / FORECAST_DAYS)
        for (size, minute), n in sorted(counts.items())
        if options_for(size, tables)  # parties no table can seat compete for nothing
    ]


def hindsight(
    tables: Sequence[TableSpec],
    requests: Sequence[Request],
    seconds: float,
    start: dict[str, tuple[str, ...]],
) -> Result:
    """Every request known in advance: CP-SAT maximises seated covers.

    ``start`` (the engine's seating) is the solver's hint and its floor.
    """
    parties = [
        Party(
            r.id,
            r.size,
            r.minute,
            r.minute + r.stay,
            options_for(r.size, tables),
            current=start.get(r.id),
            required=False,
        )
        for r in requests
    ]
    if not any(t.combinable_with for t in tables):
        # interchangeable single tables: the exact, compact model by table type
        ids, bound, status, ms = optimum_by_type(
            parties, tables, time_budget_ms=int(seconds * 1000)
        )
        by_id = {r.id: r for r in requests}
        covers = sum(by_id[i].size for i in ids)
        return Result(
            accepted=covers,
            refused=sum(r.size for r in requests) - covers,
            seat_minutes=sum(by_id[i].size * by_id[i].stay for i in ids),
            solve_ms=[ms],
            note=f"{status} by table type, bound {bound}",
        )
    plan = solve(parties, time_budget_ms=int(seconds * 1000), workers=2, move_cost=False)
    by_id = {r.id: r for r in requests}
    seated = [by_id[s.party_id] for s in plan.seats]
    proof = (
        f"bound {plan.bound_covers}"
        if plan.bound_covers is not None
        else "nothing better than the engine found, no bound proven"
    )
    return Result(
        accepted=plan.covers,
        refused=sum(r.size for r in requests) - plan.covers,
        seat_minutes=sum(r.size * r.stay for r in seated),
        solve_ms=[plan.solve_ms],
        note=f"{plan.status}, {proof}",
    )


def report(name: str, tables: Sequence[TableSpec], load: str, seed: int, seconds: float) -> None:
    rng = random.Random(f"{seed}-{name}-{load}")
    requests = demand(tables, LOADS[load], rng)
    seats = sum(t.max_capacity for t in tables)
    offered = seats * (_minutes(LAST_SEATING) + 60)
    asked = sum(r.size for r in requests)
    print(f"{name}, {load} load: {len(requests)} requests, {asked} covers asked, {seats} seats")
    greedy: dict[str, tuple[Request, tuple[str, ...]]] = {}
    forecast = forecast_for(name, tables, load, seed)
    results = {
        "first-fit": first_fit(tables, requests),
        "engine": engine(tables, requests, seated=greedy),
        "make-room": engine(tables, requests, room=True),
        "protected": engine(tables, requests, room=True, forecast=forecast),
    }
    start = {rid: ids for rid, (_, ids) in greedy.items()}
    results["hindsight"] = cached_hindsight(name, load, seed, seconds, tables, requests, start)
    best = results["hindsight"].accepted or 1
    for policy, res in results.items():
        timing = (
            f"solve p50 {median(res.solve_ms):.1f} ms p99 {percentile(res.solve_ms, 99):.1f} ms "
            f"({len(res.solve_ms)} solves)"
            if res.solve_ms
            else "no solves"
        )
        print(
            f"  {policy:<10} covers {res.accepted:>4}  turned away {res.refused:>4} "
            f"(protection {res.protected:>3})  "
            f"utilisation {res.seat_minutes / offered:6.1%}  moves {res.moves:>3}  "
            f"ratio to hindsight {res.accepted / best:.3f}  {timing}"
            + (f"  [{res.note}]" if res.note else "")
        )


def cached_hindsight(
    name: str,
    load: str,
    seed: int,
    seconds: float,
    tables: Sequence[TableSpec],
    requests: Sequence[Request],
    start: dict[str, tuple[str, ...]],
) -> Result:
    """The hindsight result, solved once per floor, load, seed and time limit (var/ cache)."""
    path = CACHE / f"{name.replace(' ', '_')}-{load}-{seed}-{seconds:g}s.json"
    if path.exists():
        return Result(**json.loads(path.read_text()))
    result = hindsight(tables, requests, seconds, start)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(result)))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hindsight-seconds", type=float, default=20.0)
    parser.add_argument("--floor", choices=("room", "bistro"), help="one floor only")
    parser.add_argument("--load", choices=tuple(LOADS), help="one load only")
    args = parser.parse_args()
    print(f"table assignment: make-room budget {MAKE_ROOM_BUDGET_MS} ms, seed {args.seed}")
    floors = {"room": ("240-seat room", big_room()), "bistro": ("40-seat bistro", bistro())}
    for key, (name, tables) in floors.items():
        if args.floor in (None, key):
            for load in LOADS:
                if args.load in (None, load):
                    report(name, tables, load, args.seed, args.hindsight_seconds)


if __name__ == "__main__":
    main()
