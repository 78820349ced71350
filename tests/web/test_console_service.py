"""A host runs the service in the console: bookings appear live, one tap seats and
completes them, a refused move shows the API's words, a drag moves a party."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.web.console_flows import BASE, book, row, sign_in, wait_live
from tests.web.stack import WebStack


async def test_a_booking_appears_live_and_is_seated_then_completed(
    page: Page, stack: WebStack
) -> None:
    restaurant = stack.make_restaurant()
    email, password, _ = stack.staff_token("host", [restaurant["id"]])
    await sign_in(page, stack, f"/console/{restaurant['id']}/today", email, password)
    await expect(page.get_by_text("No reservations on this day.")).to_be_visible()
    await wait_live(page)

    book(stack, restaurant, at="16:00", name="Noor")  # no reload after this

    booking = row(page, "Noor S.")
    await expect(booking).to_contain_text("Confirmed")
    await booking.get_by_role("button", name="Check in").click()
    await expect(booking).to_contain_text("Seated")
    await booking.get_by_role("button", name="Complete").click()
    await expect(booking).to_contain_text("Completed")
    await expect(booking.get_by_role("button")).to_have_count(0)


async def test_a_refused_move_shows_the_apis_409_next_to_the_control(
    page: Page, stack: WebStack
) -> None:
    restaurant = stack.make_restaurant(tables=[("1", 2, 4), ("2", 2, 4)])
    rid = restaurant["id"]
    email, password, _ = stack.staff_token("host", [rid])
    first = book(stack, restaurant, at="18:00", name="Ada")
    second = book(stack, restaurant, at="18:00", name="Bo")
    assert {*first["table_numbers"], *second["table_numbers"]} == {"1", "2"}
    await sign_in(page, stack, f"/console/{rid}/today", email, password)

    ada = row(page, "Ada S.")
    other = second["table_numbers"][0]
    await ada.get_by_label("Move Ada S. to table").select_option(label=f"Table {other}")
    await ada.get_by_role("button", name="Move").click()

    tables = stack.admin.get(f"{BASE}/restaurants/{rid}/tables").json()["items"]
    target = next(t["id"] for t in tables if t["number"] == other)
    refused = stack.admin.post(
        f"{BASE}/restaurants/{rid}/reservations/{first['id']}/assign-tables",
        json={"table_ids": [target]},
    )
    assert refused.status_code == 409, refused.text
    await expect(ada.get_by_role("alert")).to_have_text(refused.json()["detail"])
    await expect(ada).to_contain_text(first["table_numbers"][0])


async def test_dragging_a_booking_onto_another_table_moves_it(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant(tables=[("1", 2, 4), ("2", 2, 4), ("3", 2, 4)])
    rid = restaurant["id"]
    email, password, _ = stack.staff_token("host", [rid])
    booked = book(stack, restaurant, at="19:00", name="Cas")
    start = booked["table_numbers"][0]
    target = next(n for n in ("3", "2", "1") if n != start)
    await sign_in(page, stack, f"/console/{rid}/today", email, password)
    await page.get_by_role("button", name="Timeline").click()

    block = page.locator(f'[data-table="{start}"] [data-reservation="{booked["id"]}"]')
    await block.drag_to(page.locator(f'[data-table="{target}"] .timeline-track'))

    moved = page.locator(f'[data-table="{target}"] [data-reservation="{booked["id"]}"]')
    await expect(moved).to_be_visible()
    now = stack.admin.get(f"{BASE}/restaurants/{rid}/reservations/{booked['id']}").json()
    assert now["table_numbers"] == [target]


async def test_a_host_re_seats_a_pair_the_optimizer_moves_back(page: Page, stack: WebStack) -> None:
    restaurant = stack.make_restaurant(tables=[("1", 1, 2), ("2", 1, 4)])
    rid = restaurant["id"]
    email, password, _ = stack.staff_token("host", [rid])
    pair = book(stack, restaurant, at="19:00", name="Ada")
    tables = stack.admin.get(f"{BASE}/restaurants/{rid}/tables").json()["items"]
    four_top = next(t["id"] for t in tables if t["number"] == "2")
    moved = stack.admin.post(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/assign-tables",
        json={"table_ids": [four_top], "lock": False},
    )
    assert moved.status_code == 200, moved.text
    await sign_in(page, stack, f"/console/{rid}/today", email, password)

    reseat = page.get_by_role("region", name="Re-seat")
    await reseat.get_by_role("button", name="Suggest re-seating").click()
    await expect(reseat.get_by_role("list", name="Proposed moves")).to_have_text(
        "Ada S.: table 2 → table 1"
    )
    await expect(reseat).to_contain_text("Empty seats at the tables: 2 → 0")
    await reseat.get_by_role("button", name="Apply 1 moves").click()
    await expect(reseat.get_by_role("status")).to_have_text("Moved.")
    await expect(row(page, "Ada S.")).to_contain_text("1")
    now = stack.admin.get(f"{BASE}/restaurants/{rid}/reservations/{pair['id']}").json()
    assert now["table_numbers"] == ["1"]


async def test_a_manager_confirms_and_declines_what_awaits_the_restaurant(
    page: Page, stack: WebStack
) -> None:
    restaurant = stack.make_restaurant(confirmation_mode="manual")
    rid = restaurant["id"]
    yes = book(stack, restaurant, at="18:00", name="Ines")
    no = book(stack, restaurant, at="19:00", name="Otto")
    assert yes["status"] == no["status"] == "pending_confirmation"

    host_email, host_password, _ = stack.staff_token("host", [rid])
    await sign_in(page, stack, f"/console/{rid}/today", host_email, host_password)
    await expect(row(page, "Ines S.")).to_contain_text("Awaiting confirmation")
    await expect(row(page, "Ines S.").get_by_role("button", name="Confirm")).to_have_count(0)
    await page.get_by_role("button", name="Sign out").click()

    email, password, _ = stack.staff_token("manager", [rid])
    await sign_in(page, stack, f"/console/{rid}/today", email, password)
    await row(page, "Ines S.").get_by_role("button", name="Confirm").click()
    await expect(row(page, "Ines S.")).to_contain_text("Confirmed")
    await row(page, "Otto S.").get_by_role("button", name="Decline").click()
    await expect(row(page, "Otto S.")).to_contain_text("Declined")
    for made, status in ((yes, "confirmed"), (no, "declined")):
        now = stack.admin.get(f"{BASE}/restaurants/{rid}/reservations/{made['id']}").json()
        assert now["status"] == status
