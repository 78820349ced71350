"""The booking widget on a mid-range phone: first paint and time to bookable times.

Starts the system as the browser tests do (`reservations dev` on a fresh PostgreSQL
database, tests/web/stack.py), then loads `/book/{restaurant}` in Debian's Chromium
with a cold cache, throttled as Lighthouse's mobile profile throttles (CPU 4x slower,
150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up) at a 390x844 viewport. Prints the
first contentful paint and the time until the first bookable time is on screen (the
availability answer included), median and worst of RUNS loads, and the bytes sent.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from pathlib import Path

from playwright.async_api import ViewportSize, async_playwright

from tests.web.conftest import CHROMIUM_FLAGS, chromium_path
from tests.web.stack import running_stack

RUNS = 7
PHONE: ViewportSize = {"width": 390, "height": 844}
CPU_SLOWDOWN = 4
LATENCY_MS = 150
DOWN_BYTES_PER_S = 1.6e6 / 8
UP_BYTES_PER_S = 750e3 / 8


async def measure(url: str) -> tuple[float, float, int]:
    """(first contentful paint ms, first bookable time shown ms, bytes received) of one load."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
        )
        context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        await cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": LATENCY_MS,
                "downloadThroughput": DOWN_BYTES_PER_S,
                "uploadThroughput": UP_BYTES_PER_S,
            },
        )
        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        received = 0

        def count(event: dict[str, object]) -> None:
            nonlocal received
            length = event.get("encodedDataLength")
            received += int(length) if isinstance(length, int | float) else 0

        cdp.on("Network.loadingFinished", count)
        await page.goto(url)
        # a free time is a button whose name is the time; closed ones are not buttons
        await page.get_by_role("button", name=":").first.wait_for(timeout=60_000)
        shown = await page.evaluate("performance.now()")
        paint = await page.evaluate(
            "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1"
        )
        await browser.close()
        return float(paint), float(shown), received


async def main() -> None:
    with tempfile.TemporaryDirectory() as workdir, running_stack(Path(workdir)) as stack:
        restaurant = stack.make_restaurant()
        url = stack.url(f"/book/{restaurant['id']}")
        await measure(url)  # warm the server's own caches, not the browser's
        loads = [await measure(url) for _ in range(RUNS)]
    paints = [p for p, _, _ in loads]
    shown = [s for _, s, _ in loads]
    print(
        f"booking widget, phone profile (CPU {CPU_SLOWDOWN}x, {LATENCY_MS} ms RTT, "
        f"{DOWN_BYTES_PER_S * 8 / 1e6:.1f} Mbit/s), {RUNS} cold loads"
    )
    print(
        f"  first contentful paint   median {statistics.median(paints):6.0f} ms"
        f"   worst {max(paints):6.0f} ms"
    )
    print(
        f"  first bookable time shown median {statistics.median(shown):6.0f} ms"
        f"   worst {max(shown):6.0f} ms"
    )
    print(f"  bytes received per load  {statistics.median([b for _, _, b in loads]) / 1024:.1f} kB")


if __name__ == "__main__":
    asyncio.run(main())
