"""CRM maintenance the command line runs against the configured database."""

from __future__ import annotations

from reservations.db import command_sessions, transaction
from reservations.settings import Settings
from services.crm.stats import Mismatch, mismatches, recount


async def recount_guest_statistics(settings: Settings, *, check: bool) -> list[Mismatch]:
    """The relationships whose statistics differ from their reservations.

    With `check` nothing is written; otherwise they are rewritten in one transaction.
    """
    async with command_sessions(settings) as sessions, transaction(sessions) as session:
        return await (mismatches(session) if check else recount(session))
