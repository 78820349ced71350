"""Personal data stays out of logs and out of Temporal's search attributes and memos.

End to end on the live stack: a guest books with a distinctive name, address and
number, the confirmation goes through the outbox, staff erase the guest; every log
line the API and the worker wrote, and every search attribute, memo and history
payload of the workflows involved, is searched for them.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator

import pytest
import structlog
from sqlalchemy import select

from models.enums import NotificationStatus
from models.orm import Notification, Reservation
from reservations.logging import (
    MASK,
    MaskPersonalData,
    mask_personal_data,
    mask_text,
    processors,
)
from tests.api.conftest import LiveApi, eventually
from tests.api.test_reservation_lifecycle import booking, payload_bytes, restaurant
from tests.crm.privacy_helpers import BASE
from workflows.guest_erasure import GuestErasureWorkflow

EMAIL = "quillon.vandermeer-7@example.com"
PHONE = "+31634567890"
FIRST, LAST = "Quillon", "Vandermeer"
NEEDLES = [EMAIL, PHONE, FIRST, LAST, PHONE.removeprefix("+")]


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything structlog and the standard library log, masked as our processes mask it."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(MaskPersonalData())  # as configure_logging does on its handlers
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    before = structlog.get_config()
    structlog.configure(
        processors=processors(),
        logger_factory=structlog.PrintLoggerFactory(buffer),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=False,
    )
    try:
        yield buffer
    finally:
        structlog.configure(**before)
        root.removeHandler(handler)
        root.setLevel(level)


async def test_no_personal_data_in_logs_search_attributes_or_memos(
    live: LiveApi, admin: dict[str, str], captured_logs: io.StringIO
) -> None:
    rid = await restaurant(live, admin)
    body = booking(rid, email=EMAIL)
    body["guest"] |= {"first_name": FIRST, "last_name": LAST, "phone": PHONE}
    made = await live.client.post(f"{BASE}/reservations", json=body)
    assert made.status_code == 201, made.text
    reservation_id = made.json()["id"]

    async def sent() -> bool:
        async with live.db.sessions() as session:
            rows = await session.scalars(
                select(Notification.status).where(
                    Notification.reservation_id == uuid.UUID(reservation_id)
                )
            )
            return NotificationStatus.SENT in set(rows)

    await eventually(sent, "the confirmation went through the outbox")
    async with live.db.sessions() as session:
        row = await session.get(Reservation, uuid.UUID(reservation_id))
        assert row is not None
        guest_id = str(row.guest_id)
    erased = await live.client.post(f"{BASE}/guests/{guest_id}/erasure", headers=admin)
    assert erased.status_code == 202, erased.text
    erasure = live.env.client.get_workflow_handle_for(
        GuestErasureWorkflow.run, erased.json()["workflow_id"]
    )
    await erasure.result()

    logs = captured_logs.getvalue()
    assert "outbox email" in logs  # the capture saw the worker's sends
    assert reservation_id in logs or guest_id in logs  # ids are fine, and were logged
    for needle in NEEDLES:
        assert needle.lower() not in logs.lower(), needle

    for handle in (live.env.client.get_workflow_handle(f"reservation-{reservation_id}"), erasure):
        described = await handle.describe()
        attributes = str(described.typed_search_attributes) + str(described.search_attributes)
        memo = str(await described.memo())
        history = await handle.fetch_history()
        payloads = b"\n".join(d for e in history.events for d in payload_bytes(e)).decode()
        for needle in NEEDLES:
            for where in (attributes, memo, payloads):
                assert needle.lower() not in where.lower(), needle


def test_the_processor_masks_personal_keys_and_shapes() -> None:
    event = mask_personal_data(
        None,
        "info",
        {
            "event": f"mail to {EMAIL} or call {PHONE}",
            "to": "anything at all",
            "first_name": FIRST,
            "nested": {"email": "x", "text": f"reach me on {PHONE}"},
            "reservation_id": "0b5c1f8e-0000-4000-8000-000000000000",
            "count": 3,
        },
    )
    assert event["event"] == f"mail to {MASK} or call {MASK}"
    assert event["to"] == MASK and event["first_name"] == MASK
    assert event["nested"] == {"email": MASK, "text": f"reach me on {MASK}"}
    assert event["reservation_id"] == "0b5c1f8e-0000-4000-8000-000000000000"
    assert event["count"] == 3


def test_standard_library_records_are_masked_too() -> None:
    buffer = io.StringIO()
    logger = logging.getLogger(f"privacy-test-{uuid.uuid4().hex[:6]}")
    handler = logging.StreamHandler(buffer)
    handler.addFilter(MaskPersonalData())
    logger.addHandler(handler)
    logger.propagate = False
    logger.warning("activity failed for %s (%s)", EMAIL, PHONE)
    assert buffer.getvalue().strip() == f"activity failed for {MASK} ({MASK})"
    assert mask_text("at 2026-11-27T18:00:00+00:00 ref RES-2026-000042") == (
        "at 2026-11-27T18:00:00+00:00 ref RES-2026-000042"
    )
    assert mask_personal_data in processors()
