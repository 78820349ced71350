"""The `reservations` command: dev runner, API, worker, migrations and admin tools.

Every command reads its settings from the environment (and ./.env); a bad setting
is reported as one line naming the variable, with exit code 2.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from alembic.util.exc import CommandError as AlembicError
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from models.enums import StaffRole
from models.schemas.staff import StaffCreate
from reservations.logging import configure_logging
from reservations.replay_cli import replay_day
from reservations.settings import (
    ConfigurationError,
    Environment,
    Settings,
    WorkerRole,
    load_settings,
)
from reservations.startup import (
    CommandError,
    create_admin_account,
    load_demo_data,
    run_downgrade,
    run_migrations,
    safe_url,
    staff_token,
)

app = typer.Typer(
    name="reservations",
    help="Durable restaurant reservations: API, Temporal worker, migrations and tools.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@contextmanager
def _clean_failures() -> Iterator[None]:
    """Turn expected failures into one line on stderr instead of a traceback."""
    try:
        yield
    except ConfigurationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except (CommandError, AlembicError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except DBAPIError as exc:
        detail = str(exc.orig or exc).splitlines()[0]
        typer.echo(
            f"database error: {detail} (is the database up and migrated? "
            "try `reservations migrate`)",
            err=True,
        )
        raise typer.Exit(1) from None
    except OSError as exc:
        # e.g. the database server refusing connections
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _load() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level, json=settings.logs_as_json)
    return settings


# --- commands ------------------------------------------------------------------------------


@app.command()
def dev(
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="create Demo Bistro and a demo admin")
    ] = True,
    api_port: Annotated[
        int | None, typer.Option(help="API port [default: API_PORT, 8000]", min=1, max=65535)
    ] = None,
    temporal_port: Annotated[
        int, typer.Option(help="embedded Temporal frontend (gRPC) port", min=1, max=65535)
    ] = 7233,
    ui_port: Annotated[
        int | None,
        typer.Option(help="Temporal UI port [default: TEMPORAL_UI_PORT, 8233]", min=1, max=65535),
    ] = None,
) -> None:
    """Run everything locally: Temporal dev server, migrations, worker and API."""
    with _clean_failures():
        settings = _load()
        # imported here so the other commands do not load the dev runner
        from worker.dev import run_dev

        code = run_dev(
            settings,
            demo=demo,
            api_port=api_port or settings.api_port,
            temporal_port=temporal_port,
            ui_port=ui_port or settings.temporal_ui_port,
        )
    raise typer.Exit(code)


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="bind address [default: API_HOST]")] = None,
    port: Annotated[
        int | None, typer.Option(help="port [default: API_PORT]", min=1, max=65535)
    ] = None,
) -> None:
    """Serve the HTTP API with uvicorn."""
    with _clean_failures():
        settings = _load()
        settings.effective_jwt_secret()  # fail here, in one line, rather than inside uvicorn
        import uvicorn

        from reservations.live_streams import ApiServer

        # ApiServer ends open live event streams on shutdown, which would otherwise hang
        config = uvicorn.Config(
            "api.app:create_app",
            factory=True,
            host=host or settings.api_host,
            port=port or settings.api_port,
            log_level=settings.log_level.lower(),
            # the client address is decided by TRUSTED_PROXIES (api/client_address.py) alone
            proxy_headers=False,
            # JSON logs: uvicorn's records go through our root handler, not its own format
            log_config=None if settings.logs_as_json else uvicorn.config.LOGGING_CONFIG,
            # the API logs one http.request line per request itself, with its request id
            access_log=not settings.logs_as_json,
            timeout_graceful_shutdown=settings.api_graceful_shutdown_seconds,
        )
        server = ApiServer(config)
        server.run()
        if not server.started:
            raise SystemExit(3)  # what uvicorn.run answers when start-up fails


@app.command()
def worker(
    role: Annotated[
        WorkerRole | None,
        typer.Option(
            help="all: the main and -messages task queues; bookings: the main queue; "
            "messages: message sends only [default: WORKER_ROLE, all]",
            case_sensitive=False,
        ),
    ] = None,
) -> None:
    """Run the Temporal worker until SIGINT/SIGTERM."""
    with _clean_failures():
        settings = _load()
        # imported here so the other commands do not load temporalio
        from worker.main import run_worker
        from worker.temporal import TemporalUnavailable

        try:
            asyncio.run(run_worker(settings, role=role))
        except TemporalUnavailable as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
    # Stopped cleanly, everything closed. The SDK's Rust threads can outlive the event
    # loop and abort the interpreter's teardown (temporalio/sdk-python#300; seen here
    # with a graceful shutdown period pending), so end without it.
    _exit_without_teardown()


def _exit_without_teardown() -> None:
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@app.command()
def migrate(
    revision: Annotated[str, typer.Option(help="target revision")] = "head",
) -> None:
    """Upgrade the database schema (Alembic)."""
    with _clean_failures():
        settings = _load()
        run_migrations(settings, revision)
        typer.echo(f"migrated {safe_url(settings.effective_database_url)} to {revision}")


@app.command()
def downgrade(
    revision: Annotated[str, typer.Option(help="target revision, e.g. -1 or base")],
) -> None:
    """Downgrade the database schema (Alembic)."""
    with _clean_failures():
        settings = _load()
        run_downgrade(settings, revision)
        typer.echo(f"downgraded {safe_url(settings.effective_database_url)} to {revision}")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="sign-in email")],
    full_name: Annotated[str, typer.Option(help="display name")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            confirmation_prompt=True,
            hide_input=True,
            help="at least 10 characters; prompted when omitted",
        ),
    ],
) -> None:
    """Create an admin account (sees and manages every restaurant)."""
    with _clean_failures():
        settings = _load()
        try:
            data = StaffCreate(
                email=email, full_name=full_name, password=password, role=StaffRole.ADMIN
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "input"
            typer.echo(f"invalid --{field.replace('_', '-')}: {first['msg']}", err=True)
            raise typer.Exit(2) from None
        staff = asyncio.run(
            create_admin_account(
                settings, email=str(data.email), full_name=data.full_name, password=data.password
            )
        )
        typer.echo(f"created admin {staff.email} ({staff.id})")


@app.command()
def token(
    email: Annotated[str, typer.Option(help="email of an active staff member")],
    ttl_minutes: Annotated[
        int | None, typer.Option(help="lifetime [default: JWT_TTL_MINUTES]", min=1)
    ] = None,
) -> None:
    """Print a bearer token for a staff member (for scripts and API docs)."""
    with _clean_failures():
        settings = _load()
        typer.echo(asyncio.run(staff_token(settings, email=email, ttl_minutes=ttl_minutes)))


@app.command("google-feeds")
def google_feeds(
    out: Annotated[Path, typer.Option("--out", help="directory for the three JSON feeds")],
    days: Annotated[
        int | None, typer.Option(help="service days ahead [default: GOOGLE_FEED_DAYS]", min=1)
    ] = None,
) -> None:
    """Write Reserve with Google's merchant, service and availability feeds as JSON."""
    with _clean_failures():
        settings = _load()
        from reservations.startup import write_google_feeds

        files = asyncio.run(write_google_feeds(settings, out=out, days=days))
        typer.echo(
            f"{files.merchant_count} merchants, {files.slot_count} availability entries: "
            f"{files.merchants}, {files.services}, {files.availability}"
        )


@app.command("demo-data")
def demo_data() -> None:
    """Create Demo Bistro and a demo admin (idempotent); print the id and an admin token."""
    with _clean_failures():
        settings = _load()
        if settings.environment is Environment.PRODUCTION:
            raise ConfigurationError("ENVIRONMENT", "demo data is refused in production")
        summary = asyncio.run(load_demo_data(settings))
        state = "created" if summary.restaurant_created else "exists"
        typer.echo(f"restaurant_id={summary.restaurant_id}  # {summary.restaurant_name}, {state}")
        typer.echo(f"admin_email={summary.admin_email}")
        if summary.admin_password:
            typer.echo(f"admin_password={summary.admin_password}  # shown once")
        typer.echo(f"admin_token={summary.admin_token}")


@app.command("check-invariants")
def check_invariants() -> None:
    """Check the database's promises (no double booking, money moved once); exit 1 if broken."""
    with _clean_failures():
        settings = _load()
        from reservations.invariants_cli import run_checks

        results = asyncio.run(run_checks(settings))
        for result in results:
            typer.echo(result.line())
        if not all(result.ok for result in results):
            raise typer.Exit(1)


guests_app = typer.Typer(help="Guest CRM maintenance.", no_args_is_help=True)
app.add_typer(guests_app, name="guests")


@guests_app.command("recount")
def guests_recount(
    check: Annotated[
        bool, typer.Option("--check", help="only compare; exit 1 listing the mismatches")
    ] = False,
) -> None:
    """Recompute every guest's per-restaurant statistics from the reservations."""
    with _clean_failures():
        settings = _load()
        from reservations.crm_tools import recount_guest_statistics

        found = asyncio.run(recount_guest_statistics(settings, check=check))
        for mismatch in found:
            typer.echo(mismatch.describe())
        if check:
            if found:
                typer.echo(f"{len(found)} relationships differ from their reservations", err=True)
                raise typer.Exit(1)
            typer.echo("guest statistics match the reservations")
        else:
            typer.echo(f"rewrote {len(found)} relationships")


privacy_app = typer.Typer(help="Guest data protection (GDPR): retention.", no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")


@privacy_app.command("retention")
def privacy_retention(
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run/--run",
            help="list what would be done (default), or run the retention workflow now",
        ),
    ] = True,
) -> None:
    """Anonymise guests inactive for RETENTION_GUEST_MONTHS and clear old message bodies."""
    with _clean_failures():
        settings = _load()
        from reservations.retention_cli import dry_run as plan
        from reservations.retention_cli import report, run_now

        result = asyncio.run(plan(settings) if dry_run else run_now(settings))
        for line in report(result):
            typer.echo(line)


app.command("replay-day")(replay_day)


if __name__ == "__main__":
    app()
