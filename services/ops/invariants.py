"""The system's promises, checked in SQL over the whole database.

Each check is one query that lists the rows breaking a promise (no double
booking, money moved at most once, a paid deposit is either held by a live
booking or refunded).  Run them after a load test or a fault drill, or any time
with `reservations check-invariants`; a healthy database answers no rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# statuses in which a reservation keeps its tables (and any deposit it paid)
LIVE = "('held', 'pending_confirmation', 'confirmed', 'seated')"
# statuses in which a reservation ended without being served
ENDED_UNSERVED = "('cancelled_by_guest', 'cancelled_by_restaurant', 'expired', 'declined')"
BLOCKING = "('held', 'booked')"
EXAMPLES = 5


@dataclass(frozen=True)
class Check:
    """One promise and the query listing the rows that break it (first column: an id)."""

    name: str
    promise: str
    sql: str


CHECKS: tuple[Check, ...] = (
    Check(
        "no_overlapping_blocks",
        "two held or booked allocations never overlap in time on one table",
        f"""
        SELECT a.id, b.id FROM table_allocations a
        JOIN table_allocations b
          ON a.table_id = b.table_id AND a.id < b.id
         AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
        WHERE a.status IN {BLOCKING} AND b.status IN {BLOCKING}
        """,
    ),
    Check(
        "ended_bookings_hold_no_tables",
        "a cancelled, expired or declined reservation blocks no table",
        f"""
        SELECT r.id, a.id FROM reservations r
        JOIN table_allocations a ON a.reservation_id = r.id
        WHERE r.status IN {ENDED_UNSERVED} AND a.status IN {BLOCKING}
        """,
    ),
    Check(
        "live_bookings_hold_tables",
        "a held, pending or confirmed reservation blocks at least one table",
        f"""
        SELECT r.id, r.status FROM reservations r
        WHERE r.status IN ('held', 'pending_confirmation', 'confirmed')
          AND NOT EXISTS (
            SELECT 1 FROM table_allocations a
            WHERE a.reservation_id = r.id AND a.status IN {BLOCKING})
        """,
    ),
    Check(
        "paid_deposits_held_or_refunded",
        "a paid deposit belongs to a live booking that knows it is paid, to a served or "
        "forfeited one, or has been refunded",
        f"""
        SELECT p.id, r.status, r.deposit_status FROM payments p
        JOIN reservations r ON r.id = p.reservation_id
        WHERE p.kind = 'deposit' AND p.status = 'succeeded'
          AND NOT (r.status IN {LIVE} AND r.deposit_status = 'paid')
          AND r.status NOT IN ('completed', 'no_show')
          AND r.deposit_status <> 'forfeited'
          AND NOT EXISTS (
            SELECT 1 FROM payments f
            WHERE f.reservation_id = p.reservation_id AND f.kind = 'refund'
              AND f.status = 'succeeded')
        """,
    ),
    Check(
        "deposits_taken_once",
        "a reservation keeps at most one deposit (a second payment, as from two open "
        "checkout tabs, is refunded)",
        """
        SELECT reservation_id, COUNT(*) FROM payments
        WHERE kind IN ('deposit', 'refund') AND status = 'succeeded'
        GROUP BY reservation_id
        HAVING SUM(CASE WHEN kind = 'deposit' THEN amount_minor ELSE 0 END)
             - SUM(CASE WHEN kind = 'refund' THEN amount_minor ELSE 0 END)
             > MAX(CASE WHEN kind = 'deposit' THEN amount_minor ELSE 0 END)
        """,
    ),
    Check(
        "refunds_within_deposits",
        "refunds never exceed what was paid",
        """
        SELECT reservation_id,
               SUM(CASE WHEN kind = 'refund' THEN amount_minor ELSE 0 END) AS refunded
        FROM payments WHERE status = 'succeeded'
        GROUP BY reservation_id
        HAVING SUM(CASE WHEN kind = 'refund' THEN amount_minor ELSE 0 END)
             > SUM(CASE WHEN kind IN ('deposit', 'fee') THEN amount_minor ELSE 0 END)
        """,
    ),
)


@dataclass
class CheckResult:
    """How one check came out: the number of offending rows and a few of them."""

    check: Check
    violations: int = 0
    examples: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.violations == 0

    def line(self) -> str:
        """One report line: the promise, and the first offending rows if any."""
        if self.ok:
            return f"  ok    {self.check.name}: {self.check.promise}"
        shown = "; ".join(", ".join(row) for row in self.examples)
        return f"  FAIL  {self.check.name}: {self.violations} rows break it, e.g. {shown}"


async def check_invariants(session: AsyncSession) -> list[CheckResult]:
    """Run every check against the session's database; read-only."""
    results = []
    for check in CHECKS:
        rows = (await session.execute(text(check.sql))).all()
        examples = [tuple(str(value) for value in row) for row in rows[:EXAMPLES]]
        results.append(CheckResult(check, len(rows), examples))
    return results
