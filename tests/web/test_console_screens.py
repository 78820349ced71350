"""Every main screen of the console passes axe-core, on a tablet in landscape, and is
pictured for the README (UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.web.conftest import assert_accessible, screenshot
from tests.web.console_flows import BASE, book, row, sign_in
from tests.web.stack import WebStack


async def test_the_main_screens_are_accessible(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant(
        name="Bistro Lumen",
        tables=[("1", 1, 2), ("2", 2, 4), ("3", 2, 4), ("4", 2, 4), ("5", 4, 6), ("6", 4, 8)],
    )
    rid = restaurant["id"]
    parties = [
        ("15:00", 2, "Ida"),
        ("15:15", 4, "Jonas"),
        ("18:00", 2, "Mila"),
        ("19:30", 5, "Sem"),
    ]
    booked = [book(stack, restaurant, at=at, party=n, name=name) for at, n, name in parties]
    seated = stack.admin.post(f"{BASE}/restaurants/{rid}/reservations/{booked[0]['id']}/check-in")
    assert seated.status_code == 200, seated.text
    mila = stack.admin.get(f"{BASE}/restaurants/{rid}/reservations/{booked[2]['id']}").json()
    alert = stack.admin.post(
        f"{BASE}/guests/{mila['guest_id']}/notes",
        params={"restaurant_id": rid},
        json={"body": "Severe nut allergy", "is_alert": True, "note_type": "allergy"},
    )
    assert alert.status_code == 201, alert.text
    walk_in = stack.admin.post(f"{BASE}/restaurants/{rid}/walk-ins", json={"party_size": 2})
    assert walk_in.status_code == 201, walk_in.text

    await page.goto(stack.url(f"/console/{rid}/today"))
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await assert_accessible(page)
    email, password, _ = stack.staff_token("manager", [rid])
    await sign_in(page, stack, f"/console/{rid}/today", email, password)

    await expect(row(page, "Ida S.")).to_contain_text("Seated")
    await assert_accessible(page)
    await page.get_by_role("button", name="Timeline").click()
    await expect(page.locator(".block").first).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "console-today")

    await page.get_by_role("link", name="Floor plan").click()
    await expect(page.locator("article").first).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "console-floor")

    await page.get_by_role("link", name="Walk-ins & waitlist").click()
    await expect(page.get_by_role("heading", name="A party at the door")).to_be_visible()
    await assert_accessible(page)

    await page.goto(stack.url(f"/console/{rid}/reservations/{booked[2]['id']}"))
    await expect(page.get_by_role("heading", name="Guest", exact=True)).to_be_visible()
    await expect(page.locator(".alerts")).to_contain_text("Severe nut allergy")
    await assert_accessible(page)
    await screenshot(page, "console-reservation")

    await page.get_by_role("link", name="Analytics").click()
    await expect(page.get_by_text("Covers booked").first).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "console-analytics")

    await page.get_by_role("link", name="Settings").click()
    await expect(page.get_by_role("button", name="Save policy")).to_be_visible()
    await assert_accessible(page)
