"""Cost of a guest message: rendering (babel + Jinja, six languages), the .ics, and the
HMAC check of an Adyen webhook item.

In-process, no database: these are the CPU parts of the queue and webhook paths.
Every template in every language is rendered round-robin; times are per message.
Memory is the peak traced while rendering, and what stays allocated afterwards.

Run: python -m benchmarks.messages [--messages 6000]
"""

from __future__ import annotations

import argparse
import statistics
import time as clock
import tracemalloc
from datetime import UTC, datetime, timedelta

from benchmarks import percentile
from messaging.calendar import reservation_calendar
from messaging.render import (
    SUPPORTED_LANGUAGES,
    TEMPLATE_NAMES,
    MessageContext,
    MessageLinks,
    render,
)
from payments.notifications import parse_notification, signed_notification, verify_hmac

HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
START = datetime(2031, 3, 5, 18, 30, tzinfo=UTC)
LINKS = MessageLinks(
    manage_url="https://book.example.test/manage/1?token=abc",
    cancel_url="https://book.example.test/manage/1?token=abc&action=cancel",
    confirm_url="https://book.example.test/manage/1?token=abc&action=confirm",
    calendar_url="https://book.example.test/api/v1/reservations/reservations/1/calendar.ics",
    map_url="https://www.openstreetmap.org/?mlat=52.37&mlon=4.88",
    payment_url="https://book.example.test/pay/1",
    offer_url="https://book.example.test/offer/1",
)


def _context(template: str, language: str) -> MessageContext:
    return MessageContext(
        template=template,  # type: ignore[arg-type]
        language=language,
        guest_first_name="Sam",
        restaurant_name="Demo Bistro",
        restaurant_timezone="Europe/Amsterdam",
        restaurant_address="Westerstraat 187, 1015 MA Amsterdam",
        restaurant_phone="+31201234567",
        reference="RES-2031-000042",
        starts_at=START,
        party_size=4,
        links=LINKS,
        currency="EUR",
        amount_minor=2500,
        cancellation_deadline_at=START - timedelta(hours=24),
        offer_expires_at=START - timedelta(hours=2),
        free_text="We have a table by the window for you.",
    )


def _timed(fn: object, n: int) -> list[float]:
    call = fn  # a zero-argument callable
    samples = []
    for _ in range(n):
        started = clock.perf_counter()
        call()  # type: ignore[operator]
        samples.append((clock.perf_counter() - started) * 1e6)
    return samples


def _report(name: str, samples: list[float]) -> None:
    print(
        f"{name:<34} p50 {statistics.median(samples):8.1f} µs   "
        f"p99 {percentile(samples, 99):8.1f} µs   {1e6 / statistics.mean(samples):9.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=6000)
    args = parser.parse_args()
    contexts = [_context(t, lang) for t in TEMPLATE_NAMES for lang in SUPPORTED_LANGUAGES]
    print(f"{len(TEMPLATE_NAMES)} templates x {len(SUPPORTED_LANGUAGES)} languages")
    for ctx in contexts:  # warm babel's locale data and the Jinja templates
        render(ctx)
    index = iter(range(10**9))
    renders = _timed(lambda: render(contexts[next(index) % len(contexts)]), args.messages)
    _report("render (subject, text, HTML, SMS)", renders)

    def ics() -> bytes:
        return reservation_calendar(
            uid="1@reservations",
            sequence=0,
            cancelled=False,
            starts_at=START,
            duration_minutes=105,
            timezone="Europe/Amsterdam",
            summary="Demo Bistro (4)",
            location="Westerstraat 187, Amsterdam",
            description="Reservation RES-2031-000042 for 4",
            url=LINKS.manage_url,
            organizer_email="bistro@example.test",
            stamp=START - timedelta(days=3),
        )

    ics()
    _report(".ics with VTIMEZONE", _timed(ics, max(args.messages // 6, 200)))

    body = signed_notification(
        hmac_key_hex=HMAC_KEY,
        event_code="AUTHORISATION",
        success=True,
        psp_reference="PSP0000000000001",
        merchant_reference="RES-2031-000042",
        merchant_account="DemoMerchant",
        amount_minor=2500,
        currency="EUR",
    )
    (item,) = parse_notification(body)
    _report("webhook item: parse", _timed(lambda: parse_notification(body), args.messages))
    _report(
        "webhook item: HMAC check (SDK)", _timed(lambda: verify_hmac(item, HMAC_KEY), args.messages)
    )

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [render(contexts[i % len(contexts)]) for i in range(1000)]
    current, peak = tracemalloc.get_traced_memory()
    del kept
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(
        f"memory: 1,000 rendered messages held {(current - before) / 1e6:.2f} MB "
        f"(peak {(peak - before) / 1e6:.2f} MB); after release {(after - before) / 1e3:.0f} kB"
    )


if __name__ == "__main__":
    main()
