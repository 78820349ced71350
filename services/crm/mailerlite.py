"""MailerLite's REST API (connect.mailerlite.com/api), the calls the marketing sync makes.

Subscribers are upserted by email (`POST /subscribers` adds the given groups and
leaves others alone), groups are listed by name filter and created, memberships
are removed with `DELETE /subscribers/{id}/groups/{group_id}` and a subscriber with
no consent left anywhere is deleted. Errors come back in two kinds: `Unavailable`
(429 with its Retry-After, 5xx, network) is worth retrying; `Refused` (any other
4xx: bad token, validation) never will be.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from reservations.http_answers import is_transient

DEFAULT_BASE_URL = "https://connect.mailerlite.com/api"


class Unavailable(Exception):
    """MailerLite could not answer now (rate limit, outage, network): try again later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Refused(Exception):
    """MailerLite refused the request for good (bad token, invalid data)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"MailerLite answered {status}: {message}")
        self.status = status


@dataclass
class MailerLite:
    """A connected client; use `mailerlite(...)` to open one."""

    http: httpx.AsyncClient

    async def find_or_create_group(self, name: str) -> str:
        """The id of the group called exactly `name`, created when missing."""
        # filter[name] matches parts of names too: only an exact match is ours
        found = await self._call("GET", "/groups", params={"filter[name]": name, "limit": 50})
        for group in found.get("data", []):
            if group.get("name") == name:
                return str(group["id"])
        created = await self._call("POST", "/groups", json={"name": name})
        return str(created["data"]["id"])

    async def upsert_subscriber(
        self, *, email: str, first_name: str, last_name: str | None, group_ids: list[str]
    ) -> str:
        """Create or update the subscriber and add them to `group_ids`; their id."""
        body = {
            "email": email,
            "fields": {"name": first_name, "last_name": last_name or ""},
            "groups": group_ids,
        }
        answer = await self._call("POST", "/subscribers", json=body)
        return str(answer["data"]["id"])

    async def remove_from_group(self, *, subscriber_id: str, group_id: str) -> None:
        """Take the subscriber out of the group (already out: nothing to do)."""
        await self._call(
            "DELETE", f"/subscribers/{subscriber_id}/groups/{group_id}", missing_ok=True
        )

    async def delete_subscriber(self, subscriber_id: str) -> None:
        """Delete the subscriber from the account (already gone: nothing to do)."""
        await self._call("DELETE", f"/subscribers/{subscriber_id}", missing_ok=True)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> dict[str, Any]:
        try:
            response = await self.http.request(method, path, params=params, json=json)
        except httpx.HTTPError as exc:
            raise Unavailable(f"MailerLite unreachable: {type(exc).__name__}") from None
        status = response.status_code
        if is_transient(status):
            raise Unavailable(f"MailerLite answered {status}", retry_after=_retry_after(response))
        if status == 404 and missing_ok:
            return {}
        if status >= 400:
            raise Refused(status, _message(response))
        if status == 204 or not response.content:
            return {}
        body = response.json()
        return body if isinstance(body, dict) else {}


@contextlib.asynccontextmanager
async def mailerlite(
    *, base_url: str, token: str, request_seconds: float = 20.0
) -> AsyncIterator[MailerLite]:
    """A client bound to the account's API token."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    async with httpx.AsyncClient(
        base_url=base_url.rstrip("/"), headers=headers, timeout=request_seconds
    ) as http:
        yield MailerLite(http)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _message(response: httpx.Response) -> str:
    """MailerLite's own words: {"message": ..., "errors": {field: [...]}}, without values."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if not isinstance(body, dict):
        return response.reason_phrase
    errors = body.get("errors")
    fields = f" (fields: {', '.join(sorted(errors))})" if isinstance(errors, dict) else ""
    return f"{body.get('message', response.reason_phrase)}{fields}"[:300]
