"""The public edge: rate limits, body size limits, CORS and security headers, in order."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from api.body_limits import LimitRequestBodies
from api.client_address import parse_networks
from api.rate_limits import LimitPublicRoutes
from api.security_headers import HeaderPolicy, SecureHeaders
from reservations.settings import Settings

# what the booking widget sends cross-origin (staff apps are served from our own origin)
CORS_HEADERS = ["Content-Type", "Authorization", "Idempotency-Key", "X-Manage-Token"]


def install_hardening(app: FastAPI, settings: Settings) -> None:
    """Add the edge middleware. Added last = outermost: the security headers wrap every
    answer (a 429, a 413, a CORS preflight), and CORS wraps the limits so the widget can
    read their answers."""
    app.add_middleware(
        LimitRequestBodies,
        max_bytes=settings.max_request_body_bytes,
        max_webhook_bytes=settings.max_webhook_body_bytes,
    )
    app.add_middleware(
        LimitPublicRoutes,
        settings=settings,
        trusted_proxies=parse_networks(settings.trusted_proxies),
        exempt=parse_networks(settings.rate_limit_exempt),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=CORS_HEADERS,
            expose_headers=["Retry-After"],
            max_age=600,
        )
    app.add_middleware(
        SecureHeaders,
        policy=HeaderPolicy(
            hsts=settings.public_base_url.startswith("https://"),
            guest_frame_ancestors=settings.guest_frame_sources,
            adyen=settings.payment_provider == "adyen",
        ),
    )
