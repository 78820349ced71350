"""The `reservations` command line against real databases.

CLI runs use a temporary SQLite file (the embedded default); the demo restaurant is
also built on PostgreSQL through the shared `db` fixture.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol, TypeVar

import httpx
import jwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute
from typer.testing import CliRunner, Result

from api.app import API_PREFIX, create_app
from models.orm import FloorPlan, Restaurant, RestaurantTable, SeatingArea, ServicePeriod, StaffUser
from reservations.cli import app
from reservations.settings import Settings
from services.demo import DEMO_ADMIN_EMAIL, DEMO_SLUG, ensure_demo_admin, ensure_demo_restaurant
from services.staff_tokens import ALGORITHM, AUDIENCE, staff_id_from_token

SECRET = "cli-test-secret-" + "y" * 40
PASSWORD = "correct horse battery"
runner = CliRunner()
T = TypeVar("T")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Only the variables a test sets; cwd is a temp dir so no ./.env or ./var leaks in."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", "JWT_SECRET": SECRET}


def run(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), env=env, input=input)


def ok(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    result = run(env, *args, input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def db_path(env: dict[str, str]) -> Path:
    return Path(env["DATABASE_URL"].removeprefix("sqlite+aiosqlite:///"))


def sql(env: dict[str, str], query: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path(env)) as conn:
        return conn.execute(query, params).fetchall()


def table_names(env: dict[str, str]) -> set[str]:
    return {str(r[0]) for r in sql(env, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def with_api(env: dict[str, str], calls: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    """Run `calls` against the API app (lifespan included) on the test's database."""

    async def go() -> T:
        settings = Settings(_env_file=None, database_url=env["DATABASE_URL"], jwt_secret=SECRET)
        api = create_app(settings)
        async with api.router.lifespan_context(api):
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await calls(client)

    return asyncio.run(go())


def key_values(output: str) -> dict[str, str]:
    """`name=value  # comment` lines of demo-data output."""
    pairs = (line.split("#")[0].strip().split("=", 1) for line in output.splitlines())
    return {p[0]: p[1] for p in pairs if len(p) == 2}


@pytest.mark.long_running
def test_migrate_creates_the_schema_and_downgrade_removes_it(cli_env: dict[str, str]) -> None:
    result = ok(cli_env, "migrate")
    assert "to head" in result.stdout
    assert {"restaurants", "restaurant_tables", "staff_users", "alembic_version"} <= table_names(
        cli_env
    )
    ok(cli_env, "downgrade", "--revision", "base")
    assert "restaurants" not in table_names(cli_env)
    ok(cli_env, "migrate", "--revision", "head")
    assert "restaurants" in table_names(cli_env)


def test_downgrade_needs_a_revision(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "downgrade")
    assert result.exit_code == 2
    assert "--revision" in result.output


def test_an_unknown_revision_is_one_line(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "migrate", "--revision", "nope")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "nope" in result.stderr and "Traceback" not in result.output


@pytest.mark.long_running
def test_created_admin_gets_a_token_the_api_accepts(cli_env: dict[str, str]) -> None:
    ok(cli_env, "migrate")
    created = ok(
        cli_env,
        "create-admin",
        "--email",
        "Ada@Example.com",
        "--full-name",
        "Ada Admin",
        "--password",
        PASSWORD,
    )
    match = re.search(r"created admin ada@example\.com \(([0-9a-f-]{36})\)", created.stdout)
    assert match, created.stdout
    staff_id = uuid.UUID(match.group(1))

    token = ok(cli_env, "token", "--email", "ada@example.com").stdout.strip()
    assert staff_id_from_token(token, secret=SECRET) == staff_id
    assert staff_id_from_token(token, secret="another-secret-" + "z" * 40) is None

    async def calls(client: httpx.AsyncClient) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        me = await client.get(f"{API_PREFIX}/auth/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["email"] == "ada@example.com"
        assert me.json()["role"] == "admin"
        # the password set on the command line signs in over HTTP too
        login = await client.post(
            f"{API_PREFIX}/auth/token", json={"email": "ada@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text

    with_api(cli_env, calls)


def test_token_lifetime_can_be_chosen(cli_env: dict[str, str]) -> None:
    ok(cli_env, "migrate")
    ok(
        cli_env,
        "create-admin",
        "--email",
        "t@example.com",
        "--full-name",
        "T",
        "--password",
        PASSWORD,
    )
    token = ok(cli_env, "token", "--email", "t@example.com", "--ttl-minutes", "5").stdout.strip()
    claims = jwt.decode(token, SECRET, algorithms=[ALGORITHM], audience=AUDIENCE)
    assert claims["exp"] - claims["iat"] == 300


def test_create_admin_prompts_for_a_hidden_confirmed_password(cli_env: dict[str, str]) -> None:
    ok(cli_env, "migrate")
    result = ok(
        cli_env,
        "create-admin",
        "--email",
        "p@example.com",
        "--full-name",
        "Prompted",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert "Password" in result.output and "Repeat" in result.output
    assert PASSWORD not in result.output
    ok(cli_env, "token", "--email", "p@example.com")


def test_create_admin_refuses_bad_input_in_one_line(cli_env: dict[str, str]) -> None:
    ok(cli_env, "migrate")
    short = run(
        cli_env,
        "create-admin",
        "--email",
        "s@example.com",
        "--full-name",
        "S",
        "--password",
        "short",
    )
    assert short.exit_code == 2
    assert short.stderr.strip().count("\n") == 0 and "--password" in short.stderr
    bad_email = run(
        cli_env,
        "create-admin",
        "--email",
        "not-an-email",
        "--full-name",
        "S",
        "--password",
        PASSWORD,
    )
    assert bad_email.exit_code == 2 and "--email" in bad_email.stderr
    ok(
        cli_env,
        "create-admin",
        "--email",
        "d@example.com",
        "--full-name",
        "D",
        "--password",
        PASSWORD,
    )
    again = run(
        cli_env,
        "create-admin",
        "--email",
        "D@example.com",
        "--full-name",
        "D",
        "--password",
        PASSWORD,
    )
    assert again.exit_code == 1
    assert "already exists" in again.stderr and "Traceback" not in again.output


def test_token_for_unknown_or_inactive_staff_fails_in_one_line(cli_env: dict[str, str]) -> None:
    ok(cli_env, "migrate")
    result = run(cli_env, "token", "--email", "nobody@example.com")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no active staff member with email nobody@example.com"
    ok(
        cli_env,
        "create-admin",
        "--email",
        "gone@example.com",
        "--full-name",
        "G",
        "--password",
        PASSWORD,
    )
    sql(cli_env, "UPDATE staff_users SET is_active = 0 WHERE email = 'gone@example.com'")
    assert run(cli_env, "token", "--email", "gone@example.com").exit_code == 1


def test_commands_on_an_unmigrated_database_say_so(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "token", "--email", "a@example.com")
    assert result.exit_code == 1
    assert "reservations migrate" in result.stderr and "Traceback" not in result.output


def test_demo_data_creates_demo_bistro_once(cli_env: dict[str, str]) -> None:
    ok(cli_env, "migrate")
    first = key_values(ok(cli_env, "demo-data").stdout)
    restaurant_id = uuid.UUID(first["restaurant_id"])
    assert first["admin_email"] == DEMO_ADMIN_EMAIL
    assert first["admin_password"]
    assert staff_id_from_token(first["admin_token"], secret=SECRET) is not None

    rid = restaurant_id.hex  # SQLite stores UUIDs as 32 hex characters
    assert sql(cli_env, "SELECT name, timezone, currency FROM restaurants") == [
        ("Demo Bistro", "Europe/Amsterdam", "EUR")
    ]
    tables = sql(cli_env, "SELECT COUNT(*) FROM restaurant_tables WHERE restaurant_id = ?", rid)
    assert 18 <= int(str(tables[0][0])) <= 22
    areas = sql(cli_env, "SELECT name FROM seating_areas WHERE restaurant_id = ?", rid)
    assert {a[0] for a in areas} == {"Main room", "Terrace", "Bar"}
    assert sql(cli_env, "SELECT COUNT(*) FROM floor_plans") == [(1,)]
    walk_in_only = sql(cli_env, "SELECT COUNT(*) FROM restaurant_tables WHERE online_bookable = 0")
    assert walk_in_only == [(2,)]

    second = key_values(ok(cli_env, "demo-data").stdout)
    assert second["restaurant_id"] == first["restaurant_id"]
    assert "admin_password" not in second  # the account already existed
    assert sql(cli_env, "SELECT COUNT(*) FROM restaurants WHERE slug = ?", DEMO_SLUG) == [(1,)]
    assert sql(cli_env, "SELECT COUNT(*) FROM restaurant_tables") == tables
    assert sql(cli_env, "SELECT COUNT(*) FROM staff_users") == [(1,)]

    headers = {"Authorization": f"Bearer {second['admin_token']}"}

    async def calls(client: httpx.AsyncClient) -> None:
        listed = (await client.get(f"{API_PREFIX}/restaurants")).json()
        assert [r["name"] for r in listed["items"]] == ["Demo Bistro"]
        page = await client.get(f"{API_PREFIX}/restaurants/{restaurant_id}/tables", headers=headers)
        assert page.status_code == 200, page.text
        assert page.json()["total"] == int(str(tables[0][0]))
        hours = await client.get(f"{API_PREFIX}/restaurants/{restaurant_id}/opening-hours")
        weekend = [
            s for s in hours.json()["services"] if s["weekday"] in (4, 5) and s["name"] == "dinner"
        ]
        assert {(s["closes_at"], s["last_seating_at"]) for s in weekend} == {
            ("00:30:00", "22:30:00")
        }

    with_api(cli_env, calls)


def test_demo_data_is_refused_in_production(cli_env: dict[str, str]) -> None:
    result = run({**cli_env, "ENVIRONMENT": "production"}, "demo-data")
    assert result.exit_code == 2
    assert "ENVIRONMENT" in result.stderr


EVERY_COMMAND = [
    ["dev"],
    ["api"],
    ["worker"],
    ["migrate"],
    ["downgrade", "--revision", "base"],
    ["create-admin", "--email", "x@example.com", "--full-name", "X", "--password", PASSWORD],
    ["token", "--email", "x@example.com"],
    ["demo-data"],
]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c[0])
@pytest.mark.parametrize(
    ("variable", "value"),
    [("DATABASE_URL", "mysql://x"), ("PAYMENT_PROVIDER", "stripe"), ("ENVIRONMENT", "staging")],
)
def test_a_bad_setting_is_one_line_and_exit_2(
    cli_env: dict[str, str], command: list[str], variable: str, value: str
) -> None:
    result = run({**cli_env, variable: value}, *command)
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_production_without_jwt_secret_is_refused(cli_env: dict[str, str]) -> None:
    env = {"DATABASE_URL": cli_env["DATABASE_URL"], "ENVIRONMENT": "production"}
    result = run(env, "api")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "configuration error: JWT_SECRET: must be set in production, 32 characters or more"
    )


class HasSessions(Protocol):
    sessions: async_sessionmaker[AsyncSession]


async def count(
    session: AsyncSession, column: InstrumentedAttribute[uuid.UUID], restaurant_id: uuid.UUID
) -> int:
    total = await session.scalar(select(func.count()).where(column == restaurant_id))
    return int(total or 0)


async def test_demo_restaurant_on_both_databases(db: HasSessions) -> None:
    async with db.sessions() as session, session.begin():
        restaurant, created = await ensure_demo_restaurant(session)
        admin, password = await ensure_demo_admin(session)
    assert created and password
    async with db.sessions() as session, session.begin():
        again, created_again = await ensure_demo_restaurant(session)
        _, password_again = await ensure_demo_admin(session)
    assert again.id == restaurant.id and not created_again and password_again is None

    async with db.sessions() as session:
        assert await count(session, RestaurantTable.restaurant_id, restaurant.id) == 20
        assert await count(session, SeatingArea.restaurant_id, restaurant.id) == 3
        assert await count(session, FloorPlan.restaurant_id, restaurant.id) == 1
        assert await count(session, ServicePeriod.restaurant_id, restaurant.id) == 11
        assert await session.scalar(select(func.count()).select_from(Restaurant)) == 1
        assert await session.scalar(select(func.count()).select_from(StaffUser)) == 1
        tables = {
            t.number: t
            for t in await session.scalars(
                select(RestaurantTable).where(RestaurantTable.restaurant_id == restaurant.id)
            )
        }
    # combinations are symmetric, and the big table seats 6 to 8
    for table in tables.values():
        for partner_id in table.combinable_with:
            partner = next(t for t in tables.values() if str(t.id) == partner_id)
            assert str(table.id) in partner.combinable_with
    assert sum(1 for t in tables.values() if t.combinable_with) == 8
    assert (tables["12"].min_capacity, tables["12"].max_capacity) == (6, 8)
    assert {t.number for t in tables.values() if not t.online_bookable} == {"B1", "B2"}
    assert admin.email == DEMO_ADMIN_EMAIL
