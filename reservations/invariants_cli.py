"""`reservations check-invariants`: the SQL invariant checks against the configured database."""

from __future__ import annotations

from reservations.db import create_engine, session_factory
from reservations.settings import Settings
from services.ops.invariants import CheckResult, check_invariants


async def run_checks(settings: Settings) -> list[CheckResult]:
    """Every check of services/ops/invariants.py, read-only, on one connection."""
    engine = create_engine(settings.effective_database_url)
    try:
        async with session_factory(engine)() as session:
            return await check_invariants(session)
    finally:
        await engine.dispose()
