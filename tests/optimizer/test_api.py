"""The optimizer's routes over HTTP, with the worker applying moves through the workflows."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from models.enums import AllocationStatus, StaffRole
from models.orm import Reservation, TableAllocation
from models.schemas.lifecycle import ExchangeTablesRequest, PartyTables, ReservationState
from tests.api.conftest import LiveApi, live_api
from tests.conftest import Database

BASE = "/api/v1/reservations"
HISTORIES = Path(__file__).parent.parent / "workflows" / "histories"


def day() -> date:
    return (datetime.now(UTC) + timedelta(days=10)).date()


async def floor(live: LiveApi, admin: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A restaurant with a two-top ("1") and a four-top ("2"); ids by number."""
    body = {
        "name": f"Optimised {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "settings": {"min_notice_minutes": 0, "default_seating_minutes": 90},
        "services": [
            {
                "weekday": d,
                "name": "dinner",
                "opens_at": "17:00",
                "closes_at": "23:00",
                "last_seating_at": "21:30",
            }
            for d in range(7)
        ],
    }
    r = await live.client.post(f"{BASE}/restaurants", json=body, headers=admin)
    assert r.status_code == 201, r.text
    rid = str(r.json()["id"])
    tables = {}
    for number, high in (("1", 2), ("2", 4)):
        t = await live.client.post(
            f"{BASE}/restaurants/{rid}/tables",
            json={"number": number, "min_capacity": 1, "max_capacity": high},
            headers=admin,
        )
        assert t.status_code == 201, t.text
        tables[number] = str(t.json()["id"])
    return rid, tables


async def book(live: LiveApi, rid: str, *, party: int, at: str = "19:00") -> dict[str, Any]:
    r = await live.client.post(
        f"{BASE}/reservations",
        json={
            "restaurant_id": rid,
            "date": day().isoformat(),
            "time": at,
            "party_size": party,
            "guest": {"email": f"g{uuid.uuid4().hex[:6]}@example.com", "first_name": "Ann"},
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def tables_of(live: LiveApi, reservation_id: str) -> set[str]:
    async with live.db.sessions() as session:
        rows = await session.scalars(
            select(TableAllocation.table_id).where(
                TableAllocation.reservation_id == uuid.UUID(reservation_id),
                TableAllocation.status != AllocationStatus.RELEASED,
            )
        )
        return {str(t) for t in rows}


async def pair_on_the_four_top(
    live: LiveApi, admin: dict[str, str]
) -> tuple[str, dict[str, str], dict[str, str], dict[str, Any]]:
    """A pair staff put on the four-top without locking it: the optimizer's case."""
    rid, tables = await floor(live, admin)
    host = await live.token_for(StaffRole.HOST, [rid])
    pair = await book(live, rid, party=2)
    moved = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/assign-tables",
        headers=host,
        json={"table_ids": [tables["2"]], "lock": False},
    )
    assert moved.status_code == 200, moved.text
    return rid, tables, host, pair


def service_url(rid: str, when: date | str | None = None) -> str:
    return f"{BASE}/restaurants/{rid}/services/{when or day().isoformat()}/dinner/optimisation"


async def test_a_plan_moves_the_pair_back_through_its_workflow(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid, tables, host, pair = await pair_on_the_four_top(live, admin)
    proposed = await live.client.post(service_url(rid), headers=host)
    assert proposed.status_code == 201, proposed.text
    plan = proposed.json()
    assert plan["status"] in ("optimal", "feasible")
    assert [(m["reservation_id"], m["to_table_ids"]) for m in plan["moves"]] == [
        (pair["id"], [tables["1"]])
    ]
    assert (plan["wasted_seats_before"], plan["wasted_seats_after"]) == (2, 0)
    assert await tables_of(live, pair["id"]) == {tables["2"]}  # proposing moves nobody

    applied = await live.client.post(
        f"{service_url(rid)}/apply", headers=host, json={"plan_id": plan["id"]}
    )
    assert applied.status_code == 200, applied.text
    assert applied.json()["applied_at"] is not None
    assert await tables_of(live, pair["id"]) == {tables["1"]}
    # the workflow wrote it: the reservation reads the new table, still unlocked
    seen = await live.client.get(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}", headers=host
    )
    assert seen.json()["table_numbers"] == ["1"]
    async with live.db.sessions() as session:
        assert (
            await session.scalar(
                select(Reservation.tables_locked).where(Reservation.id == uuid.UUID(pair["id"]))
            )
            is False
        )
    again = await live.client.post(
        f"{service_url(rid)}/apply", headers=host, json={"plan_id": plan["id"]}
    )
    assert again.status_code == 409


async def test_a_locked_party_is_never_moved(live: LiveApi, admin: dict[str, str]) -> None:
    rid, _tables, host, pair = await pair_on_the_four_top(live, admin)
    lock = await live.client.put(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/table-lock", headers=host
    )
    assert lock.status_code == 200 and lock.json()["tables_locked"] is True
    plan = (await live.client.post(service_url(rid), headers=host)).json()
    assert plan["moves"] == [] and plan["movable"] == 0
    unlock = await live.client.delete(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/table-lock", headers=host
    )
    assert unlock.json()["tables_locked"] is False
    plan = (await live.client.post(service_url(rid), headers=host)).json()
    assert len(plan["moves"]) == 1
    cancelled = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/cancel", headers=host, json={}
    )
    assert cancelled.status_code == 200, cancelled.text
    # an ended booking no longer changes, its lock neither
    for method in ("PUT", "DELETE"):
        closed = await live.client.request(
            method, f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/table-lock", headers=host
        )
        assert closed.status_code == 409, closed.text


async def test_a_staff_assignment_locks_by_default(live: LiveApi, admin: dict[str, str]) -> None:
    rid, tables = await floor(live, admin)
    host = await live.token_for(StaffRole.HOST, [rid])
    pair = await book(live, rid, party=2)
    assigned = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/assign-tables",
        headers=host,
        json={"table_ids": [tables["2"]]},
    )
    assert assigned.status_code == 200, assigned.text
    plan = (await live.client.post(service_url(rid), headers=host)).json()
    assert plan["moves"] == []


async def test_a_stale_plan_is_409_and_nothing_moves(live: LiveApi, admin: dict[str, str]) -> None:
    rid, tables, host, pair = await pair_on_the_four_top(live, admin)
    plan = (await live.client.post(service_url(rid), headers=host)).json()
    assert len(plan["moves"]) == 1
    await book(live, rid, party=1, at="17:00")  # the day's bookings changed
    stale = await live.client.post(
        f"{service_url(rid)}/apply", headers=host, json={"plan_id": plan["id"]}
    )
    assert stale.status_code == 409, stale.text
    assert stale.headers["content-type"] == "application/problem+json"
    assert await tables_of(live, pair["id"]) == {tables["2"]}


async def test_another_restaurants_staff_get_404(live: LiveApi, admin: dict[str, str]) -> None:
    rid, _, _, _ = await pair_on_the_four_top(live, admin)
    plan = (await live.client.post(service_url(rid), headers=admin)).json()
    other, _ = await floor(live, admin)
    stranger = await live.token_for(StaffRole.MANAGER, [other])
    assert (await live.client.post(service_url(rid), headers=stranger)).status_code == 404
    applied = await live.client.post(
        f"{service_url(rid)}/apply", headers=stranger, json={"plan_id": plan["id"]}
    )
    assert applied.status_code == 404
    # their own restaurant's route cannot reach this plan either
    reached = await live.client.post(
        f"{service_url(other)}/apply", headers=stranger, json={"plan_id": plan["id"]}
    )
    assert reached.status_code == 404


async def test_bad_input(live: LiveApi, admin: dict[str, str]) -> None:
    rid, _ = await floor(live, admin)
    unknown = await live.client.post(service_url(str(uuid.uuid4())), headers=admin)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    past = await live.client.post(
        service_url(rid, (datetime.now(UTC) - timedelta(days=2)).date()), headers=admin
    )
    assert past.status_code == 409, past.text
    for bad in (
        service_url(rid, "tomorrow"),
        f"{service_url(rid)}?time_budget_ms=abc",
        f"{service_url(rid)}?time_budget_ms=0",
    ):
        r = await live.client.post(bad, headers=admin)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    no_service = await live.client.post(
        service_url(rid).replace("/dinner/", "/brunch/"), headers=admin
    )
    assert no_service.status_code == 404
    not_a_plan = await live.client.post(
        f"{service_url(rid)}/apply", headers=admin, json={"plan_id": "seven"}
    )
    assert not_a_plan.status_code == 422


async def workflow_tables(live: LiveApi, reservation_id: str) -> list[str]:
    handle = live.env.client.get_workflow_handle(f"reservation-{reservation_id}")
    state = await handle.query("state", result_type=ReservationState)
    return list(state.table_numbers)


async def test_make_room_books_the_four_by_moving_the_pair(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid, tables, _host, pair = await pair_on_the_four_top(live, admin)
    # only the four-top seats four, and the pair sits on it: room is made by moving the pair
    four = await book(live, rid, party=4)
    assert four["table_numbers"] == ["2"]
    assert await tables_of(live, four["id"]) == {tables["2"]}
    # the moved pair: its table rows and its workflow's state agree, on the two-top
    assert await tables_of(live, pair["id"]) == {tables["1"]}
    assert await workflow_tables(live, pair["id"]) == ["1"]
    async with live.db.sessions() as session:
        assert (
            await session.scalar(
                select(Reservation.tables_locked).where(Reservation.id == uuid.UUID(pair["id"]))
            )
            is False
        )


async def test_make_room_never_moves_a_locked_party(live: LiveApi, admin: dict[str, str]) -> None:
    rid, tables, host, pair = await pair_on_the_four_top(live, admin)
    await live.client.put(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/table-lock", headers=host
    )
    refused = await live.client.post(
        f"{BASE}/reservations",
        json={
            "restaurant_id": rid,
            "date": day().isoformat(),
            "time": "19:00",
            "party_size": 4,
            "guest": {"email": "four@example.com", "first_name": "Four"},
        },
    )
    assert refused.status_code == 409, refused.text
    assert await tables_of(live, pair["id"]) == {tables["2"]}
    assert await workflow_tables(live, pair["id"]) == ["2"]


async def test_without_a_make_room_budget_the_four_is_refused(
    db: Database, dev_server: WorkflowEnvironment, admin: dict[str, str]
) -> None:
    async with live_api(db, dev_server, make_room_time_budget_ms=0) as live:
        rid, tables, _host, pair = await pair_on_the_four_top(live, admin)
        refused = await live.client.post(
            f"{BASE}/reservations",
            json={
                "restaurant_id": rid,
                "date": day().isoformat(),
                "time": "19:00",
                "party_size": 4,
                "guest": {"email": "four@example.com", "first_name": "Four"},
            },
        )
        assert refused.status_code == 409, refused.text
        assert await tables_of(live, pair["id"]) == {tables["2"]}


async def test_a_tiny_time_budget_answers_a_plan_never_worse_than_now(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid, _tables, host, _pair = await pair_on_the_four_top(live, admin)
    await book(live, rid, party=1, at="18:00")
    r = await live.client.post(f"{service_url(rid)}?time_budget_ms=1", headers=host)
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["status"] in ("optimal", "feasible", "current")
    assert plan["covers"] == 3  # every booked party keeps a table
    assert plan["wasted_seats_after"] <= plan["wasted_seats_before"]


async def combinable_floor(live: LiveApi, admin: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Two two-tops ("1", "2") that join into a four, and a four-top ("3")."""
    rid, tables = await floor(live, admin)  # "1" two-top, "2" four-top
    url = f"{BASE}/restaurants/{rid}/tables"
    r = await live.client.patch(
        f"{url}/{tables['2']}",
        json={"max_capacity": 2, "combinable_with": [tables["1"]]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    t = await live.client.post(
        url, json={"number": "3", "min_capacity": 1, "max_capacity": 4}, headers=admin
    )
    assert t.status_code == 201, t.text
    return rid, {**tables, "3": str(t.json()["id"])}


async def four_on_the_joined_pair(
    live: LiveApi, admin: dict[str, str]
) -> tuple[str, dict[str, str], dict[str, str], dict[str, Any], dict[str, Any]]:
    """A pair moved (unlocked) onto the four-top, so a four was seated on the joined
    two-tops: only a swap puts both on their best tables."""
    rid, tables = await combinable_floor(live, admin)
    host = await live.token_for(StaffRole.HOST, [rid])
    pair = await book(live, rid, party=2)
    moved = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/assign-tables",
        headers=host,
        json={"table_ids": [tables["3"]], "lock": False},
    )
    assert moved.status_code == 200, moved.text
    four = await book(live, rid, party=4)
    assert await tables_of(live, four["id"]) == {tables["1"], tables["2"]}
    return rid, tables, host, pair, four


async def test_a_plan_that_swaps_two_parties_is_applied_at_once(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid, tables, host, pair, four = await four_on_the_joined_pair(live, admin)
    plan = (await live.client.post(service_url(rid), headers=host)).json()
    assert plan["needs_a_swap"] is True, plan
    assert {m["reservation_id"]: m["to_table_ids"] for m in plan["moves"]}[four["id"]] == [
        tables["3"]
    ]
    applied = await live.client.post(
        f"{service_url(rid)}/apply", headers=host, json={"plan_id": plan["id"]}
    )
    assert applied.status_code == 200, applied.text
    assert await tables_of(live, four["id"]) == {tables["3"]}
    pair_tables = await tables_of(live, pair["id"])
    assert pair_tables in ({tables["1"]}, {tables["2"]})
    # both workflows know their new tables, and neither party is locked
    assert await workflow_tables(live, four["id"]) == ["3"]
    assert len(await workflow_tables(live, pair["id"])) == 1
    if os.environ.get("RECORD_HISTORIES") == "1" and live.db.kind == "sqlite":
        for reservation_id in (four["id"], pair["id"]):
            handle = live.env.client.get_workflow_handle(f"reservation-{reservation_id}")
            history = await handle.fetch_history()
            if "exchange_tables" in history.to_json():  # the step's first party ran it
                (HISTORIES / "reservation_tables_exchanged.json").write_text(history.to_json())
    async with live.db.sessions() as session:
        locked = await session.scalars(
            select(Reservation.tables_locked).where(
                Reservation.id.in_([uuid.UUID(pair["id"]), uuid.UUID(four["id"])])
            )
        )
        assert set(locked) == {False}


async def exchange(live: LiveApi, parties: list[tuple[dict[str, Any], set[str], set[str]]]) -> None:
    """The exchange_tables update, sent to the first party's workflow."""
    handle = live.env.client.get_workflow_handle(f"reservation-{parties[0][0]['id']}")
    await handle.execute_update(
        "exchange_tables",
        ExchangeTablesRequest(
            parties=[
                PartyTables(
                    reservation_id=uuid.UUID(r["id"]),
                    from_table_ids=[uuid.UUID(t) for t in frm],
                    to_table_ids=[uuid.UUID(t) for t in to],
                )
                for r, frm, to in parties
            ]
        ),
        result_type=ReservationState,
    )


async def test_an_exchange_that_no_longer_fits_is_refused_and_nobody_moves(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid, t, host, pair, four = await four_on_the_joined_pair(live, admin)
    joined, four_top = {t["1"], t["2"]}, {t["3"]}
    # the pair is said to sit where it does not
    with pytest.raises(WorkflowUpdateFailedError):
        await exchange(live, [(four, joined, four_top), (pair, {t["1"]}, {t["1"]})])
    # the new tables overlap each other
    with pytest.raises(WorkflowUpdateFailedError):
        await exchange(live, [(four, joined, four_top), (pair, four_top, four_top)])
    # a party that has left cannot take part
    cancelled = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{pair['id']}/cancel", headers=host, json={}
    )
    assert cancelled.status_code == 200, cancelled.text
    with pytest.raises(WorkflowUpdateFailedError):
        await exchange(live, [(four, joined, four_top), (pair, four_top, {t["1"]})])
    assert await tables_of(live, four["id"]) == joined
    assert sorted(await workflow_tables(live, four["id"])) == ["1", "2"]


async def test_make_room_swaps_two_parties_to_seat_a_third(
    live: LiveApi, admin: dict[str, str]
) -> None:
    rid, tables, _host, pair, four = await four_on_the_joined_pair(live, admin)
    # every table is taken at 19:00; a second pair fits once the four and the pair swap
    second = await book(live, rid, party=2)
    assert await tables_of(live, four["id"]) == {tables["3"]}
    taken = await tables_of(live, pair["id"]) | await tables_of(live, second["id"])
    assert taken == {tables["1"], tables["2"]}
    assert await workflow_tables(live, four["id"]) == ["3"]
    assert await workflow_tables(live, pair["id"]) != ["3"]
