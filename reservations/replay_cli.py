"""`reservations replay-day`: a day's requests through the engine under changed rules,
and with capacity protection on (``--protect``)."""

from __future__ import annotations

import asyncio
import functools
import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from reservations.db import command_sessions
from reservations.settings import Settings, load_settings
from rules.table_fit import TableSpec
from rules.turn_time import TurnTimeRule
from services.availability import restaurant_inputs
from services.errors import NotFoundError
from services.optimizer.forecast import (
    Forecast,
    first_opening,
    lead_minutes,
    load_forecast,
    requests_made,
)
from services.optimizer.replay import (
    Protection,
    Request,
    Rules,
    changed,
    generated_day,
    made_along,
    replay,
    report,
)


def _turn_time(raw: str) -> TurnTimeRule:
    size, _, minutes = raw.partition("=")
    try:
        return TurnTimeRule(int(size), int(minutes))
    except ValueError:
        raise typer.BadParameter(f"{raw!r}: give SIZE=MINUTES, e.g. 4=120") from None


def _tables(path: Path) -> list[TableSpec]:
    """Tables from a JSON list: number, min_capacity, max_capacity, area, combinable_with."""
    try:
        rows: list[dict[str, Any]] = json.loads(path.read_text())
        return [
            TableSpec(
                id=str(row["number"]),
                number=str(row["number"]),
                min_capacity=int(row.get("min_capacity", 1)),
                max_capacity=int(row["max_capacity"]),
                area=row.get("area"),
                combinable_with=frozenset(str(n) for n in row.get("combinable_with", [])),
            )
            for row in rows
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise typer.BadParameter(f"{path}: {exc}") from None


async def _load(
    settings: Settings,
    restaurant_id: uuid.UUID,
    day: date,
    now: datetime,
    *,
    change: Callable[[Rules], Rules],
    weeks: int | None,
) -> tuple[Rules, Rules, list[Request], Forecast | None]:
    """The restaurant's rules for ``day``, the changed ones, the day's requests in the
    order they came and, with ``weeks``, the forecast from that many past weeks (stays
    by the changed rules), all from one connection."""
    async with command_sessions(settings) as sessions, sessions() as session:
        inputs = await restaurant_inputs(
            session,
            restaurant_id=restaurant_id,
            first_day=day,
            last_day=day,
            now=now,
            staff=True,
        )
        # the day's requests, turned-away ones included, in the order they came
        made = requests_made(restaurant_id, [day])
        rows = await session.execute(
            select(
                made.c.local_time,
                made.c.party_size,
                made.c.seating_area,
                made.c.starts_at,
                made.c.asked_at,
            ).order_by(made.c.asked_at, made.c.request_id)
        )
        requests = [
            Request(at, size, area, lead_minutes(starts, asked))
            for at, size, area, starts, asked in rows
        ]
        rules = Rules(
            timezone=inputs.timezone,
            services=inputs.services,
            special_day=inputs.special_day(day),
            policy=inputs.policy,
            tables=inputs.tables,
        )
        other = change(rules)
        forecast = None
        if weeks is not None:
            forecast = await load_forecast(
                session,
                restaurant_id=restaurant_id,
                day=day,
                weeks=weeks,
                opening=first_opening(other.services, day),
                policy=other.policy,
            )
    return rules, other, requests, forecast


def replay_day(
    restaurant: Annotated[uuid.UUID, typer.Option(help="the restaurant's id")],
    day: Annotated[datetime, typer.Option("--date", formats=["%Y-%m-%d"], help="the day")],
    turn_time: Annotated[
        list[str] | None,
        typer.Option(help="SIZE=MINUTES: parties of at least SIZE keep the table MINUTES"),
    ] = None,
    pacing: Annotated[
        int | None, typer.Option(min=1, help="at most this many covers per pacing window")
    ] = None,
    tables: Annotated[
        Path | None, typer.Option(help="a JSON list of tables to use instead of the floor")
    ] = None,
    generate: Annotated[
        bool, typer.Option(help="replay a generated day instead of the booked requests")
    ] = False,
    covers: Annotated[int, typer.Option(min=1, help="covers asked on a generated day")] = 200,
    seed: Annotated[int, typer.Option(help="seed of a generated day")] = 7,
    protect: Annotated[
        bool,
        typer.Option(
            help="the changed side also has capacity protection on, forecast from the same"
            " weekday's past requests (alone, compares protection on with now)"
        ),
    ] = False,
    weeks: Annotated[
        int, typer.Option(min=1, max=520, help="weeks of history the --protect forecast reads")
    ] = 8,
) -> None:
    """Replay a day's requests through the engine with changed rules; print what changes.

    With --protect, "changed" is the changed rules (or the same rules, when none is
    changed) with capacity protection on.
    """
    settings = load_settings()
    the_day = day.date()
    # the evening before: every request is judged as if booked in advance
    now = datetime.combine(the_day - timedelta(days=1), time(0), UTC)
    change = functools.partial(
        changed,
        turn_times=[_turn_time(t) for t in turn_time or []],
        pacing_covers=pacing,
        tables=_tables(tables) if tables else None,
    )
    load = _load(
        settings, restaurant, the_day, now, change=change, weeks=weeks if protect else None
    )
    try:
        rules, other, booked, forecast = asyncio.run(load)
    except NotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    requests = generated_day(rules, the_day, seed=seed, covers=covers) if generate else booked
    source = f"a generated day (seed {seed})" if generate else "the booked requests"
    asked = sum(r.party_size for r in requests)
    typer.echo(f"{the_day.isoformat()}: {len(requests)} requests, {asked} covers, from {source}")
    protection = None
    if forecast is not None:
        weekday = the_day.strftime("%A")
        if forecast.classes:
            typer.echo(
                f"protection on: forecast of {forecast.requests_a_day:.1f} requests a day"
                f" from {forecast.past_days} past {weekday}s in the last {weeks} weeks"
            )
        else:
            typer.echo(
                f"protection on: no requests on {weekday}s in the last {weeks} weeks,"
                " so the forecast is empty and protection changes nothing"
            )
        protection = Protection(forecast.classes, forecast.curve)
        if generate:
            # generated requests have no lead times: spread them along the past curve
            requests = made_along(requests, forecast.curve)
    for line in report(
        replay(rules, the_day, requests, now=now),
        replay(other, the_day, requests, now=now, protection=protection),
    ):
        typer.echo(line)
