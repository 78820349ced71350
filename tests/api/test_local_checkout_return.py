"""The local checkout sends the guest back to the booking widget when it asks, and only
to a widget path of this site (never an open redirect)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from temporalio.testing import WorkflowEnvironment

from api.routers.local_checkout import widget_return
from tests.api.conftest import live_api
from tests.api.test_payments import Shop, deposit_restaurant
from tests.conftest import Database
from tests.payments.fake_adyen import FakeAdyen


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/book/r1/reservation/x?token=t", "/book/r1/reservation/x?token=t"),
        (None, None),
        ("https://evil.example/book/", None),
        ("//evil.example/book/", None),
        ("/manage/x", None),
        ("/book/\\evil", None),
        ("/book/a b", None),
    ],
)
def test_only_widget_paths_are_returned_to(asked: str | None, kept: str | None) -> None:
    assert widget_return(asked) == kept


async def test_paying_returns_to_the_widget_screen_it_came_from(
    db: Database, dev_server: WorkflowEnvironment, admin: dict[str, str]
) -> None:
    async with live_api(db, dev_server) as live:
        shop = Shop(live=live, fake=FakeAdyen(), admin=admin)  # FakeAdyen unused (not started)
        rid = await deposit_restaurant(shop)
        res = await shop.book(rid)
        page_url = res["payment"]["checkout_url"]
        back = f"/book/{rid}/reservation/{res['id']}?token={res['manage_token']}"
        page = await live.client.get(urlsplit(page_url).path, params={"return_to": back})
        assert page.status_code == 200, page.text
        pay_action = re.findall(r'<form method="post" action="([^"]+)"', page.text)[0]
        pay_url = urljoin(page_url, pay_action.replace("&amp;", "&"))
        assert "return_to=" in pay_url
        paid = await live.client.post(urlsplit(pay_url).path + "?" + urlsplit(pay_url).query)
        assert paid.status_code == 303, paid.text
        assert paid.headers["location"].endswith(back)
        await shop.until(res, status="confirmed", deposit="paid")

        # another site is never a destination: the guest lands on the manage page instead
        other = await shop.book(rid, guest={"email": "b@example.com", "first_name": "B"})
        other_path = urlsplit(other["payment"]["checkout_url"]).path
        away = await live.client.post(
            f"{other_path}/pay", params={"return_to": "https://evil.example/"}
        )
        assert away.status_code == 303
        assert f"/manage/{other['id']}?token=" in away.headers["location"]
