"""Changes made through the API reach cached availability at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.test_restaurants import BASE, restaurant_body
from tests.conftest import Api


async def test_special_days_hours_and_tables_invalidate_the_cache(
    api: Api, admin: dict[str, str]
) -> None:
    body = restaurant_body(
        services=[
            {"weekday": d, "name": "dinner", "opens_at": "18:00", "closes_at": "23:00"}
            for d in range(7)
        ]
    )
    rid = (await api.client.post(f"{BASE}/restaurants", json=body, headers=admin)).json()["id"]
    table = await api.client.post(
        f"{BASE}/restaurants/{rid}/tables", json={"number": "1", "max_capacity": 4}, headers=admin
    )
    day = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    url = f"{BASE}/restaurants/{rid}/availability"

    async def free_slots(party: int = 2) -> int:
        answer = (await api.client.get(url, params={"date": day, "party_size": party})).json()
        return sum(1 for s in answer["slots"] if s["available"])

    assert await free_slots() > 0  # now cached
    bigger = await api.client.patch(
        f"{BASE}/restaurants/{rid}/tables/{table.json()['id']}",
        json={"max_capacity": 6},
        headers=admin,
    )
    assert bigger.status_code == 200
    assert await free_slots(party=6) > 0

    closed = await api.client.post(
        f"{BASE}/restaurants/{rid}/special-days",
        json={"starts_on": day, "kind": "closed"},
        headers=admin,
    )
    assert closed.status_code == 201
    answer = (await api.client.get(url, params={"date": day, "party_size": 2})).json()
    assert answer["slots"] == [] and answer["closed_reason"] == "special_day_closed"
