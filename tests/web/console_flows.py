"""Steps the console's browser tests share: book through the public API, sign a host in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, Page, expect

from tests.web.stack import WebStack

BASE = "/api/v1/reservations"


def today_at(restaurant: dict[str, Any]) -> str:
    """Today's date at the restaurant (its zone, not the machine's)."""
    return datetime.now(ZoneInfo(restaurant["timezone"])).date().isoformat()


def book(
    stack: WebStack, restaurant: dict[str, Any], *, at: str, party: int = 2, name: str = "Ann"
) -> dict[str, Any]:
    """A guest's online booking for today at `at`, as the booking widget makes it."""
    made = stack.admin.post(
        f"{BASE}/reservations",
        json={
            "restaurant_id": restaurant["id"],
            "date": today_at(restaurant),
            "time": at,
            "party_size": party,
            "guest": {
                "email": f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com",
                "first_name": name,
                "last_name": "Smit",
            },
        },
    )
    assert made.status_code == 201, made.text
    reservation: dict[str, Any] = made.json()
    return reservation


async def sign_in(page: Page, stack: WebStack, path: str, email: str, password: str) -> None:
    """Open a console page, sign in there and wait until the page is signed in."""
    await page.goto(stack.url(path))
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def wait_live(page: Page) -> None:
    """Until the console's event stream is subscribed (changes after this are heard)."""
    await expect(page.get_by_test_id("live")).to_have_text("Live")


def row(page: Page, guest: str) -> Locator:
    """The Today list's row of a guest."""
    return page.locator("tbody tr").filter(has_text=guest)


def tile(page: Page, number: str) -> Locator:
    """The floor plan's tile of a table."""
    return page.locator(f'article[data-table="{number}"]')
