"""/docs works without internet: Swagger UI's assets come from this API, not a CDN."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import httpx

from api.app import create_app
from reservations.settings import Settings


def _client() -> httpx.AsyncClient:
    app = create_app(Settings(_env_file=None, jwt_secret="d" * 48))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test")


async def test_docs_load_every_asset_from_the_api_itself() -> None:
    async with _client() as client:
        page = await client.get("/docs")
        assert page.status_code == 200, page.text
        urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page.text)
        urls += re.findall(r"""url\s*:\s*["']([^"']+)["']""", page.text)  # the schema
        assert any(u.endswith(".js") for u in urls) and any(u.endswith(".css") for u in urls)
        for url in urls:
            absolute = urljoin("http://api.test/docs", url)
            assert urlsplit(absolute).netloc == "api.test", f"{url} is not served by the API"
            answer = await client.get(urlsplit(absolute).path)
            assert answer.status_code == 200, f"{url}: {answer.status_code}"
        assert "/openapi.json" in urls
        # no page of the API pulls scripts from elsewhere: ReDoc (CDN only) is off
        assert (await client.get("/redoc")).status_code == 404


async def test_the_oauth2_redirect_page_of_swagger_ui_is_served() -> None:
    async with _client() as client:
        answer = await client.get("/docs/oauth2-redirect")
        assert answer.status_code == 200
        assert "http://" not in answer.text and "https://" not in answer.text
