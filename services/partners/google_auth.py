"""Google's OAuth 2.0 for service accounts: the access token real-time updates carry.

The Maps Booking API takes a bearer access token of the partner's service account.
The token is had by signing a JWT with the account's private key (RS256) and
trading it at the key file's ``token_uri`` (the JWT bearer grant, RFC 7523); it
lasts an hour and is kept until a minute before it ends.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

MAPS_BOOKING_SCOPE = "https://www.googleapis.com/auth/mapsbooking"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_SECONDS = 3600  # the longest Google accepts
RENEW_BEFORE_SECONDS = 60


class GoogleAuthUnavailable(Exception):
    """The token endpoint could not be reached or failed on its side: try again later."""


class GoogleAuthRefused(Exception):
    """The token endpoint refused the key (revoked, wrong account, bad key file)."""


@dataclass(frozen=True, slots=True)
class ServiceAccountKey:
    """What a service account's JSON key file says that signing needs."""

    client_email: str
    private_key: str
    private_key_id: str
    token_uri: str

    @classmethod
    def load(cls, path: Path) -> ServiceAccountKey:
        """Read a key file; GoogleAuthRefused names what is missing from it."""
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GoogleAuthRefused(f"cannot read the service account key {path}: {exc}") from exc
        fields = ("client_email", "private_key", "private_key_id", "token_uri")
        missing = [f for f in fields if not isinstance(raw, dict) or not raw.get(f)]
        if missing:
            raise GoogleAuthRefused(f"the service account key lacks {', '.join(missing)}")
        return cls(**{f: str(raw[f]) for f in fields})


@dataclass
class AccessTokens:
    """One service account's access token, fetched when missing or about to end."""

    key: ServiceAccountKey
    scope: str = MAPS_BOOKING_SCOPE
    _token: str | None = field(default=None, repr=False)
    _renew_at: float = 0.0

    def assertion(self, now: float) -> str:
        """The signed JWT the token endpoint trades for an access token."""
        claims = {
            "iss": self.key.client_email,
            "scope": self.scope,
            "aud": self.key.token_uri,
            "iat": int(now),
            "exp": int(now) + ASSERTION_SECONDS,
        }
        headers = {"kid": self.key.private_key_id}
        return jwt.encode(claims, self.key.private_key, algorithm="RS256", headers=headers)

    async def token(self, http: httpx.AsyncClient) -> str:
        """A valid access token, from the cache or from the token endpoint."""
        now = time.time()
        if self._token is not None and now < self._renew_at:
            return self._token
        try:
            answer = await http.post(
                self.key.token_uri,
                data={"grant_type": JWT_BEARER_GRANT, "assertion": self.assertion(now)},
            )
        except httpx.HTTPError as exc:
            raise GoogleAuthUnavailable(f"token endpoint unreachable: {exc}") from None
        if answer.status_code == 429 or answer.status_code >= 500:
            raise GoogleAuthUnavailable(f"token endpoint answered {answer.status_code}")
        body = _json(answer)
        token = body.get("access_token")
        if answer.status_code >= 400 or not isinstance(token, str) or not token:
            error = body.get("error_description") or body.get("error") or answer.reason_phrase
            raise GoogleAuthRefused(f"token endpoint refused the key: {answer.status_code} {error}")
        lifetime = body.get("expires_in")
        seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else ASSERTION_SECONDS
        self._token, self._renew_at = token, now + max(0, seconds - RENEW_BEFORE_SECONDS)
        return token


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
