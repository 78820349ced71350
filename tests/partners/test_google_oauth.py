"""Real-time updates to Google carry the service account's OAuth access token.

Against the local fake of Google's token endpoint, which checks the signed JWT with
the account's public key as Google does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.partners import GoogleActivities
from models.enums import StaffRole
from services.partners.google_auth import (
    AccessTokens,
    GoogleAuthRefused,
    GoogleAuthUnavailable,
    ServiceAccountKey,
)
from tests.api.conftest import LiveApi, eventually, live_api
from tests.conftest import Database
from tests.conftest import test_settings as settings_for
from tests.partners.conftest import BASE, GOOGLE_CREDENTIALS, make_restaurant
from tests.partners.fake_google import FakeGoogle
from tests.partners.test_google_booking_server import G, basic, create_body


def _pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture
def key_file(tmp_path: Path, fake_google: FakeGoogle) -> Path:
    """A service account key file as Google Cloud writes it, its token_uri the fake's."""
    private, public = _pem_pair()
    fake_google.public_key_pem = public
    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "partner-project",
                "private_key_id": "k1",
                "private_key": private,
                "client_email": fake_google.client_email,
                "client_id": "1234",
                "token_uri": fake_google.token_uri,
            }
        )
    )
    return path


async def test_a_token_is_fetched_once_and_kept(fake_google: FakeGoogle, key_file: Path) -> None:
    tokens = AccessTokens(key=ServiceAccountKey.load(key_file))
    async with httpx.AsyncClient() as http:
        first = await tokens.token(http)
        again = await tokens.token(http)
    assert first == again == "ya29.fake-1"
    assert fake_google.token_requests == 1


async def test_a_key_google_refuses_is_refused_and_an_outage_is_retryable(
    fake_google: FakeGoogle, key_file: Path, tmp_path: Path
) -> None:
    # another key than the account's: the signature does not verify
    other = json.loads(key_file.read_text())
    other["private_key"] = _pem_pair()[0]
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(other))
    async with httpx.AsyncClient() as http:
        with pytest.raises(GoogleAuthRefused, match="Invalid JWT"):
            await AccessTokens(key=ServiceAccountKey.load(forged)).token(http)
        fake_google.fail_next(1, 503)  # the fake's next answer, whichever route
        with pytest.raises(GoogleAuthUnavailable):
            await AccessTokens(key=ServiceAccountKey.load(key_file)).token(http)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"type": "service_account", "client_email": "x"}))
    with pytest.raises(GoogleAuthRefused, match="private_key"):
        ServiceAccountKey.load(broken)


async def test_a_refused_key_fails_the_update_for_good(
    db: Database, fake_google: FakeGoogle, key_file: Path
) -> None:
    fake_google.refuse_tokens = True
    settings = settings_for(
        db.url, google_notification_url=fake_google.url, google_service_account_file=key_file
    )
    activities = GoogleActivities(sessions=db.sessions, settings=settings)
    async with httpx.AsyncClient() as http:
        with pytest.raises(ApplicationError) as refused:
            await activities._authorization(http)
    assert refused.value.non_retryable and refused.value.type == "GoogleAuthRefused"


@pytest.fixture
async def live(  # overrides the package's: updates go to the fake with the key file
    pg_db: Database, dev_server: WorkflowEnvironment, fake_google: FakeGoogle, key_file: Path
) -> AsyncIterator[LiveApi]:
    async with live_api(
        pg_db,
        dev_server,
        google_booking_credentials=GOOGLE_CREDENTIALS,
        google_notification_url=fake_google.url,
        google_service_account_file=key_file,
        google_partner_id="4242",
    ) as api:
        yield api


async def test_updates_carry_the_service_accounts_access_token(
    live: LiveApi, fake_google: FakeGoogle
) -> None:
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await make_restaurant(live, admin)
    for _ in range(2):
        # idempotency tokens of their own: Google's are unique per booking
        token = f"oauth-{uuid.uuid4().hex}"
        made = await live.client.post(
            f"{G}/CreateBooking", headers=basic(), json=create_body(rid, token)
        )
        assert made.status_code == 200, made.text
        bid = made.json()["booking"]["booking_id"]
        cancelled = await live.client.post(f"{BASE}/reservations/{bid}/cancel", headers=admin)
        assert cancelled.status_code == 200, cancelled.text

    async def both_told() -> bool:
        return len(fake_google.patches) == 2

    await eventually(both_told, "both cancels told to Google", seconds=30)
    assert {p.authorization for p in fake_google.patches} == {"Bearer ya29.fake-1"}
    assert fake_google.token_requests == 1  # one token for both updates
