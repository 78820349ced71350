"""Partner API keys on partner routes: one dependency checks key, scope, restaurant and rate.

`PartnerOf(Scope.AVAILABILITY_READ)` on a route with a `{restaurant_id}` path answers
401 for a missing, unknown or revoked key, 403 for a key without the scope, 404 for a
restaurant outside the key's list (its existence does not leak), and 429 with
Retry-After past the key's rate. The key is sent as `Authorization: Bearer rk_...` or
`X-Api-Key: rk_...`.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import CountersDep, SessionDep, SettingsDep
from api.problems import Forbidden, NotFound, TooManyRequests, Unauthorized
from models.enums import ReservationSource
from services.partners import keys, limits

_bearer = HTTPBearer(auto_error=False, description="partner API key (rk_...)")
# argon2 is slow on purpose; a key verified in the last minute is recognised by its digest
# (the row is still read on every request, so a revocation takes effect at once)
_VERIFIED_TTL = 60.0
_verified: dict[str, tuple[str, float]] = {}


@dataclass(frozen=True, slots=True)
class PartnerAccess:
    """The caller of a partner route: which key, for which restaurant, as which channel."""

    key_id: uuid.UUID
    restaurant_id: uuid.UUID
    channel: ReservationSource
    scopes: frozenset[str]


async def _key_row(session: Any, clear: str) -> Any:
    digest = hashlib.sha256(clear.encode()).hexdigest()
    now = time.monotonic()
    known = _verified.get(digest)
    if known is not None and known[1] > now:
        key = await keys.key_by_prefix(session, prefix=known[0])
        if key is not None and key.revoked_at is None:
            return key
    key = await keys.partner_for_key(session, clear_key=clear, now=datetime.now(UTC))
    if key is not None:
        if len(_verified) > 10_000:
            _verified.clear()
        _verified[digest] = (key.key_prefix, now + _VERIFIED_TTL)
    return key


def PartnerOf(scope: keys.Scope) -> Any:
    """A dependency: the partner allowed `scope` on the path's restaurant."""

    async def dependency(
        restaurant_id: uuid.UUID,
        request: Request,
        session: SessionDep,
        counters: CountersDep,
        settings: SettingsDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        x_api_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> PartnerAccess:
        clear = x_api_key or (credentials.credentials if credentials else None)
        if not clear or len(clear) > 200:
            raise Unauthorized("a partner API key is required")
        key = await _key_row(session, clear)
        if key is None:
            raise Unauthorized("the partner API key is invalid or revoked")
        decision = await limits.take(
            counters,
            subject=f"partner:{key.id}",
            limit=settings.partner_rate_limit,
            window_seconds=settings.partner_rate_window_seconds,
            now=datetime.now(UTC),
        )
        if not decision.allowed:
            raise TooManyRequests(
                f"more than {settings.partner_rate_limit} requests in "
                f"{settings.partner_rate_window_seconds} s",
                headers={"Retry-After": str(decision.retry_after_seconds)},
                extra={"retry_after": decision.retry_after_seconds},
            )
        if scope.value not in key.scopes:
            raise Forbidden(f"this key lacks the scope {scope.value}")
        if restaurant_id not in key.restaurant_ids:
            raise NotFound(f"restaurant {restaurant_id} not found")
        await session.commit()  # last_used_at
        request.state.partner_key_id = key.id
        return PartnerAccess(
            key_id=key.id,
            restaurant_id=restaurant_id,
            channel=ReservationSource(key.channel),
            scopes=frozenset(key.scopes),
        )

    return Depends(dependency)
