"""The console's analytics page shows the covers turned away and where tables sold out."""

from __future__ import annotations

import uuid

from playwright.async_api import Page, expect

from tests.web.conftest import assert_accessible
from tests.web.console_flows import BASE, book, sign_in, today_at
from tests.web.stack import WebStack


async def test_a_manager_sees_the_covers_turned_away_and_when(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant(tables=[("1", 2, 4)])
    rid = restaurant["id"]
    book(stack, restaurant, at="19:00", party=2, name="Ann")
    # the only table is taken at 19:00: a party of three asking for it is turned away
    refused = stack.admin.post(
        f"{BASE}/reservations",
        json={
            "restaurant_id": rid,
            "date": today_at(restaurant),
            "time": "19:00",
            "party_size": 3,
            "guest": {"email": f"late-{uuid.uuid4().hex[:6]}@example.com", "first_name": "Lou"},
        },
    )
    assert refused.status_code == 409, refused.text
    email, password, _ = stack.staff_token("manager", [rid])
    await sign_in(page, stack, f"/console/{rid}/analytics", email, password)
    figure = page.locator(".figures div").filter(has_text="Covers turned away")
    await expect(figure.locator("dd")).to_have_text("3")
    await expect(page.locator(".sold-out li")).to_contain_text("19:00: 3 covers (requests: 1)")
    await assert_accessible(page)
