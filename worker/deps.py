"""What activities need from the process: settings, database and cache."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from messaging.channels import EmailSender, SmsSender
from payments.provider import PaymentProvider
from reservations.cache import Cache, create_cache
from reservations.db import engine_for, session_factory
from reservations.settings import Settings


@dataclass(frozen=True, slots=True)
class WorkerDeps:
    """Shared, long-lived resources handed to activity functions."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    cache: Cache
    # providers chosen by the settings unless given (tests hand in instrumented ones)
    payment_provider: PaymentProvider | None = None
    email_sender: EmailSender | None = None
    sms_sender: SmsSender | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerDeps:
        """Build the engine, session factory and cache the settings describe (no I/O yet)."""
        engine = engine_for(settings)
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            cache=create_cache(settings.redis_url, max_connections=settings.redis_max_connections),
        )

    async def aclose(self) -> None:
        """Close the cache and the engine's connections."""
        await self.cache.close()
        await self.engine.dispose()
