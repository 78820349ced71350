"""CRM maintenance the command line runs against the configured database."""

from __future__ import annotations

from reservations.db import create_engine, session_factory, transaction
from reservations.settings import Settings
from services.crm.stats import Mismatch, mismatches, recount


async def recount_guest_statistics(settings: Settings, *, check: bool) -> list[Mismatch]:
    """The relationships whose statistics differ from their reservations.

    With `check` nothing is written; otherwise they are rewritten in one transaction.
    """
    engine = create_engine(settings.effective_database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            return await (mismatches(session) if check else recount(session))
    finally:
        await engine.dispose()
