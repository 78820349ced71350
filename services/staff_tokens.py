"""Staff bearer tokens (JWT): issued by the API's sign-in and the CLI, read per request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from models.orm import StaffUser

ALGORITHM = "HS256"
AUDIENCE = "reservations-staff"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime


def issue_staff_token(
    staff: StaffUser, *, secret: str, ttl: timedelta, now: datetime | None = None
) -> IssuedToken:
    """A signed bearer token naming the staff member; role and scope are read per request."""
    issued = now or datetime.now(UTC)
    expires = issued + ttl
    token = jwt.encode(
        {"sub": str(staff.id), "aud": AUDIENCE, "iat": issued, "exp": expires},
        secret,
        algorithm=ALGORITHM,
    )
    return IssuedToken(token=token, expires_at=expires)


@dataclass(frozen=True, slots=True)
class StaffClaims:
    staff_id: uuid.UUID
    expires_at: datetime


def read_staff_token(token: str, *, secret: str) -> StaffClaims | None:
    """Whom a valid token names and when it expires; None for anything else.

    A token must carry `exp` (every issued one does): one without it would never
    expire, and one whose `exp` lies past any date a clock can show is refused too.
    """
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
            options={"require": ["exp", "sub"]},
        )  # fmt: skip
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
        return StaffClaims(staff_id=uuid.UUID(str(claims["sub"])), expires_at=expires_at)
    except (jwt.PyJWTError, KeyError, ValueError, TypeError, OverflowError, OSError):
        return None


def staff_id_from_token(token: str, *, secret: str) -> uuid.UUID | None:
    """The staff id in a valid token, or None for anything expired, forged or malformed."""
    claims = read_staff_token(token, secret=secret)
    return claims.staff_id if claims is not None else None


def token_expires_at(token: str, *, secret: str) -> datetime | None:
    """When a valid token expires; None for anything expired, forged or malformed."""
    claims = read_staff_token(token, secret=secret)
    return claims.expires_at if claims is not None else None
