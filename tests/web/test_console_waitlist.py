"""Walk-ins at the door: seated at once, or queued with a quote and seated from the queue;
a refused party size is explained next to its field."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.web.console_flows import BASE, sign_in
from tests.web.stack import WebStack


async def test_a_host_seats_walk_ins_now_and_from_the_queue(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant(tables=[("1", 2, 4), ("2", 2, 4)])
    rid = restaurant["id"]
    email, password, _ = stack.staff_token("host", [rid])
    await sign_in(page, stack, f"/console/{rid}/waitlist", email, password)
    size = page.get_by_label("Party size")

    await size.fill("0")
    await page.get_by_role("button", name="Seat now").click()
    await expect(page.locator(".field-error")).to_be_visible()
    await expect(size).to_have_attribute("aria-invalid", "true")

    await size.fill("3")
    await page.get_by_label("Name").fill("Rosa")
    await page.get_by_role("button", name="Seat now").click()
    await expect(page.get_by_role("status").filter(has_text="Seated Rosa")).to_be_visible()

    await page.get_by_label("Name").fill("Tim")
    await page.get_by_role("button", name="Add to queue").click()
    queued = page.locator(".queue li")
    # the free table is offered to Tim at once ("table ready"); the host seats him there
    await expect(queued).to_contain_text("offered")
    await expect(queued).to_contain_text("Table")
    await queued.get_by_role("button", name="Seat").click()
    # seating goes through the entry's workflow and then the new reservation's
    await expect(queued).to_have_count(0, timeout=15_000)

    today = stack.admin.get(f"{BASE}/restaurants/{rid}/reservations", params={"status": "seated"})
    assert today.json()["total"] == 2, today.text


async def test_the_quote_counts_the_parties_already_in_line(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant(tables=[("1", 2, 4)])
    rid = restaurant["id"]
    email, password, _ = stack.staff_token("host", [rid])
    await sign_in(page, stack, f"/console/{rid}/waitlist", email, password)
    await page.get_by_label("Party size").fill("3")
    await page.get_by_label("Name").fill("Rosa")
    await page.get_by_role("button", name="Seat now").click()
    await expect(page.get_by_role("status").filter(has_text="Seated Rosa")).to_be_visible()
    quote = page.get_by_role("status").filter(has_text="Wait for 3")
    await expect(quote).not_to_contain_text("in line")
    # the only table is taken: Tim waits in line, and the next party is quoted after him
    await page.get_by_label("Name").fill("Tim")
    await page.get_by_role("button", name="Add to queue").click()
    await expect(page.locator(".queue li")).to_contain_text("waiting")
    await expect(quote).to_contain_text("after 1 in line")
