"""Security headers on every answer, and a Content-Security-Policy for the HTML pages.

The pages' inline scripts (the Drop-in mount, Swagger UI's start-up) are allowed by their
SHA-256 hash, computed from the page as it is sent, so no inline script a page did not
itself render can run. Styles allow 'unsafe-inline': the pages use style attributes and
Adyen's Drop-in sets styles, and a style cannot run code.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.docs import DOCS_URL

INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)
# the Drop-in's script, styles and API calls; 3-D Secure challenges frame the card
# issuer's own pages and redirect payment methods post to the bank, so those are any https
ADYEN_SOURCES = "https://*.adyen.com"
NOT_A_PAGE = "default-src 'none'; frame-ancestors 'none'"
CONSOLE_URL = "/console"  # the staff console is never framed (clickjacking of staff actions)


@dataclass(frozen=True, slots=True)
class HeaderPolicy:
    """What the headers say, from the settings."""

    hsts: bool  # only over https: a browser on http ignores it anyway, and dev stays http
    guest_frame_ancestors: str  # CSP source list: who may embed the guest pages
    adyen: bool  # the manage page loads Adyen's Drop-in


def inline_script_hashes(html: bytes) -> list[str]:
    """CSP hash sources for each inline <script> of a page."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
    ]


def frame_ancestors(policy: HeaderPolicy, path: str) -> str:
    """Who may frame a page: nobody for the API docs and the console, the configured sites
    for guest pages (the booking widget is embeddable)."""
    staff_only = path.startswith(DOCS_URL) or path.startswith(CONSOLE_URL)
    return "'none'" if staff_only else policy.guest_frame_ancestors


def page_policy(policy: HeaderPolicy, *, path: str, html: bytes) -> str:
    """The Content-Security-Policy of one HTML page."""
    extra = f" {ADYEN_SOURCES}" if policy.adyen else ""
    scripts = " ".join(["'self'", *inline_script_hashes(html)]) + extra
    ancestors = frame_ancestors(policy, path)
    directives = [
        "default-src 'self'",
        f"script-src {scripts}",
        f"style-src 'self' 'unsafe-inline'{extra}",
        "img-src 'self' data:" + (" https:" if policy.adyen else ""),
        f"connect-src 'self'{extra}",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'" + (" https:" if policy.adyen else ""),
        f"frame-ancestors {ancestors}",
    ]
    if policy.adyen:
        directives.append("frame-src https:")
    return "; ".join(directives)


class SecureHeaders:
    """ASGI middleware: nosniff, no referrer (guest links carry tokens), framing rules,
    HSTS over https, and a CSP: strict for HTML pages, "nothing" for everything else."""

    def __init__(self, app: ASGIApp, policy: HeaderPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        held: Message | None = None
        page = bytearray()

        async def with_headers(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                self._common(headers)
                if headers.get("content-type", "").startswith("text/html"):
                    held = message  # the CSP needs the page's inline scripts: wait for it
                    return
                headers.setdefault("Content-Security-Policy", NOT_A_PAGE)
                headers.setdefault("X-Frame-Options", "DENY")
                await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            page.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            headers = MutableHeaders(scope=held)
            headers.setdefault(
                "Content-Security-Policy", page_policy(self.policy, path=path, html=bytes(page))
            )
            if frame_ancestors(self.policy, path) == "'none'":
                headers.setdefault("X-Frame-Options", "DENY")  # for browsers without CSP 2
            await send(held)
            await send({"type": "http.response.body", "body": bytes(page), "more_body": False})

        await self.app(scope, receive, with_headers)

    def _common(self, headers: MutableHeaders) -> None:
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if self.policy.hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
