"""One identity per guest: differently written emails and phones find the same guest."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models.orm import Guest
from models.schemas.reservation import GuestIn
from reservations.db import create_engine, session_factory
from services.guests import upsert_guest
from tests.conftest import Templates, _make_database, _pg_exec

LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
DOMAIN = st.sampled_from(["example.com", "example.nl", "mail.example.org"])
# real numbers of a few countries, written the ways guests type them
NUMBERS = st.sampled_from(
    [("NL", "0612345678"), ("GB", "07400123456"), ("DE", "015123456789"), ("FR", "0612345678")]
)


def _case_variant(text: str, flips: list[bool]) -> str:
    return "".join(
        c.upper() if flip else c for c, flip in zip(text, flips + [False] * len(text), strict=False)
    )


def _written(region: str, national: str, style: int) -> str:
    parsed = phonenumbers.parse(national, region)
    formats = [
        phonenumbers.PhoneNumberFormat.E164,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.RFC3966,
    ]
    written = phonenumbers.format_number(parsed, formats[style % 3])
    return written.removeprefix("tel:")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, templates: Templates) -> Iterator[str]:
    name, url = asyncio.run(_make_database(str(request.param), templates))
    yield url
    if request.param == "postgres":
        asyncio.run(_pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    local=LOCAL,
    domain=DOMAIN,
    flips=st.lists(st.booleans(), max_size=30),
    number=NUMBERS,
    styles=st.tuples(st.integers(0, 2), st.integers(0, 2)),
)
def test_one_guest_however_the_email_and_phone_are_written(
    database_url: str,
    local: str,
    domain: str,
    flips: list[bool],
    number: tuple[str, str],
    styles: tuple[int, int],
) -> None:
    # a fresh address per example: earlier examples share the database
    email = f"{local}.{uuid.uuid4().hex[:6]}@{domain}"
    first = GuestIn(email=email, first_name="Ada", phone=_written(*number, styles[0]))
    second = GuestIn(
        email=_case_variant(email, flips),
        first_name="Ada",
        phone=_written(*number, styles[1]),
    )
    assert first.phone == second.phone  # both E.164

    async def book_twice() -> tuple[uuid.UUID, uuid.UUID, int]:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                one = await upsert_guest(session, data=first)
                two = await upsert_guest(session, data=second)
                await session.commit()
                rows = await session.scalar(
                    select(func.count()).select_from(Guest).where(Guest.email == email.lower())
                )
                return one.id, two.id, int(rows or 0)
        finally:
            await engine.dispose()

    one, two, rows = asyncio.run(book_twice())
    assert one == two
    assert rows == 1
