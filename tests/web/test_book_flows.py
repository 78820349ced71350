"""The guest booking widget, booking end to end in a browser: deposit, confirmation,
manage (modify, cancel), a race for the last table, the API's field errors and a double
click that books once."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Page, Route, expect

from tests.web.book_steps import (
    book_by_api,
    day_at,
    fill_guest,
    pick_slot,
    reservations_of,
)
from tests.web.conftest import screenshot
from tests.web.stack import WebStack


async def test_deposit_booking_confirmation_modify_and_cancel(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant(payment_mode="deposit", payment_fixed_minor=2500)
    await page.goto(stack.url(f"/book/{restaurant['id']}"))
    await expect(page.get_by_role("heading", name=restaurant["name"])).to_be_visible()
    await expect(page.get_by_role("button", name="7:00 PM")).to_be_visible()
    await screenshot(page, "book-slots")
    await pick_slot(page, "7:00 PM")
    await fill_guest(page)
    await page.get_by_label("Special requests").fill("A table by the window")
    await screenshot(page, "book-form")
    await page.get_by_role("button", name="Book").click()

    await expect(page.get_by_text("A deposit of €25.00 is needed")).to_be_visible()
    await page.get_by_role("link", name="Pay now").click()
    await page.get_by_role("button", name="Pay").click()  # the local checkout page

    # the provider's page sends the guest back to the widget's confirmation
    await expect(page.get_by_role("heading", name="Your table is booked")).to_be_visible()
    await expect(page.get_by_text("at 7:00 PM, 2 guests")).to_be_visible()
    await screenshot(page, "book-confirmation")
    calendar = await page.get_by_role("link", name="Add to calendar").get_attribute("href")
    assert calendar
    ics = await page.request.get(stack.url(calendar))
    assert ics.status == 200, await ics.text()
    assert "BEGIN:VEVENT" in await ics.text()

    await page.get_by_role("link", name="Change or cancel").click()
    await expect(page.get_by_role("heading", name="Your reservation")).to_be_visible()
    await expect(page.get_by_text("€25.00 paid")).to_be_visible()
    await page.get_by_role("button", name="Change date, time or guests").click()
    await page.get_by_label("Guests").fill("3")
    await pick_slot(page, "8:00 PM")
    await expect(page.get_by_text("Your reservation was changed.")).to_be_visible()
    await expect(page.get_by_text("at 8:00 PM, 3 guests")).to_be_visible()
    await screenshot(page, "book-manage")

    await page.get_by_role("button", name="Cancel the reservation").click()
    await expect(page.get_by_text("Free cancellation until")).to_be_hidden()  # it is today
    await page.get_by_role("button", name="Yes, cancel").click()
    await expect(page.get_by_text("Your reservation is cancelled.")).to_be_visible()
    [booked] = reservations_of(stack, restaurant)
    assert booked["status"] == "cancelled_by_guest"
    assert (booked["party_size"], booked["time"]) == (3, "20:00:00")


async def test_a_table_taken_meanwhile_offers_the_nearest_times(
    page: Page, stack: WebStack
) -> None:
    restaurant = stack.make_restaurant(tables=[("1", 1, 2)])
    await page.goto(stack.url(f"/book/{restaurant['id']}"))
    await pick_slot(page, "7:00 PM")
    await fill_guest(page)
    # between showing the slots and sending the form, someone else books the only table
    book_by_api(stack, restaurant, day_at(restaurant), "19:00", 2)
    await page.get_by_role("button", name="Book").click()

    await expect(page.get_by_role("alert")).to_contain_text("that time was just taken")
    await expect(page.get_by_role("heading", name="Nearest free times")).to_be_visible()
    alternative = page.locator(".alternatives button").first
    await expect(alternative).to_be_visible()
    await alternative.click()
    await expect(page.get_by_label("Email", exact=True)).to_have_value("ada@example.com")  # kept
    await page.get_by_role("button", name="Book").click()
    await expect(page.get_by_role("heading", name="Your table is booked")).to_be_visible()
    times = sorted(r["time"] for r in reservations_of(stack, restaurant))
    assert len(times) == 2 and "19:00:00" in times


async def test_the_apis_field_errors_show_and_a_double_click_books_once(
    page: Page, stack: WebStack
) -> None:
    restaurant = stack.make_restaurant()
    await page.goto(stack.url(f"/book/{restaurant['id']}"))
    await pick_slot(page, "6:30 PM")

    # the widget's own rules first: nothing is sent
    await page.get_by_role("button", name="Book").click()
    await expect(page.locator("#first-name-error")).to_have_text("Required")
    await expect(page.get_by_label("First name", exact=True)).to_be_focused()

    # an address the widget lets through but the API refuses: its words, by the field
    await fill_guest(page, email="ada@exa_mple.com")
    await page.get_by_role("button", name="Book").click()
    await expect(page.locator("#email-error")).to_contain_text("invalid characters")
    await expect(page.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")
    assert reservations_of(stack, restaurant) == []

    await page.get_by_label("Email", exact=True).fill("ada@example.com")
    await page.get_by_role("button", name="Book").dblclick()
    await expect(page.get_by_role("heading", name="Your table is booked")).to_be_visible()
    assert len(reservations_of(stack, restaurant)) == 1

    # the manage link of the guest's messages leads on to the widget's manage screen
    confirmation = urlsplit(page.url)
    reservation_id = confirmation.path.rsplit("/", 1)[-1]
    await page.goto(stack.url(f"/manage/{reservation_id}?{confirmation.query}"))
    await page.get_by_role("link", name="Change the date, time or party size").click()
    await expect(page.get_by_role("heading", name="Your reservation")).to_be_visible()
    await expect(page.get_by_text("at 6:30 PM, 2 guests")).to_be_visible()


async def test_a_lost_answer_offers_a_retry_that_books_once(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant()
    lost: list[str] = []

    async def lose_first_answer(route: Route) -> None:
        # the booking reaches the API, but its answer never reaches the browser
        if route.request.method == "POST" and not lost:
            await route.fetch()
            lost.append(route.request.headers.get("idempotency-key", ""))
            await route.abort("connectionreset")
            return
        await route.continue_()

    await page.route("**/api/v1/reservations/reservations", lose_first_answer)
    await page.goto(stack.url(f"/book/{restaurant['id']}"))
    await pick_slot(page, "8:30 PM")
    await fill_guest(page)
    await page.get_by_role("button", name="Book").click()
    await expect(page.get_by_role("alert")).to_contain_text("No answer from the server")
    await expect(page.get_by_text("Trying again cannot book twice.")).to_be_visible()
    assert len(reservations_of(stack, restaurant)) == 1  # it was booked all the same

    retried: list[str] = []
    page.on(
        "request",
        lambda r: (
            retried.append(r.headers.get("idempotency-key", "")) if r.method == "POST" else None
        ),
    )
    await page.get_by_role("button", name="Try again").click()
    await expect(page.get_by_role("heading", name="Your table is booked")).to_be_visible()
    assert retried == lost and lost[0]  # the same attempt, so the same key
    assert len(reservations_of(stack, restaurant)) == 1
