"""A host of another restaurant sees nothing of this one: not found, and no events."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, Request, expect

from tests.web.console_flows import BASE, sign_in
from tests.web.stack import WebStack


async def test_a_host_of_another_restaurant_gets_not_found_and_no_events(
    page: Page, stack: WebStack
) -> None:
    ours = stack.make_restaurant()
    theirs = stack.make_restaurant()
    email, password, token = stack.staff_token("host", [theirs["id"]])
    asked: list[str] = []

    def note(request: Request) -> None:
        asked.append(request.url)

    page.on("request", note)
    await page.goto(stack.url(f"/console/{ours['id']}/today"))
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("Restaurant not found")
    await expect(page.get_by_role("button", name="Check in")).to_have_count(0)
    assert not [url for url in asked if url.endswith("/events")]

    bearer = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=stack.url(BASE), headers=bearer) as api:
        for path in (f"/restaurants/{ours['id']}/events", f"/restaurants/{ours['id']}/timeline"):
            answer = await api.get(path, params={"date": "2026-12-01"})
            assert answer.status_code == 404, (path, answer.text)

    # their own restaurant is one tap away
    await page.get_by_role("link", name="Choose a restaurant").click()
    await expect(page.get_by_role("heading", name=theirs["name"])).to_be_visible()


async def test_sign_out_forgets_the_token(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant()
    email, password, _ = stack.staff_token("host", [restaurant["id"]])
    await sign_in(page, stack, f"/console/{restaurant['id']}/today", email, password)
    assert await page.evaluate("sessionStorage.getItem('console.token')")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('console.token')") is None
    await page.reload()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
