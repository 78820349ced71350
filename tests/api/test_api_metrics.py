"""The API's /metrics: every answered request counted and timed by its route template."""

from __future__ import annotations

import uuid

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Api

# the route template as the API router declares it (without the mount prefix)
ROUTE = "/restaurants/{restaurant_id}"


async def samples(api: Api, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    page = await api.client.get("/metrics")
    assert page.status_code == 200
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(page.text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def label_set(method: str, route: str, **extra: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({"method": method, "route": route, **extra}.items()))


async def test_requests_are_counted_and_timed_by_route_and_status(api: Api) -> None:
    counted = label_set("GET", ROUTE, status="404")
    timed = label_set("GET", ROUTE)
    before = await samples(api, "reservations_http_requests_total")
    before_timed = await samples(api, "reservations_http_request_seconds_count")
    for _ in range(3):
        missing = await api.client.get(f"/api/v1/reservations/restaurants/{uuid.uuid4()}")
        assert missing.status_code == 404
    after = await samples(api, "reservations_http_requests_total")
    after_timed = await samples(api, "reservations_http_request_seconds_count")
    assert after[counted] - before.get(counted, 0) == 3
    assert after_timed[timed] - before_timed.get(timed, 0) == 3


async def test_a_path_no_route_matches_is_counted_as_unmatched(api: Api) -> None:
    counted = label_set("GET", "unmatched", status="404")
    before = await samples(api, "reservations_http_requests_total")
    assert (await api.client.get(f"/no-such-page-{uuid.uuid4()}")).status_code == 404
    after = await samples(api, "reservations_http_requests_total")
    assert after[counted] - before.get(counted, 0) == 1
