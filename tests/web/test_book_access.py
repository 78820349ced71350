"""The booking widget for every guest: another language and time zone on a phone, the
keyboard alone with axe-core on each screen, and the waitlist when the day is full."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from playwright.async_api import Page, expect

from tests.web.book_steps import book_by_api, day_at, fill_guest, pick_slot
from tests.web.conftest import assert_accessible, screenshot
from tests.web.stack import WebStack

PHONE = {"width": 390, "height": 844}


async def test_dutch_on_a_phone_far_away_shows_the_restaurants_clock(
    new_page: Callable[..., Awaitable[Page]], stack: WebStack
) -> None:
    restaurant = stack.make_restaurant()
    # the browser is 14 hours ahead of UTC; the restaurant's zone never is
    page = await new_page(
        viewport=PHONE, locale="nl-NL", timezone_id="Pacific/Kiritimati", is_mobile=True
    )
    await page.goto(stack.url(f"/book/{restaurant['id']}"))
    await expect(page.get_by_role("heading", name="Reserveer een tafel")).to_be_visible()
    # today's earlier times are closed, and say why in Dutch
    await expect(page.locator(".slot.closed").first).to_contain_text(
        re.compile("al voorbij|te kort van tevoren")
    )
    await page.get_by_label("Datum").fill(day_at(restaurant, 1))
    # opening 10:00, last seating 21:30: on the restaurant's clock, not the browser's
    await expect(page.get_by_role("button", name="10:00", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="21:30", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="22:00", exact=True)).to_have_count(0)
    await screenshot(page, "book-phone")
    await pick_slot(page, "19:00")
    await page.get_by_label("Voornaam").fill("Bram")
    await page.get_by_label("E-mail", exact=True).fill("bram@example.com")
    await page.get_by_role("button", name="Reserveer").click()
    await expect(page.get_by_role("heading", name="Uw tafel is gereserveerd")).to_be_visible()
    await expect(page.get_by_text("om 19:00, 2 gasten")).to_be_visible()


async def tab_to(page: Page, check: str, limit: int = 60) -> None:
    """Press Tab until `check` (a JS expression over `el`, the focused element) holds."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(
            f"(() => {{ const el = document.activeElement; return {check}; }})()"
        ):
            return
    raise AssertionError(f"Tab never reached {check}")


async def test_keyboard_only_booking_on_accessible_screens(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant()
    await page.goto(stack.url(f"/book/{restaurant['id']}"))
    await expect(page.get_by_role("button", name="7:00 PM")).to_be_visible()
    await assert_accessible(page)

    await tab_to(page, "el.textContent === '7:00 PM'")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Book a table")).to_be_focused()
    await tab_to(page, "el.id === 'first-name'")
    await page.keyboard.type("Ada")
    await tab_to(page, "el.id === 'email'")
    await page.keyboard.type("ada@")  # not an address yet
    await tab_to(page, "el.type === 'submit'")
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Email", exact=True)).to_be_focused()  # the field to fix
    await expect(page.locator("#email-error")).to_be_visible()
    await assert_accessible(page)  # with the errors shown

    await page.keyboard.type("example.com")
    await tab_to(page, "el.type === 'checkbox' && el.parentElement.textContent.includes('news')")
    await page.keyboard.press("Space")
    await expect(page.get_by_role("checkbox", name=re.compile("news and offers"))).to_be_checked()
    await tab_to(page, "el.type === 'submit'")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Your table is booked")).to_be_visible()
    await assert_accessible(page)

    await tab_to(page, "el.textContent === 'Change or cancel'")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Your reservation")).to_be_visible()
    await assert_accessible(page)


async def test_a_full_day_offers_the_waitlist(page: Page, stack: WebStack) -> None:
    # one table, and a seating as long as the day: one booking fills tomorrow
    restaurant = stack.make_restaurant(tables=[("1", 1, 2)], default_seating_minutes=720)
    tomorrow = day_at(restaurant, 1)
    book_by_api(stack, restaurant, tomorrow, "10:00", 2)
    await page.goto(stack.url(f"/book/{restaurant['id']}"))
    await page.get_by_label("Date").fill(tomorrow)
    await expect(page.get_by_text("No table is free on this day.")).to_be_visible()
    await expect(page.get_by_text("fully booked").first).to_be_visible()
    await page.get_by_role("button", name="Join the waitlist").click()
    await page.get_by_label("From").select_option("18:00")
    await page.get_by_label("Until").select_option("20:00")
    await fill_guest(page, email="wait@example.com")
    await assert_accessible(page)
    await page.get_by_role("button", name="Join", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("You are on the waitlist")
    listed = stack.admin.get(f"/api/v1/reservations/waitlist/restaurant/{restaurant['id']}")
    assert listed.status_code == 200, listed.text
    [entry] = listed.json()["items"]
    assert (entry["time_from"], entry["time_to"], entry["party_size"]) == (
        "18:00:00",
        "20:00:00",
        2,
    )
