"""Schemathesis over the whole OpenAPI schema, in-process: no 5xx and no response off its schema.

A bounded, derandomized run: every operation gets a few schema-conforming (positive)
and a few schema-violating (negative) requests, as an admin, with the path ids of real
rows (a restaurant with a table, seating area, floor plan, special day, party-size
override, a reservation, a waitlist entry, a partner key) so requests reach past the
404s. Temporal is pointed at a closed port: lifecycle routes may answer 503, never 500.

The same run again as a guest: no bearer token, the manage token of the seeded
reservation in `X-Manage-Token` (the waitlist entry's token on waitlist paths), as the
links in guest messages carry. Staff routes must answer 401/403/404, guest routes work.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from api.problems import PROBLEM_JSON
from models.enums import StaffRole
from models.schemas.waitlist import WaitlistKind
from reservations.cache import MemoryCache
from services.manage_links import manage_token, waitlist_token
from services.waitlist.entries import create_entry
from tests.allocation.helpers import make_guest, make_reservation
from tests.api.test_restaurants import BASE, restaurant_body
from tests.conftest import JWT_SECRET, Api, Database
from tests.conftest import test_settings as settings_for

# a bounded run by default; FUZZ_EXAMPLES=100 for a deeper one by hand
EXAMPLES_PER_MODE = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# a port nothing listens on: Temporal is unreachable, quickly
NO_TEMPORAL = "127.0.0.1:9"


@dataclass
class Seed:
    admin: dict[str, str]
    path_ids: dict[str, str]

    def guest(self, path: str) -> dict[str, str]:
        """What a guest holds: the manage token of its booking, or of its waitlist entry."""
        if "{entry_id}" in path:
            token = waitlist_token(uuid.UUID(self.path_ids["entry_id"]), secret=JWT_SECRET)
        else:
            token = manage_token(uuid.UUID(self.path_ids["reservation_id"]), secret=JWT_SECRET)
        return {"X-Manage-Token": token}


async def _created(response: httpx.Response) -> str:
    assert response.status_code in (200, 201), response.text
    value: str = response.json()["id"]
    return value


@pytest.fixture
async def seed(pg_db: Database) -> AsyncIterator[Seed]:
    """Real rows for every kind of path id, made over HTTP on the test's database."""
    app = create_app(settings_for(pg_db.url), engine=pg_db.engine, cache=MemoryCache())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            api = Api(client=client, db=pg_db)
            admin = await api.token_for(StaffRole.ADMIN)
            post = client.post
            rid = await _created(
                await post(f"{BASE}/restaurants", json=restaurant_body(), headers=admin)
            )
            at = f"{BASE}/restaurants/{rid}"
            plan = await _created(
                await post(f"{at}/floor-plans", json={"name": "Ground"}, headers=admin)
            )
            area = await _created(
                await post(f"{at}/seating-areas", json={"name": "Terrace"}, headers=admin)
            )
            table = await _created(
                await post(
                    f"{at}/tables",
                    json={"number": "1", "max_capacity": 4, "seating_area_id": area},
                    headers=admin,
                )
            )
            special = await _created(
                await post(
                    f"{at}/special-days",
                    json={"starts_on": "2030-12-25", "kind": "closed"},
                    headers=admin,
                )
            )
            override = await _created(
                await post(
                    f"{at}/party-size-overrides",
                    json={
                        "day": "2030-12-24",
                        "starts_at": "18:00",
                        "ends_at": "20:00",
                        "max_party_size": 4,
                    },
                    headers=admin,
                )
            )
            key = await _created(
                await post(f"{BASE}/partner-keys", json={"name": "x"}, headers=admin)
            )
    async with pg_db.sessions() as session:
        guest = await make_guest(session)
        reservation = await make_reservation(
            session, restaurant_id=uuid.UUID(rid), guest_id=guest.id
        )
        entry, _ = await create_entry(
            session,
            restaurant_id=uuid.UUID(rid),
            guest_id=guest.id,
            kind=WaitlistKind.FUTURE,
            day=date(2030, 12, 27),
            time_from=clock_time(18, 0),
            time_to=clock_time(21, 0),
            party_size=2,
            expires_at=datetime(2030, 12, 27, 20, 0, tzinfo=UTC),
            now=datetime.now(UTC),
        )
        await session.commit()
    yield Seed(
        admin=admin,
        path_ids={
            "restaurant_id": rid,
            "floor_plan_id": plan,
            "table_id": table,
            "special_day_id": special,
            "override_id": override,
            "key_id": key,
            "reservation_id": str(reservation),
            "entry_id": str(entry.id),
            "session_id": "cs_unknown",
        },
    )


@pytest.mark.long_running
def test_no_operation_answers_5xx_or_off_schema(seed: Seed, pg_db: Database) -> None:
    operations, statuses, _ = _fuzz(seed, pg_db, lambda path: seed.admin)
    assert sum(n for status, n in statuses.items() if status < 300) > operations, statuses


@pytest.mark.long_running
def test_no_operation_answers_a_guest_5xx_or_off_schema(seed: Seed, pg_db: Database) -> None:
    _, statuses, answered = _fuzz(seed, pg_db, seed.guest)
    # the guest's tokens opened its own booking and its own waitlist entry
    assert {
        f"GET {BASE}/reservations/{{reservation_id}}",
        f"GET {BASE}/waitlist/{{entry_id}}",
    } <= answered, answered
    assert statuses.get(401, 0) + statuses.get(403, 0) > 0, statuses


def _fuzz(
    seed: Seed, pg_db: Database, headers_for: Callable[[str], dict[str, str]]
) -> tuple[int, dict[int, int], set[str]]:
    """Every operation, positive and negative cases.

    Returns how many operations, the answers by status, and the operations that
    answered 2xx at least once.
    """
    # the app's own engine: schemathesis drives it from its own event loop
    # live event streams end after a moment, so the fuzzer reads each to its end
    app_settings = settings_for(
        pg_db.url, temporal_address=NO_TEMPORAL, live_stream_max_seconds=0.2
    )
    app = create_app(app_settings, cache=MemoryCache())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    statuses: dict[int, int] = {}
    answered: set[str] = set()
    operations = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the schema itself must load cleanly
        operation = result.ok()
        operations += 1
        ids = {
            name: value
            for name, value in seed.path_ids.items()
            if "{" + name + "}" in operation.path
        }
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(mode, path_parameters=ids or None)

            @settings(
                max_examples=EXAMPLES_PER_MODE,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: Any) -> None:
                response = case.call(headers=headers_for(case.operation.path))
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code < 300:
                    answered.add(case.operation.label)
                if response.status_code == 503:
                    # Temporal is unreachable: a problem+json 503 is the right answer
                    assert response.headers["content-type"][0].startswith(PROBLEM_JSON)
                    return
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )

            try:
                run()
            except Unsatisfiable:
                continue  # no way to break this operation's schema (e.g. no parameters at all)
            except (Exception, FailureGroup) as exc:  # every operation's failures, not the first
                failures.append(f"--- {mode.value} {operation.label}:\n{_summary(exc)}")
    elapsed = time.monotonic() - started
    print(
        f"{operations} operations in {elapsed:.1f} s; answers by status: {sorted(statuses.items())}"
    )
    assert operations > 30, operations
    assert not failures, f"{len(failures)} failing ({elapsed:.0f} s):\n" + "\n".join(failures)
    return operations, statuses, answered


def _summary(exc: BaseException) -> str:
    """What failed and how to reproduce it, without the full schema excerpts."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    keep = [
        line
        for line in lines
        if line.lstrip().startswith(("- ", "[", "curl", "`")) or "is not" in line or "Error" in line
    ]
    return "\n".join(line[:400] for line in (keep or lines)[:16])
