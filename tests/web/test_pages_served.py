"""The API process serves both front ends from their build, with the headers pages need."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page, expect

from tests.web.conftest import assert_accessible
from tests.web.stack import WebStack


async def test_both_apps_load_in_the_browser(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant()
    await page.goto(stack.url(f"/book/{restaurant['id']}"))
    await expect(page.locator("h1")).to_be_visible()
    await assert_accessible(page)
    await page.goto(stack.url("/console/"))
    await expect(page.locator("h1")).to_be_visible()
    await assert_accessible(page)


def test_pages_and_files_carry_the_right_headers(stack: WebStack) -> None:
    book = httpx.get(stack.url("/book/any/deep/path"))
    assert book.status_code == 200
    assert book.headers["cache-control"] == "no-cache"
    assert "script-src 'self'" in book.headers["content-security-policy"]
    console = httpx.get(stack.url("/console/today"))
    assert "frame-ancestors 'none'" in console.headers["content-security-policy"]
    assert console.headers["x-frame-options"] == "DENY"
    script = re.search(r'<script[^>]*\bsrc="([^"]+)"', book.text)
    assert script, book.text
    asset = httpx.get(stack.url(script.group(1)), headers={"Accept-Encoding": "gzip"})
    assert asset.status_code == 200
    assert "immutable" in asset.headers["cache-control"]
    assert asset.headers["content-encoding"] == "gzip"
    assert int(asset.headers["content-length"]) < len(asset.content)  # decoded by httpx
    assert httpx.get(stack.url("/book"), follow_redirects=False).status_code == 308
    assert httpx.get(stack.url("/web/assets/none.js")).status_code == 404
