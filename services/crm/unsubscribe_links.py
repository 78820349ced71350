"""Signed withdrawal links: one guest, one consent scope, no expiry.

A withdrawal link must keep working for as long as mail carrying it exists, so it
does not expire; it can only ever withdraw, never grant.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from services.crm.consent import Scope, scopes_of_restaurant, scopes_with_active_consent

AUDIENCE = "marketing-unsubscribe"
PAGE_PATH = "/marketing/unsubscribe"


def unsubscribe_token(guest_id: uuid.UUID, scope: Scope, *, secret: str) -> str:
    """A token naming the guest and the scope their consent is withdrawn from."""
    claims = {"sub": str(guest_id), "scope": scope.key, "aud": AUDIENCE}
    return jwt.encode(claims, secret, algorithm="HS256")


def consent_in_token(token: str, *, secret: str) -> tuple[uuid.UUID, Scope] | None:
    """The guest and scope a valid token names, or None (forged, altered, another kind)."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE)
        return uuid.UUID(str(claims["sub"])), Scope.parse(str(claims["scope"]))
    except (jwt.PyJWTError, KeyError, ValueError):
        return None


def unsubscribe_url(*, base_url: str, secret: str, guest_id: uuid.UUID, scope: Scope) -> str:
    """The absolute link put into guest messages."""
    token = unsubscribe_token(guest_id, scope, secret=secret)
    return f"{base_url.rstrip('/')}{PAGE_PATH}?{urlencode({'token': token})}"


async def unsubscribe_url_for(
    session: AsyncSession,
    *,
    guest_id: uuid.UUID,
    restaurant_id: uuid.UUID,
    base_url: str,
    secret: str,
    scopes: list[Scope] | None = None,
) -> str | None:
    """The withdrawal link a message from this restaurant carries; None without consent.

    The restaurant's own consent is withdrawn first; else the group's. ``scopes`` are
    the restaurant's (`scopes_of`) when the caller knows its group (not read again).
    """
    if scopes is None:
        scopes = await scopes_of_restaurant(session, restaurant_id=restaurant_id)
    live = await scopes_with_active_consent(session, guest_id=guest_id, scopes=scopes)
    if not live:
        return None
    return unsubscribe_url(base_url=base_url, secret=secret, guest_id=guest_id, scope=live[0])
