"""Start-up work shared by the `reservations` CLI and the dev runner.

Migrations, demo data and staff accounts/tokens: everything here runs before (or
beside) the servers, and depends on nothing above the services.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from sqlalchemy import select
from sqlalchemy.engine import make_url

from models.enums import StaffRole
from models.orm import StaffUser
from reservations.db import command_sessions, transaction
from reservations.settings import Settings
from services.demo import ensure_demo_admin, ensure_demo_restaurant
from services.errors import ServiceError
from services.partners.google_feeds import FeedFiles, write_feeds
from services.staff import create_staff
from services.staff_tokens import issue_staff_token

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class CommandError(Exception):
    """A failure the user can act on; printed as one line, exit code 1."""


def safe_url(url: str) -> str:
    """A database URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


# --- migrations ----------------------------------------------------------------------------


def alembic_ini() -> Path:
    """alembic.ini next to the packages (source checkout) or in the working directory (image)."""
    for candidate in (PACKAGE_ROOT / "alembic.ini", Path.cwd() / "alembic.ini"):
        if candidate.is_file():
            return candidate
    raise CommandError("alembic.ini not found next to the code or in the working directory")


def _alembic_config(settings: Settings) -> AlembicConfig:
    config = AlembicConfig(str(alembic_ini()))
    config.attributes["url"] = settings.effective_database_url
    return config


def run_migrations(settings: Settings, revision: str = "head") -> None:
    """Upgrade the configured database to `revision`."""
    alembic_command.upgrade(_alembic_config(settings), revision)


def run_downgrade(settings: Settings, revision: str) -> None:
    """Downgrade the configured database to `revision`."""
    alembic_command.downgrade(_alembic_config(settings), revision)


# --- staff and demo data -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What `demo-data` made or found."""

    restaurant_id: uuid.UUID
    restaurant_name: str
    restaurant_created: bool
    admin_email: str
    admin_password: str | None  # only when the account was created just now
    admin_token: str


def staff_token_for(settings: Settings, staff: StaffUser, ttl_minutes: int | None = None) -> str:
    issued = issue_staff_token(
        staff,
        secret=settings.effective_jwt_secret(),
        ttl=timedelta(minutes=ttl_minutes or settings.jwt_ttl_minutes),
    )
    return issued.token


async def load_demo_data(settings: Settings) -> DemoSummary:
    """Create (or find) Demo Bistro and the demo admin; return them with an admin token."""
    async with command_sessions(settings) as sessions, transaction(sessions) as session:
        restaurant, created = await ensure_demo_restaurant(session)
        admin, password = await ensure_demo_admin(session)
        if not admin.is_active:
            raise CommandError(f"the demo admin {admin.email} exists but is deactivated")
        summary = DemoSummary(
            restaurant_id=restaurant.id,
            restaurant_name=restaurant.name,
            restaurant_created=created,
            admin_email=admin.email,
            admin_password=password,
            admin_token=staff_token_for(settings, admin),
        )
    return summary


async def create_admin_account(
    settings: Settings, *, email: str, full_name: str, password: str
) -> StaffUser:
    try:
        async with command_sessions(settings) as sessions, transaction(sessions) as session:
            staff = await create_staff(
                session,
                email=email,
                full_name=full_name,
                password=password,
                role=StaffRole.ADMIN,
                restaurant_ids=[],
            )
            return staff
    except ServiceError as exc:
        raise CommandError(exc.detail) from None


async def staff_token(settings: Settings, *, email: str, ttl_minutes: int | None) -> str:
    async with command_sessions(settings) as sessions, sessions() as session:
        staff = await session.scalar(select(StaffUser).where(StaffUser.email == email.lower()))
    if staff is None or not staff.is_active:
        raise CommandError(f"no active staff member with email {email}")
    return staff_token_for(settings, staff, ttl_minutes)


async def write_google_feeds(settings: Settings, *, out: Path, days: int | None) -> FeedFiles:
    """Generate Reserve with Google's feeds from the database into `out`."""
    async with command_sessions(settings) as sessions, sessions() as session:
        return await write_feeds(
            session,
            out=out,
            days=days or settings.google_feed_days,
            max_party_size=settings.google_max_party_size,
            service_id=settings.google_service_id,
        )
