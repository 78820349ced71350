"""Browser end-to-end tests: Playwright for Python (async API) driving Debian's Chromium.

No browser is downloaded: the tests launch the system's `chromium` (`apt-get install
chromium`; CHROMIUM_PATH overrides) with the flags a closed network needs. Every test
here runs in one xdist group, against one `reservations dev` stack (tests/web/stack.py).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.web.stack import ROOT, WebStack, running_stack

TABLET = {"width": 1280, "height": 800}
ACTION_TIMEOUT_MS = 15_000
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "images" / "screens"
# without these Chromium keeps calling Google's services, which a closed network refuses
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# assertions wait as long as actions: on a starved CI box a workflow round trip behind a
# click (seating a walk-in) can take longer than Playwright's default 5 s
expect.set_options(timeout=ACTION_TIMEOUT_MS)


@pytest.hookimpl(tryfirst=True)  # before tests/conftest.py sorts the long tests first
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            # one stack for them all, started early: its start-up is the long part
            item.add_marker(pytest.mark.xdist_group("web"))
            item.add_marker(pytest.mark.long_running)


def chromium_path() -> str:
    """The system Chromium; a missing one fails the tests (CI installs it), never skips."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        raise RuntimeError("no chromium on PATH: `apt-get install chromium` (.ci/run does)")
    return path


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the session."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def new_page(browser: Browser) -> AsyncIterator[Callable[..., Awaitable[Page]]]:
    """Opens pages in fresh browser contexts (separate cookies and storage: two hosts)."""
    contexts: list[BrowserContext] = []

    async def open_page(**context_args: Any) -> Page:
        # a tablet in landscape, the console's main device, unless the test says otherwise
        context_args.setdefault("viewport", TABLET)
        context = await browser.new_context(**context_args)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()


@pytest.fixture
async def page(new_page: Callable[..., Awaitable[Page]]) -> Page:
    """A page in its own fresh context."""
    return await new_page()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStack]:
    with running_stack(tmp_path_factory.mktemp("web-stack")) as running:
        yield running


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical accessibility violations on the page as it is now."""
    # evaluated through DevTools, so the page's strict CSP (no inline scripts) stays on
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


async def assert_accessible(page: Page) -> None:
    """Fail with axe-core's own words when the page has a serious or critical violation."""
    found = await serious_violations(page)
    summary = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in found
    ]
    assert not found, json.dumps(summary, indent=2)


async def screenshot(page: Page, name: str) -> Path:
    """A screenshot of the page; with UPDATE_SCREENSHOTS=1 it replaces the README's copy."""
    target = (
        SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else ROOT / "var" / "screens"
    )
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}.png"
    await page.screenshot(path=str(path), full_page=False)
    return path
