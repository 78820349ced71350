"""`reservations check-invariants`: the SQL invariant checks against the configured database."""

from __future__ import annotations

from reservations.db import command_sessions
from reservations.settings import Settings
from services.ops.invariants import CheckResult, check_invariants


async def run_checks(settings: Settings) -> list[CheckResult]:
    """Every check of services/ops/invariants.py, read-only, on one connection."""
    async with command_sessions(settings) as sessions, sessions() as session:
        return await check_invariants(session)
