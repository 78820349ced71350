"""Hostile input gets a 4xx problem+json naming the field, never a 500: NUL bytes,
numbers past a column's range, booleans posing as numbers, broken JSON, oversized
webhook fields; and an unexpected error still answers problem+json on a live connection.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import uuid
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from models.enums import StaffRole
from models.orm import Reservation
from payments.config import webhook_credentials
from payments.notifications import (
    MalformedNotification,
    NotificationItem,
    RefusedItem,
    parse_notification,
    parse_notification_items,
    signed_notification,
)
from reservations.cache import MemoryCache
from tests.allocation.helpers import make_guest, make_reservation
from tests.api.test_restaurants import BASE, restaurant_body
from tests.conftest import JWT_SECRET, Api
from tests.conftest import test_settings as settings_for

NUL = "\u0000"
I64_MAX = 2**63 - 1
# 100 covers at 100 % of this spend still fit a 64-bit amount
SPEND_MAX = I64_MAX // 100


def assert_problem(response: httpx.Response, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["field"] == field, body
    return body


async def new_restaurant(api: Api, admin: dict[str, str], **overrides: Any) -> str:
    r = await api.client.post(
        f"{BASE}/restaurants", json=restaurant_body(**overrides), headers=admin
    )
    assert r.status_code == 201, r.text
    rid: str = r.json()["id"]
    return rid


def booking(rid: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "restaurant_id": rid,
        "date": "2030-03-04",
        "time": "19:00",
        "party_size": 2,
        "guest": {"email": "a@example.com", "first_name": "A"},
    }
    body.update(overrides)
    return body


# ---- 1. NUL bytes -----------------------------------------------------------------------


async def test_nul_bytes_in_body_text_fields_are_422_naming_the_field(
    api: Api, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(api, admin)
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("post", "/restaurants", restaurant_body(name=f"De{NUL}Kas"), "name"),
        ("post", "/restaurants", restaurant_body(google_place_id=f"x{NUL}"), "google_place_id"),
        ("post", "/restaurants", restaurant_body(features=[f"a{NUL}"]), "features"),
        ("post", "/restaurants", restaurant_body(external_ids={"k": f"v{NUL}"}), "external_ids"),
        ("patch", f"/restaurants/{rid}", {"name": f"x{NUL}"}, "name"),
        ("post", f"/restaurants/{rid}/seating-areas", {"name": f"terrace{NUL}"}, "name"),
        (
            "post",
            "/reservations",
            booking(rid, guest={"email": "a@example.com", "first_name": f"A{NUL}"}),
            "guest.first_name",
        ),
        ("post", "/reservations", booking(rid, special_requests=f"{NUL}"), "special_requests"),
        (
            "post",
            "/reservations/lookup",
            {"reference": f"ABC{NUL}DEF", "email": "a@example.com"},
            "reference",
        ),
        # lone surrogates cannot be encoded for the database either
        ("patch", f"/restaurants/{rid}", {"city": "\ud800"}, "city"),
    ]
    for method, path, body, field in cases:
        r = await api.client.request(
            method,
            f"{BASE}{path}",
            content=json.dumps(body),  # escaped ASCII, as any client may send it
            headers={**admin, "content-type": "application/json"},
        )
        assert_problem(r, 422, field)


async def test_external_ids_are_a_few_short_pairs(api: Api, admin: dict[str, str]) -> None:
    """They are served to anyone who reads the restaurant: no megabyte may hide there."""
    rid = await new_restaurant(api, admin)
    for ids in (
        {"pos": "v" * 1_040_000},
        {f"k{i}": "v" for i in range(5_000)},
        {"k" * 61: "v"},
        {"": "v"},
    ):
        r = await api.client.patch(
            f"{BASE}/restaurants/{rid}", json={"external_ids": ids}, headers=admin
        )
        assert r.status_code == 422, r.text[:300]
        assert r.json()["field"].startswith("external_ids"), r.text[:300]
    fine = {"square": "L8Z9XY", "thefork": "123456"}
    ok = await api.client.patch(
        f"{BASE}/restaurants/{rid}", json={"external_ids": fine}, headers=admin
    )
    assert ok.status_code == 200 and ok.json()["external_ids"] == fine, ok.text


async def test_nul_bytes_in_query_parameters_and_paths_are_422_naming_them(
    api: Api, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(api, admin)
    for url, field in [
        (f"{BASE}/restaurants?q=a%00b", "q"),
        (f"{BASE}/restaurants?city=%00", "city"),
        (f"{BASE}/restaurants?features=a%00", "features"),
        (
            f"{BASE}/restaurants/{rid}/availability?date=2030-03-04&party_size=2&seating_area=%00",
            "seating_area",
        ),
        (f"{BASE}/restaurants/{rid}/reservations?seating_area=x%00", "seating_area"),
    ]:
        assert_problem(await api.client.get(url, headers=admin), 422, field)
    r = await api.client.get(f"{BASE}/checkout/abc%00def")
    assert r.status_code in (404, 422), r.text


# ---- 2. offsets and limits past any column -----------------------------------------------


async def test_huge_offsets_and_limits_on_every_paged_list_are_422(
    api: Api, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(api, admin)
    lists = [
        "/restaurants",
        f"/restaurants/{rid}/tables",
        f"/restaurants/{rid}/reservations",
        f"/restaurants/{rid}/outbox",
        "/staff",
        "/partner-keys",
    ]
    for path in lists:
        for params, field in [
            ({"offset": str(2**63)}, "offset"),
            ({"offset": str(2**31)}, "offset"),
            ({"limit": str(2**63)}, "limit"),
            ({"limit": "0"}, "limit"),
        ]:
            r = await api.client.get(f"{BASE}{path}", params=params, headers=admin)
            assert_problem(r, 422, field)
        ok = await api.client.get(f"{BASE}{path}", params={"offset": "1000"}, headers=admin)
        assert ok.status_code == 200, (path, ok.text)


# ---- 3. integers past a column ------------------------------------------------------------


async def test_settings_numbers_past_their_column_are_422(api: Api, admin: dict[str, str]) -> None:
    rid = await new_restaurant(api, admin)
    url = f"{BASE}/restaurants/{rid}/settings"
    for field, value in [
        ("pacing_max_covers", 2**31),
        ("pacing_max_parties", 2**31),
        ("payment_fixed_minor", 2**63),
        ("average_spend_per_cover_minor", SPEND_MAX + 1),
        ("payment_fixed_minor", -1),
    ]:
        r = await api.client.put(url, json={field: value}, headers=admin)
        assert_problem(r, 422, field)


async def test_money_past_32_bits_is_stored_for_currencies_with_small_units(
    api: Api, admin: dict[str, str]
) -> None:
    # an IDR deposit: 20 covers x 1,500,000 rupiah in minor units passes 2^31 - 1
    rid = await new_restaurant(api, admin, currency="IDR", timezone="Asia/Jakarta")
    url = f"{BASE}/restaurants/{rid}/settings"
    big = {"payment_mode": "deposit", "payment_fixed_minor": 3_000_000_000}
    r = await api.client.put(
        url, json=big | {"average_spend_per_cover_minor": SPEND_MAX}, headers=admin
    )
    assert r.status_code == 200, r.text
    read = await api.client.get(url, headers=admin)
    assert read.json()["payment_fixed_minor"] == 3_000_000_000
    assert read.json()["average_spend_per_cover_minor"] == SPEND_MAX
    async with api.db.sessions() as session:
        guest = await make_guest(session)
        res_id = await make_reservation(session, restaurant_id=uuid.UUID(rid), guest_id=guest.id)
        res = await session.get_one(Reservation, res_id)
        res.deposit_amount_minor = 40_000_000_000
        res.no_show_fee_minor = I64_MAX
        await session.commit()
    async with api.db.sessions() as session:
        stored = await session.get_one(Reservation, res_id)
        assert (stored.deposit_amount_minor, stored.no_show_fee_minor) == (40_000_000_000, I64_MAX)


async def test_text_longer_than_its_column_is_422(api: Api, admin: dict[str, str]) -> None:
    # URLs may run to 2083 characters in pydantic, the columns hold 500
    rid = await new_restaurant(api, admin)
    long_url = "https://example.com/" + "a" * 600
    for field in ("website", "cover_image_url"):
        r = await api.client.patch(
            f"{BASE}/restaurants/{rid}", json={field: long_url}, headers=admin
        )
        assert_problem(r, 422, field)
        r = await api.client.post(
            f"{BASE}/restaurants", json=restaurant_body(**{field: long_url}), headers=admin
        )
        assert_problem(r, 422, field)


# ---- 4. booleans are not numbers -----------------------------------------------------------


async def test_booleans_and_strings_are_not_numbers_in_json_bodies(
    api: Api, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(api, admin)
    for value in (True, False, "2", 2.5):
        r = await api.client.post(f"{BASE}/reservations", json=booking(rid, party_size=value))
        assert_problem(r, 422, "party_size")
    r = await api.client.put(
        f"{BASE}/restaurants/{rid}/settings", json={"max_party_size": True}, headers=admin
    )
    assert_problem(r, 422, "max_party_size")
    r = await api.client.post(
        f"{BASE}/restaurants/{rid}/tables",
        json={"number": "1", "max_capacity": True},
        headers=admin,
    )
    assert_problem(r, 422, "max_capacity")
    # query strings are text: a number there is still read leniently
    ok = await api.client.get(
        f"{BASE}/restaurants/{rid}/availability", params={"date": "2030-03-04", "party_size": "2"}
    )
    assert ok.status_code == 200, ok.text
    # and JSON numbers stay numbers
    table = await api.client.post(
        f"{BASE}/restaurants/{rid}/tables", json={"number": "1", "max_capacity": 4}, headers=admin
    )
    assert table.status_code == 201, table.text


async def test_numbers_and_words_are_not_booleans_in_json_bodies(
    api: Api, admin: dict[str, str]
) -> None:
    rid = await new_restaurant(api, admin)
    for value in (0, 1, "yes", "true"):
        r = await api.client.put(
            f"{BASE}/restaurants/{rid}/settings",
            json={"payment_on_special_days": value},
            headers=admin,
        )
        assert_problem(r, 422, "payment_on_special_days")
    r = await api.client.post(
        f"{BASE}/restaurants/{rid}/tables",
        json={"number": "1", "max_capacity": 4, "online_bookable": 0},
        headers=admin,
    )
    assert_problem(r, 422, "online_bookable")
    fine = await api.client.put(
        f"{BASE}/restaurants/{rid}/settings", json={"payment_on_special_days": False}, headers=admin
    )
    assert fine.status_code == 200, fine.text


async def test_service_hours_with_a_utc_offset_are_422_not_a_crash(
    api: Api, admin: dict[str, str]
) -> None:
    # comparing an aware with a naive time raised TypeError inside validation (a 500);
    # without last_seating_at the offset was dropped silently
    rid = await new_restaurant(api, admin)
    crash = {
        "weekday": 0,
        "opens_at": "18:00+05:00",
        "closes_at": "22:00",
        "last_seating_at": "21:00",
    }
    r = await api.client.put(
        f"{BASE}/restaurants/{rid}/opening-hours", json={"services": [crash]}, headers=admin
    )
    assert_problem(r, 422, "services.0.opens_at")
    service = {"weekday": 0, "opens_at": "18:00+05:00", "closes_at": "22:00"}
    r = await api.client.put(
        f"{BASE}/restaurants/{rid}/opening-hours", json={"services": [service]}, headers=admin
    )
    assert_problem(r, 422, "services.0.opens_at")
    r = await api.client.post(
        f"{BASE}/restaurants/{rid}/special-days",
        json={"starts_on": "2030-12-24", "kind": "custom_hours", "custom_services": [service]},
        headers=admin,
    )
    assert_problem(r, 422, "custom_services.0.opens_at")


# ---- 5. malformed JSON ----------------------------------------------------------------------


async def test_malformed_json_names_the_body_and_the_position(
    api: Api, admin: dict[str, str]
) -> None:
    r = await api.client.post(
        f"{BASE}/restaurants",
        content=b'{"name": "De Kas", oops}',
        headers={**admin, "content-type": "application/json"},
    )
    body = assert_problem(r, 422, "body")
    # as Python's JSON decoder counts: "oops" starts at character 19, column 20
    assert "malformed JSON at line 1, column 20" in body["detail"], body
    r = await api.client.post(
        f"{BASE}/restaurants",
        content=b'{\n  "name": "De Kas",\n  "city": }',
        headers={**admin, "content-type": "application/json"},
    )
    assert "malformed JSON at line 3, column 11" in assert_problem(r, 422, "body")["detail"]


async def test_json_nested_past_the_parsers_depth_is_a_4xx_on_every_json_route(
    api: Api, admin: dict[str, str]
) -> None:
    # under every body limit, past Python's recursion limit; the webhooks read their raw
    # bodies themselves (signatures are over the bytes), before any signature check
    deep = b"[" * 60_000
    for url, headers in (
        (f"{BASE}/webhooks/thefork", {}),
        (f"{BASE}/webhooks/pos/square", {}),
        (f"{BASE}/webhooks/pos/generic", {}),
        (f"{BASE}/webhooks/adyen", _auth()),
    ):
        r = await api.client.post(
            url, content=deep, headers={**headers, "content-type": "application/json"}
        )
        assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("application/problem+json"), url
    # FastAPI's own body parsing: answered like any malformed JSON
    r = await api.client.post(
        f"{BASE}/restaurants", content=deep, headers={**admin, "content-type": "application/json"}
    )
    assert "nested too deeply" in assert_problem(r, 422, "body")["detail"]


@pytest.mark.parametrize(
    ("body", "encoding", "says"),
    [
        (b'{"name": "De \xff Kas"}', None, "not UTF-8"),  # bytes no UTF-8 text has
        (b'{"name": "De Kas", "covers": ' + b"9" * 5_000 + b"}", None, "digits"),
        # a gzipped body: this API reads JSON as sent, it does not inflate bodies
        (gzip.compress(b'{"name": "De Kas"}'), "gzip", "not UTF-8"),
    ],
    ids=["invalid-utf8", "5000-digit-integer", "gzip-encoded"],
)
async def test_a_body_the_json_decoder_raises_on_is_a_422_naming_the_body(
    api: Api, admin: dict[str, str], body: bytes, encoding: str | None, says: str
) -> None:
    headers = {**admin, "content-type": "application/json"}
    if encoding:
        headers["content-encoding"] = encoding
    r = await api.client.post(f"{BASE}/restaurants", content=body, headers=headers)
    assert says in assert_problem(r, 422, "body")["detail"]


# ---- 6. webhook fields past any use -----------------------------------------------------------


def _signed(psp: str, amount: int, **extra: Any) -> dict[str, Any]:
    creds = webhook_credentials(
        settings_for("sqlite+aiosqlite:///unused.db", jwt_secret=JWT_SECRET)
    )
    return signed_notification(
        hmac_key_hex=creds.hmac_key_hex,
        event_code="AUTHORISATION",
        success=True,
        psp_reference=psp,
        merchant_reference="ABCDEFGH",
        merchant_account=creds.merchant_account,
        amount_minor=amount,
        currency="EUR",
        **extra,
    )


def _auth() -> dict[str, str]:
    creds = webhook_credentials(
        settings_for("sqlite+aiosqlite:///unused.db", jwt_secret=JWT_SECRET)
    )
    raw = f"{creds.username}:{creds.password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


@pytest.mark.parametrize(
    "psp, amount",
    [("P" * 1_000_000, 2500), ("PSP0001", 2**63), ("PSP0002", -5), (f"PSP{NUL}", 2500)],
    ids=["1MB-pspReference", "amount-2^63", "negative-amount", "nul-pspReference"],
)
async def test_a_signed_webhook_item_past_any_use_is_accepted_and_dropped(
    api: Api, psp: str, amount: int
) -> None:
    r = await api.client.post(f"{BASE}/webhooks/adyen", json=_signed(psp, amount), headers=_auth())
    assert r.status_code == 200, r.text[:500]
    assert r.text == "[accepted]"


def test_parsing_refuses_items_it_cannot_use_and_keeps_the_rest() -> None:
    good = _signed("PSP0003", 2500)["notificationItems"][0]
    huge = _signed("PSP0004", 2**63)["notificationItems"][0]
    long = _signed("P" * 65, 2500)["notificationItems"][0]
    body = {"live": "false", "notificationItems": [good, huge, long]}
    items = parse_notification_items(body)
    assert isinstance(items[0], NotificationItem) and items[0].amount_minor == 2500
    assert isinstance(items[1], RefusedItem) and "amount.value" in items[1].reason
    assert isinstance(items[2], RefusedItem) and "pspReference" in items[2].reason
    # the strict parser refuses the whole body
    with pytest.raises(MalformedNotification, match=r"amount\.value"):
        parse_notification({"live": "false", "notificationItems": [huge]})


# ---- 7. an unexpected error answers problem+json and keeps the connection ----------------------


async def test_an_unexpected_error_is_a_problem_json_500_and_the_client_carries_on(
    api: Api, admin: dict[str, str]
) -> None:
    app = create_app(settings_for(api.db.url), engine=api.db.engine, cache=MemoryCache())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("something nobody expected")

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)  # an escaping exception would raise here
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.get("/boom")
            assert r.status_code == 500
            assert r.headers["content-type"].startswith("application/problem+json")
            assert "something nobody expected" not in r.text  # no internals leak
            assert (await client.get("/healthz")).status_code == 200


async def test_an_unexpected_error_keeps_a_live_keep_alive_connection(
    api: Api, unused_tcp_port: int
) -> None:
    app = create_app(settings_for(api.db.url), engine=api.db.engine, cache=MemoryCache())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("something nobody expected")

    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=unused_tcp_port, log_level="critical")
    )
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        connects: list[str] = []

        async def trace(name: str, info: dict[str, Any]) -> None:
            if name == "connection.connect_tcp.complete":
                connects.append(name)

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{unused_tcp_port}") as client:
            for path in ["/healthz", "/boom", "/healthz"]:
                r = await client.get(path, extensions={"trace": trace})
                assert r.status_code == (500 if path == "/boom" else 200), r.text
        assert len(connects) == 1, connects  # one keep-alive connection throughout
    finally:
        server.should_exit = True
        await task


# ---- a staff role for completeness: hosts get the same answers --------------------------------


async def test_hostile_list_parameters_for_a_host(api: Api, admin: dict[str, str]) -> None:
    rid = await new_restaurant(api, admin)
    host = await api.token_for(StaffRole.HOST, [rid])
    r = await api.client.get(
        f"{BASE}/restaurants/{rid}/reservations", params={"offset": str(2**64)}, headers=host
    )
    assert_problem(r, 422, "offset")
