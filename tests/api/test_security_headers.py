"""Security headers (api/security_headers.py) on JSON, problem and HTML answers; CORS."""

from __future__ import annotations

import base64
import hashlib
import uuid
from html.parser import HTMLParser

import httpx

from api.dropin import dropin_html
from api.security_headers import HeaderPolicy, page_policy
from models.schemas.lifecycle import CheckoutSessionOut
from reservations.cache import MemoryCache
from tests.api.edge import edge_app
from tests.conftest import Database
from tests.conftest import test_settings as settings_for

WIDGET = "https://widget.example-bistro.com"


class InlineScripts(HTMLParser):
    """The text of each <script> without a src, as a browser hashes it."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._inside = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.scripts[-1] += data


def directives(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    pairs = (part.strip().partition(" ") for part in policy.split(";"))
    return {name: value for name, _, value in pairs}


def assert_common(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers  # http base URL


async def test_json_and_problem_answers_carry_the_headers(pg_db: Database) -> None:
    async with edge_app(pg_db, settings_for(pg_db.url), cache=MemoryCache()) as (_, client):
        guest = client("203.0.113.30")
        for response in (
            await guest.get("/healthz"),
            await guest.get(f"/api/v1/reservations/reservations/{uuid.uuid4()}"),
            await guest.post("/api/v1/reservations/reservations", json={}),
        ):
            assert_common(response)
            assert response.headers["x-frame-options"] == "DENY"
            assert directives(response) == {"default-src": "'none'", "frame-ancestors": "'none'"}
        assert response.headers["content-type"] == "application/problem+json"


async def test_hsts_only_when_the_public_address_is_https(pg_db: Database) -> None:
    settings = settings_for(pg_db.url, public_base_url="https://book.example-bistro.com")
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        response = await client("203.0.113.31").get("/healthz")
        assert response.headers["strict-transport-security"] == "max-age=31536000"


async def test_the_docs_page_allows_exactly_its_own_inline_script(pg_db: Database) -> None:
    async with edge_app(pg_db, settings_for(pg_db.url), cache=MemoryCache()) as (_, client):
        browser = client("203.0.113.32")
        page = await browser.get("/docs")
        assert page.status_code == 200
        assert_common(page)
        parser = InlineScripts()
        parser.feed(page.text)
        assert parser.scripts, "the docs page starts Swagger UI with an inline script"
        policy = directives(page)
        for script in parser.scripts:
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy["script-src"].split()
        assert "'unsafe-inline'" not in policy["script-src"]
        assert policy["frame-ancestors"] == "'none'"
        assert page.headers["x-frame-options"] == "DENY"
        # what the page loads is 'self' and is served
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            assert (await browser.get(f"/docs/assets/{asset}")).status_code == 200
        assert (await browser.get("/openapi.json")).status_code == 200


async def test_guest_pages_may_be_framed_by_configured_sites(pg_db: Database) -> None:
    settings = settings_for(pg_db.url, guest_frame_ancestors=f"{WIDGET}, 'self'")
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        browser = client("203.0.113.33")
        page = await browser.get(f"/manage/{uuid.uuid4()}")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert directives(page)["frame-ancestors"] == f"{WIDGET} 'self'"
        assert "x-frame-options" not in page.headers  # it cannot name a site; CSP does
        # the docs are never framed
        assert directives(await browser.get("/docs"))["frame-ancestors"] == "'none'"


async def test_guest_pages_are_not_framed_by_default(pg_db: Database) -> None:
    async with edge_app(pg_db, settings_for(pg_db.url), cache=MemoryCache()) as (_, client):
        page = await client("203.0.113.34").get(f"/manage/{uuid.uuid4()}")
        assert directives(page)["frame-ancestors"] == "'none'"
        assert page.headers["x-frame-options"] == "DENY"
        assert directives(page)["form-action"] == "'self'"


def test_the_dropin_page_allows_adyen_and_its_mount_script() -> None:
    checkout = CheckoutSessionOut(
        session_id="CS123",
        session_data="</script><script>alert(1)</script>",
        client_key="test_KEY",
        environment="test",
        amount_minor=2000,
        currency="EUR",
    )
    html = dropin_html(
        checkout, version="6.9.0", country_code="NL", locale="en-US", redirect_result=None
    ).encode()
    policy = HeaderPolicy(hsts=True, guest_frame_ancestors="'none'", adyen=True)
    served = page_policy(policy, path="/manage/x", html=html)
    parts = {
        name: value for name, _, value in (p.strip().partition(" ") for p in served.split(";"))
    }
    parser = InlineScripts()
    parser.feed(html.decode())
    assert len(parser.scripts) == 1  # the escaped session data did not open a second one
    digest = base64.b64encode(hashlib.sha256(parser.scripts[0].encode()).digest()).decode()
    assert parts["script-src"].split() == ["'self'", f"'sha256-{digest}'", "https://*.adyen.com"]
    assert "https:" in parts["frame-src"].split()  # 3-D Secure frames the issuer's page


async def test_cors_answers_the_widgets_origin_only(pg_db: Database) -> None:
    settings = settings_for(pg_db.url, cors_allowed_origins=WIDGET, rate_limit_bookings=1)
    preflight = {"Access-Control-Request-Method": "POST"}
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        widget = client("203.0.113.35")
        path = "/api/v1/reservations/reservations"
        allowed = await widget.options(path, headers={"Origin": WIDGET, **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == WIDGET
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert_common(allowed)
        other = await widget.options(path, headers={"Origin": "https://evil.example", **preflight})
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers
        # the actual requests: the widget may read the answers, a 429 included
        answer = await widget.post(path, json={}, headers={"Origin": WIDGET})
        assert answer.headers["access-control-allow-origin"] == WIDGET
        refused = await widget.post(path, json={}, headers={"Origin": WIDGET})
        assert refused.status_code == 429
        assert refused.headers["access-control-allow-origin"] == WIDGET
        assert "retry-after" in refused.headers["access-control-expose-headers"].lower()


async def test_no_cross_origin_access_by_default(pg_db: Database) -> None:
    async with edge_app(pg_db, settings_for(pg_db.url), cache=MemoryCache()) as (_, client):
        response = await client("203.0.113.36").options(
            "/api/v1/reservations/reservations",
            headers={"Origin": WIDGET, "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in response.headers
