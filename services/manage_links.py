"""Signed manage links: a guest without an account acts on one reservation with its token."""

from __future__ import annotations

import uuid

import jwt

AUDIENCE = "reservation-manage"


def manage_token(reservation_id: uuid.UUID, *, secret: str) -> str:
    """A token bound to one reservation (no expiry: it is useless once the booking ends)."""
    return jwt.encode({"sub": str(reservation_id), "aud": AUDIENCE}, secret, algorithm="HS256")


def reservation_in_token(token: str, *, secret: str) -> uuid.UUID | None:
    """The reservation a valid token is bound to, or None."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE)
        return uuid.UUID(str(claims["sub"]))
    except (jwt.PyJWTError, KeyError, ValueError):
        return None


WAITLIST_AUDIENCE = "waitlist-entry"


def waitlist_token(entry_id: uuid.UUID, *, secret: str) -> str:
    """A token bound to one waitlist entry (accept, decline, leave); never a manage token."""
    return jwt.encode({"sub": str(entry_id), "aud": WAITLIST_AUDIENCE}, secret, algorithm="HS256")


def entry_in_waitlist_token(token: str, *, secret: str) -> uuid.UUID | None:
    """The waitlist entry a valid waitlist token is bound to, or None."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=WAITLIST_AUDIENCE)
        return uuid.UUID(str(claims["sub"]))
    except (jwt.PyJWTError, KeyError, ValueError):
        return None
