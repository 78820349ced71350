"""Who may read analytics (managers of the restaurant and admins; others 404 or 403) and
bad input: each a 422 problem+json naming the field."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from models.enums import StaffRole
from tests.analytics.helpers import BASE
from tests.analytics.history import FROM, TO, a_restaurant
from tests.conftest import Api

REPORTS = (
    "dashboard",
    "volume",
    "no-shows",
    "lead-times",
    "slots",
    "revenue",
    "turn-times",
    "turned-away",
)
RANGE = {"date_from": FROM.isoformat(), "date_to": TO.isoformat()}


async def test_only_the_restaurants_managers_and_admins_see_its_figures(api: Api) -> None:
    mine, theirs = await a_restaurant(api.db), await a_restaurant(api.db)
    manager = await api.token_for(StaffRole.MANAGER, [mine])
    other = await api.token_for(StaffRole.MANAGER, [theirs])
    host = await api.token_for(StaffRole.HOST, [mine])
    admin = await api.token_for(StaffRole.ADMIN)
    for report in REPORTS:
        url = f"{BASE}/{mine}/{report}"
        assert (await api.client.get(url, params=RANGE, headers=manager)).status_code == 200
        assert (await api.client.get(url, params=RANGE, headers=admin)).status_code == 200
        r = await api.client.get(url, params=RANGE, headers=other)
        assert r.status_code == 404, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert (await api.client.get(url, params=RANGE, headers=host)).status_code == 403
        assert (await api.client.get(url, params=RANGE)).status_code == 401
        # a restaurant that does not exist looks exactly like another restaurant's
        r = await api.client.get(f"{BASE}/{uuid.uuid4()}/{report}", params=RANGE, headers=admin)
        assert r.status_code == 404, r.text
    r = await api.client.put(f"{BASE}/{mine}/turn-times", json=RANGE, headers=other)
    assert r.status_code == 404


async def _problem(api: Api, url: str, params: dict[str, str], headers: dict[str, str]) -> str:
    r = await api.client.get(url, params=params, headers=headers)
    assert r.status_code == 422, (params, r.text)
    assert r.headers["content-type"] == "application/problem+json"
    field = r.json()["field"]
    assert field in r.json()["detail"]
    return str(field)


async def test_bad_ranges_and_parameters_name_the_field(api: Api) -> None:
    rid = await a_restaurant(api.db)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    admin = await api.token_for(StaffRole.ADMIN)
    two_years = {"date_from": "2024-01-01", "date_to": str(date(2024, 1, 1) + timedelta(days=730))}
    for report in REPORTS:
        url = f"{BASE}/{rid}/{report}"
        cases: list[tuple[dict[str, str], str]] = [
            ({"date_from": "2026-04-02", "date_to": "2026-04-01"}, "date_to"),
            ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "date_to"),  # 732 days
            ({"date_from": "yesterday", "date_to": "2026-04-01"}, "date_from"),
            ({"date_from": "2026-04-01", "date_to": "2026-13-01"}, "date_to"),
            ({"date_to": "2026-04-01"}, "date_from"),
            ({**RANGE, "format": "xml"}, "format"),
            # far dates are refused, not overflowed
            ({"date_from": "0001-01-01", "date_to": "0001-01-02"}, "date_from"),
            ({"date_from": "9999-12-30", "date_to": "9999-12-31"}, "date_from"),
            ({"date_from": "2199-12-30", "date_to": "9999-12-31"}, "date_to"),
        ]
        for params, field in cases:
            assert await _problem(api, url, params, manager) == field, (report, params)
        # exactly two years is allowed
        r = await api.client.get(url, params=two_years, headers=manager)
        assert r.status_code == 200, r.text
        # an id that is not one is a 422, before anything is looked up
        bad_id = f"{BASE}/not-a-uuid/{report}"
        assert await _problem(api, bad_id, RANGE, admin) == "restaurant_id"
    turn_times = f"{BASE}/{rid}/turn-times"
    for value in ("many", "1.5", "0", "-3"):
        params = {**RANGE, "min_samples": value}
        assert await _problem(api, turn_times, params, manager) == "min_samples"


async def test_bad_acceptances_name_the_field(api: Api) -> None:
    rid = await a_restaurant(api.db)
    manager = await api.token_for(StaffRole.MANAGER, [rid])
    url = f"{BASE}/{rid}/turn-times"
    cases: list[tuple[dict[str, object], str]] = [
        ({"date_from": "2026-04-02", "date_to": "2026-04-01"}, "date_to"),
        ({"date_from": "2020-01-01", "date_to": "2026-04-01"}, "date_to"),
        ({**RANGE, "min_samples": "5"}, "min_samples"),  # strict: a string is not a number
        ({**RANGE, "min_samples": True}, "min_samples"),
        ({**RANGE, "extra": 1}, "extra"),
        ({"date_from": "2199-12-31", "date_to": "9999-12-31"}, "date_to"),
        # nothing was measured in this range, so there is nothing to accept
        (dict(RANGE), "date_from"),
    ]
    for body, field in cases:
        r = await api.client.put(url, json=body, headers=manager)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["field"] == field, (body, r.text)
