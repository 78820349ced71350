"""The withdrawal link in guest messages: in every language's email, only for guests who
consented to the restaurant's (or its group's) marketing, and it withdraws that scope."""

from __future__ import annotations

import uuid
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape

from messaging.catalog import CATALOGS
from messaging.render import SUPPORTED_LANGUAGES, render
from services.crm.consent import group_scope, restaurant_scope, scopes_of
from services.crm.unsubscribe_links import consent_in_token, unsubscribe_url_for
from tests.conftest import JWT_SECRET, Database
from tests.crm.helpers import a_group, a_guest, a_restaurant, consents, withdraws
from tests.messaging.test_render import LINKS, context

URL = "https://book.example/marketing/unsubscribe?token=abc"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", ["confirmation", "reminder", "waitlist_joined"])
def test_every_language_puts_the_link_in_the_email_footer(language: str, template: str) -> None:
    label = CATALOGS[language].labels["unsubscribe"].format(restaurant="De Gouden Lepel")
    with_link = render(
        context(template, language, links=replace(LINKS, unsubscribe_url=URL))  # type: ignore[arg-type]
    )
    assert f"{label}: {URL}" in with_link.text
    assert URL in with_link.html and str(escape(label)) in with_link.html
    assert URL not in with_link.sms  # a text message stays short
    without = render(context(template, language))  # type: ignore[arg-type]
    assert label not in without.text and label not in without.html


async def test_only_consenting_guests_get_a_link_and_it_names_the_scope(db: Database) -> None:
    group = await a_group(db)
    rid = await a_restaurant(db, group_id=group)
    never = await a_guest(db, at=rid)
    own = await a_guest(db, at=rid)
    await consents(db, own, restaurant_scope(rid))
    grouped = await a_guest(db, at=rid)
    await consents(db, grouped, group_scope(group))
    withdrew = await a_guest(db, at=rid)
    await consents(db, withdrew, restaurant_scope(rid))
    await withdraws(db, withdrew, restaurant_scope(rid))

    async def link(guest_id: uuid.UUID) -> str | None:
        async with db.sessions() as session:
            read = await unsubscribe_url_for(
                session,
                guest_id=guest_id,
                restaurant_id=rid,
                base_url="https://book.example",
                secret=JWT_SECRET,
            )
            # a caller that knows the restaurant's group gets the same link
            known = await unsubscribe_url_for(
                session,
                guest_id=guest_id,
                restaurant_id=rid,
                base_url="https://book.example",
                secret=JWT_SECRET,
                scopes=scopes_of(rid, group),
            )
        assert known == read
        return read

    assert await link(never) is None and await link(withdrew) is None
    for guest_id, scope in ((own, restaurant_scope(rid)), (grouped, group_scope(group))):
        url = await link(guest_id)
        assert url is not None and url.startswith("https://book.example/marketing/unsubscribe?")
        [token] = parse_qs(urlsplit(url).query)["token"]
        assert consent_in_token(token, secret=JWT_SECRET) == (guest_id, scope)
