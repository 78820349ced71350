"""Steps the booking widget's browser tests share: a restaurant's day, picking a slot,
filling the form, and what the API holds afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Page

from tests.web.stack import WebStack

RESERVATIONS = "/api/v1/reservations/reservations"


def day_at(restaurant: dict[str, Any], days: int = 0) -> str:
    """The restaurant's calendar day `days` from today (ISO)."""
    today = datetime.now(UTC).astimezone(ZoneInfo(restaurant["timezone"])).date()
    return (today + timedelta(days=days)).isoformat()


def book_by_api(
    stack: WebStack, restaurant: dict[str, Any], day: str, time: str, party: int
) -> None:
    """Another guest takes a table (through the API, as another site would)."""
    made = stack.admin.post(
        RESERVATIONS,
        json={
            "restaurant_id": restaurant["id"],
            "date": day,
            "time": time,
            "party_size": party,
            "guest": {"email": f"other-{time.replace(':', '')}@example.com", "first_name": "Other"},
        },
    )
    assert made.status_code == 201, made.text


def reservations_of(stack: WebStack, restaurant: dict[str, Any]) -> list[dict[str, Any]]:
    """Every reservation the restaurant has (as its staff see them)."""
    listed = stack.admin.get(
        f"/api/v1/reservations/restaurants/{restaurant['id']}/reservations",
        params={"date_from": day_at(restaurant, -1), "date_to": day_at(restaurant, 7)},
    )
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def pick_slot(page: Page, label: str) -> None:
    """Click the free slot shown as `label` (the restaurant's clock, the page's language)."""
    await page.get_by_role("button", name=label, exact=True).click()


async def fill_guest(page: Page, *, email: str = "ada@example.com") -> None:
    await page.get_by_label("First name", exact=True).fill("Ada")
    await page.get_by_label("Last name", exact=True).fill("Lovelace")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Phone", exact=True).fill("06 12345678")
