"""Memory: worker and API resident memory while 10,000 bookings are made.

The same stack as benchmarks/load.py (separate `reservations worker` and
`reservations api` processes, Temporal dev server, PostgreSQL, Redis) and the same
100 restaurants; --clients tasks book back to back until --bookings bookings are
held, and the resident memory (VmRSS) of every process is read after each
--every bookings.  Steady means no growth between the half-way mark and the end.

Run: python -m benchmarks.memory [--bookings 10000] [--clients 16] [--every 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time as clock

from benchmarks.load import Recorder, Workload, seed_restaurants, storage_figures
from benchmarks.load_stack import rss_mib, running_stack

KINDS = ("api", "worker", "temporal")


async def main(bookings: int, clients: int, every: int, max_minutes: float) -> int:
    samples: list[tuple[int, float, dict[str, float]]] = []
    async with running_stack(workers=1, apis=1) as stack:
        places = await seed_restaurants(stack, 100)
        recorder = Recorder()
        work = Workload(stack, places, recorder, seed=9)
        pids = {kind: pid for kind, ids in stack.pids().items() if kind in KINDS for pid in ids}

        def sample() -> None:
            made = recorder.answered("book", 201)
            samples.append((made, clock.perf_counter(), {k: rss_mib(p) for k, p in pids.items()}))
            sizes = ", ".join(f"{k} {v:.0f} MiB" for k, v in samples[-1][2].items())
            print(f"  {made:6d} bookings: {sizes}", file=sys.stderr)

        started = clock.perf_counter()
        deadline = started + 60 * max_minutes
        next_mark = every
        sample()

        async def client() -> None:
            nonlocal next_mark
            while recorder.answered("book", 201) < bookings and clock.perf_counter() < deadline:
                await work.book()
                if recorder.answered("book", 201) >= next_mark:
                    next_mark += every
                    sample()

        try:
            await asyncio.gather(*(client() for _ in range(clients)))
        finally:
            await work.aclose()
        stack.check_alive()
        seconds = clock.perf_counter() - started
        storage = await storage_figures(stack, recorder.answered("book", 201))
    made = recorder.answered("book", 201)
    print(
        f"memory: {made} bookings in {seconds:.0f} s ({made / seconds:.1f}/s), {clients} clients, "
        "1 worker process, 1 API process, 100 restaurants; PostgreSQL, Redis, Temporal dev server"
    )
    print(f"  5xx answers: {recorder.server_errors}, refused (409): "
          f"{recorder.answered('book', 409)}")  # fmt: skip
    for made_then, _, rss in samples:
        print(f"  after {made_then:6d} bookings: "
              + ", ".join(f"{k} {v:6.1f} MiB" for k, v in rss.items()))  # fmt: skip
    half = min(samples, key=lambda s: abs(s[0] - made / 2))
    last = samples[-1]
    for kind in pids:
        grew = last[2][kind] - half[2][kind]
        print(f"  {kind:8s} {half[0]:6d} -> {last[0]:6d} bookings: {half[2][kind]:6.1f} -> "
              f"{last[2][kind]:6.1f} MiB ({grew:+.1f} MiB, "
              f"{1024 * grew / max(last[0] - half[0], 1):+.2f} KiB per booking)")  # fmt: skip
    print("\n".join(storage))
    return 0 if recorder.server_errors == 0 and made >= bookings else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--every", type=int, default=1_000, help="bookings between samples")
    parser.add_argument("--max-minutes", type=float, default=30.0, help="stop early after this")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.bookings, args.clients, args.every, args.max_minutes)))
