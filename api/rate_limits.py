"""Per-IP rate limits on the public routes: booking, lookup, waitlist, guest links, privacy.

Counted in fixed windows in `app.state.counters` (Redis when configured, else this
process). Requests carrying a valid staff token are not counted: the limits are for
anonymous callers. Like the partner limits they fail open when Redis cannot count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.client_address import Network, client_ip, in_networks
from api.problems import problem_response
from reservations.cache import Cache
from reservations.settings import Settings
from services.crm.unsubscribe_links import PAGE_PATH as UNSUBSCRIBE_PATH
from services.partners.limits import take
from services.staff_tokens import staff_id_from_token

PREFIX = "/api/v1/reservations"
_ID = r"[^/]+"


@dataclass(frozen=True, slots=True)
class RouteFamily:
    """Public routes that share one per-IP budget, and the setting that sizes it."""

    name: str
    setting: str
    routes: tuple[tuple[str, re.Pattern[str]], ...]


def _routes(*pairs: tuple[str, str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((method, re.compile(f"^{path}/?$")) for method, path in pairs)


FAMILIES = (
    RouteFamily("bookings", "rate_limit_bookings", _routes(("POST", f"{PREFIX}/reservations"))),
    RouteFamily(
        "lookups", "rate_limit_lookups", _routes(("POST", f"{PREFIX}/reservations/lookup"))
    ),
    RouteFamily("waitlist", "rate_limit_waitlist", _routes(("POST", f"{PREFIX}/waitlist"))),
    RouteFamily(
        "guest_actions",
        "rate_limit_guest_actions",
        _routes(
            ("PATCH", f"{PREFIX}/reservations/{_ID}"),
            ("POST", f"{PREFIX}/reservations/{_ID}/(cancel|confirm)"),
            ("POST", f"/manage/{_ID}/(cancel|confirm)"),
            ("DELETE", f"{PREFIX}/waitlist/{_ID}"),
            ("POST", f"{PREFIX}/waitlist/{_ID}/(accept|decline)"),
            ("POST", f"/manage/waitlist/{_ID}/(accept|decline|leave)"),
        ),
    ),
    RouteFamily(
        "privacy",
        "rate_limit_privacy",
        _routes(
            ("POST", f"{PREFIX}/privacy/(export-requests|erasure-requests)"),
            ("POST", f"{PREFIX}/privacy/erasure/{_ID}"),
            ("POST", UNSUBSCRIBE_PATH),
        ),
    ),
)


def family_of(method: str, path: str) -> RouteFamily | None:
    """The rate-limited family a request belongs to, if any."""
    for family in FAMILIES:
        for route_method, pattern in family.routes:
            if method == route_method and pattern.match(path):
                return family
    return None


def _is_staff(scope: Scope, secret: str) -> bool:
    scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return staff_id_from_token(token.strip(), secret=secret) is not None


class LimitPublicRoutes:
    """ASGI middleware: a caller over its family's budget gets a 429 with Retry-After."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        trusted_proxies: tuple[Network, ...],
        exempt: tuple[Network, ...] = (),
    ) -> None:
        self.app = app
        self.settings = settings
        self.trusted_proxies = trusted_proxies
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        family = family_of(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if family is None:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        if _is_staff(scope, state.jwt_secret):
            await self.app(scope, receive, send)
            return
        limit: int = getattr(self.settings, family.setting)
        window = self.settings.rate_limit_window_seconds
        counters: Cache = state.counters
        address = client_ip(scope, self.trusted_proxies)
        if in_networks(address, self.exempt):
            await self.app(scope, receive, send)
            return
        decision = await take(
            counters,
            subject=f"public:{family.name}:{address}",
            limit=limit,
            window_seconds=window,
            now=datetime.now(UTC),
        )
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        response = problem_response(
            429,
            "Too many requests",
            f"more than {limit} {family.name.replace('_', ' ')} requests in {window} seconds"
            f" from this address; retry after {decision.retry_after_seconds} seconds",
            instance=scope.get("path"),
            headers={"Retry-After": str(decision.retry_after_seconds)},
            limit=family.setting.upper(),
            max_requests=limit,
            window_seconds=window,
        )
        await response(scope, receive, send)
