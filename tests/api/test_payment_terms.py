"""Which bookings must pay or guarantee, and how a change of party size is priced.

Over HTTP with a real worker and databases: the restaurant's payment conditions are
read when the guest books and frozen onto the booking.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from models.enums import StaffRole
from tests.api.conftest import LiveApi
from tests.api.test_reservation_lifecycle import BASE, booking, booking_day

SERVICES = [
    {"weekday": d, "name": name, "opens_at": opens, "closes_at": closes}
    for d in range(7)
    for name, opens, closes in (("lunch", "12:00", "15:00"), ("dinner", "17:00", "23:00"))
]


async def restaurant(live: LiveApi, admin: dict[str, str], **settings: Any) -> str:
    body = {
        "name": f"Terms {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "settings": {"min_notice_minutes": 0, "default_seating_minutes": 90, **settings},
        "services": SERVICES,
    }
    made = await live.client.post(f"{BASE}/restaurants", json=body, headers=admin)
    assert made.status_code == 201, made.text
    rid = str(made.json()["id"])
    for n in range(1, 6):
        table = {"number": str(n), "min_capacity": 1, "max_capacity": 8}
        added = await live.client.post(
            f"{BASE}/restaurants/{rid}/tables", json=table, headers=admin
        )
        assert added.status_code == 201, added.text
    return rid


async def book(live: LiveApi, rid: str, **kw: Any) -> dict[str, Any]:
    email = f"g-{uuid.uuid4().hex[:8]}@example.com"
    made = await live.client.post(f"{BASE}/reservations", json=booking(rid, email=email, **kw))
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


async def test_conditions_pick_the_bookings_that_pay(live: LiveApi, admin: dict[str, str]) -> None:
    day = booking_day()
    rid = await restaurant(
        live,
        admin,
        payment_mode="deposit",
        payment_fixed_minor=1500,
        payment_percentage="10",
        average_spend_per_cover_minor=5000,
        payment_min_party_size=3,
        payment_services=["dinner"],
    )
    lunch = await book(live, rid, at="12:30", party=4, day=day)
    small_dinner = await book(live, rid, at="19:00", party=2, day=day)
    dinner = await book(live, rid, at="19:00", party=4, day=day)
    assert lunch["status"] == "confirmed" and lunch["deposit"]["mode"] == "none"
    assert small_dinner["status"] == "confirmed" and small_dinner["payment_required"] is False
    assert dinner["status"] == "held" and dinner["payment_required"] is True
    # max(15.00, 10% of 4 x 50.00 = 20.00)
    assert dinner["deposit"] == {
        "mode": "deposit",
        "status": "pending",
        "amount_minor": 2000,
        "currency": "EUR",
    }


async def test_weekday_and_special_day_conditions(live: LiveApi, admin: dict[str, str]) -> None:
    day = booking_day()
    rid = await restaurant(
        live,
        admin,
        payment_mode="guarantee",
        payment_fixed_minor=3000,
        payment_weekdays=[(day.weekday() + 1) % 7],
        payment_on_special_days=True,
    )
    assert (await book(live, rid, day=day))["payment_required"] is False
    next_day = await book(live, rid, day=day + timedelta(days=1))
    assert next_day["payment_required"] is True
    assert next_day["deposit"]["mode"] == "guarantee"
    assert next_day["deposit"]["amount_minor"] == 3000
    # a special day with its own hours is covered too
    special_day = day + timedelta(days=3)
    special = await live.client.post(
        f"{BASE}/restaurants/{rid}/special-days",
        headers=admin,
        json={
            "starts_on": special_day.isoformat(),
            "ends_on": special_day.isoformat(),
            "kind": "custom_hours",
            "custom_services": [
                {
                    "weekday": special_day.weekday(),
                    "name": "gala",
                    "opens_at": "18:00",
                    "closes_at": "23:00",
                }
            ],
        },
    )
    assert special.status_code == 201, special.text
    assert (await book(live, rid, day=special_day))["payment_required"] is True


async def test_a_later_policy_change_does_not_reprice_a_booking(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(
        live, admin, payment_mode="guarantee", payment_fixed_minor=1000,
        payment_percentage="20", average_spend_per_cover_minor=5000,
    )  # fmt: skip
    made = await book(live, rid, party=2)  # max(10.00, 20% of 100.00) = 20.00
    assert made["deposit"]["amount_minor"] == 2000
    settings = (await live.client.get(f"{BASE}/restaurants/{rid}/settings", headers=admin)).json()
    settings.update(payment_percentage="50")
    changed = await live.client.put(
        f"{BASE}/restaurants/{rid}/settings", headers=admin, json=settings
    )
    assert changed.status_code == 200, changed.text
    token = {"X-Manage-Token": made["manage_token"]}
    # the guarantee's fee follows the party size by the formula agreed: 20% of 4 x 50.00
    moved = await live.client.patch(
        f"{BASE}/reservations/{made['id']}", headers=token, json={"party_size": 4}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["deposit"]["amount_minor"] == 4000
    # a new booking pays today's policy
    assert (await book(live, rid, party=2))["deposit"]["amount_minor"] == 5000


async def test_a_guest_cannot_outgrow_a_paid_deposit_but_staff_can(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(
        live, admin, payment_mode="deposit", payment_percentage="10",
        average_spend_per_cover_minor=5000,
    )  # fmt: skip
    made = await book(live, rid, party=2)
    assert made["deposit"]["amount_minor"] == 1000
    token = {"X-Manage-Token": made["manage_token"]}
    grown = await live.client.patch(
        f"{BASE}/reservations/{made['id']}", headers=token, json={"party_size": 6}
    )
    assert grown.status_code == 422, grown.text
    assert grown.json()["field"] == "party_size"
    smaller = await live.client.patch(
        f"{BASE}/reservations/{made['id']}", headers=token, json={"party_size": 1}
    )
    assert smaller.status_code == 200, smaller.text
    manager = await live.token_for(StaffRole.MANAGER, [rid])
    staff = await live.client.patch(
        f"{BASE}/reservations/{made['id']}",
        headers=manager,
        json={"party_size": 6},
    )
    assert staff.status_code == 200, staff.text
    assert staff.json()["party_size"] == 6


async def test_a_guarantees_fee_follows_the_party_down_and_a_guest_cannot_grow_into_one(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(
        live, admin, payment_mode="guarantee", payment_fixed_minor=3000, payment_min_party_size=6
    )
    big = await book(live, rid, party=6)
    assert big["deposit"]["mode"] == "guarantee" and big["deposit"]["amount_minor"] == 3000
    url, token = f"{BASE}/reservations/{big['id']}", {"X-Manage-Token": big["manage_token"]}
    # two guests: no guarantee is asked of such a party, so no fee is due for it
    small = await live.client.patch(url, headers=token, json={"party_size": 2})
    assert small.status_code == 200 and small.json()["deposit"]["amount_minor"] == 0, small.text
    again = await live.client.patch(url, headers=token, json={"party_size": 6})
    assert again.status_code == 200 and again.json()["deposit"]["amount_minor"] == 3000
    # a booking that gave no card cannot grow into a size that asks for one, but staff may
    plain = await book(live, rid, party=4)
    assert plain["payment_required"] is False
    plain_url = f"{BASE}/reservations/{plain['id']}"
    grown = await live.client.patch(
        plain_url, headers={"X-Manage-Token": plain["manage_token"]}, json={"party_size": 8}
    )
    assert grown.status_code == 422 and grown.json()["field"] == "party_size", grown.text
    manager = await live.token_for(StaffRole.MANAGER, [rid])
    staff = await live.client.patch(plain_url, headers=manager, json={"party_size": 8})
    assert staff.status_code == 200, staff.text


async def test_moving_a_booking_after_its_deadline_buys_no_new_free_cancellation(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid = await restaurant(live, admin, cancellation_deadline_hours=24 * 30)
    made = await book(live, rid, day=booking_day())  # the deadline is already behind us
    deadline = made["cancellation_deadline_at"]
    later = (booking_day() + timedelta(days=9)).isoformat()
    url, token = f"{BASE}/reservations/{made['id']}", {"X-Manage-Token": made["manage_token"]}
    moved = await live.client.patch(url, headers=token, json={"date": later})
    assert moved.status_code == 200, moved.text
    assert moved.json()["date"] == later
    assert moved.json()["cancellation_deadline_at"] == deadline
    cancelled = await live.client.post(f"{url}/cancel", headers=token)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled_within_deadline"] is False
    # the restaurant moving a booking sets the deadline from the new time
    other = await book(live, rid, day=booking_day())
    manager = await live.token_for(StaffRole.MANAGER, [rid])
    staff = await live.client.patch(
        f"{BASE}/reservations/{other['id']}", headers=manager, json={"date": later}
    )
    assert staff.status_code == 200, staff.text
    assert staff.json()["cancellation_deadline_at"] > other["cancellation_deadline_at"]
