"""Two hosts on two tablets see each other's changes without reloading."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import Page, expect

from tests.web.console_flows import book, row, sign_in, tile, wait_live
from tests.web.stack import WebStack


async def test_two_hosts_see_each_others_table_marks_and_seatings(
    new_page: Callable[..., Awaitable[Page]], stack: WebStack
) -> None:
    restaurant = stack.make_restaurant(tables=[("1", 2, 4), ("2", 2, 4)])
    rid = restaurant["id"]
    booked = book(stack, restaurant, at="15:00", name="Ida")
    door, bar = await new_page(), await new_page()
    for page in (door, bar):
        email, password, _ = stack.staff_token("host", [rid])
        await sign_in(page, stack, f"/console/{rid}/floor", email, password)
        await wait_live(page)

    # the host at the door marks table 2 for cleaning: the bar's floor shows it
    free = next(n for n in ("1", "2") if n not in booked["table_numbers"])
    await door.get_by_label(f"Mark table {free}", exact=True).select_option("cleaning")
    await door.get_by_role("button", name=f"Set Mark table {free}").click()
    await expect(tile(bar, free).get_by_test_id("table-status")).to_have_text("Cleaning")

    # the bar host seats Ida from the list: the door's floor shows her table seated
    await bar.get_by_role("link", name="Today").click()
    await row(bar, "Ida S.").get_by_role("button", name="Check in").click()
    seated = tile(door, booked["table_numbers"][0])
    await expect(seated.get_by_test_id("table-status")).to_have_text("Seated")
    await expect(seated).to_contain_text("Ida")
