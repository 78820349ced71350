"""The console speaks the staff member's language: chosen in the header's menu and kept
after a reload, else the browser's; dates follow the language too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from playwright.async_api import Page, expect

from tests.web.conftest import assert_accessible
from tests.web.console_flows import book, row, sign_in, today_at
from tests.web.stack import WebStack

DUTCH_WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]


async def test_a_host_switches_the_console_to_dutch_and_it_stays(
    page: Page, stack: WebStack
) -> None:
    restaurant = stack.make_restaurant()
    rid = restaurant["id"]
    book(stack, restaurant, at="19:00", name="Ada")
    email, password, _ = stack.staff_token("host", [rid])
    # Playwright's Chromium asks for en-US: the console starts in English
    await sign_in(page, stack, f"/console/{rid}/today", email, password)
    await expect(page.get_by_role("heading", name="Reservations", exact=False)).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")

    await page.get_by_label("Language").select_option(label="Nederlands")

    weekday = DUTCH_WEEKDAYS[date.fromisoformat(today_at(restaurant)).weekday()]
    heading = page.get_by_role("heading", level=2).first
    await expect(heading).to_contain_text("Reserveringen")
    await expect(heading).to_contain_text(weekday)  # the day in Dutch, from Intl
    await expect(page.get_by_role("link", name="Plattegrond")).to_be_visible()
    await expect(row(page, "Ada S.")).to_contain_text("Bevestigd")
    await expect(page.locator("html")).to_have_attribute("lang", "nl")
    await expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    await page.reload()
    await expect(page.get_by_role("heading", level=2).first).to_contain_text("Reserveringen")
    await expect(page.get_by_label("Taal")).to_have_value("nl")
    await expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert await page.evaluate("localStorage.getItem('console.language')") == "nl"
    await page.get_by_role("link", name="Plattegrond").click()
    await expect(page.get_by_role("heading", name="Plattegrond")).to_be_visible()
    await assert_accessible(page)


async def test_a_french_browser_gets_the_french_console(
    new_page: Callable[..., Awaitable[Page]], stack: WebStack
) -> None:
    page = await new_page(locale="fr-FR")
    await page.goto(stack.url("/console/"))
    await expect(page.get_by_role("heading", name="Connexion du personnel")).to_be_visible()
    await expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "fr")
    # a choice made here outranks the browser's language
    await page.get_by_label("Langue").select_option("en")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
