"""Fixtures of the fault tests: one private PostgreSQL cluster for the whole run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.stack import Cluster


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A private PostgreSQL cluster (never the shared one) that tests may crash and restart."""
    made = Cluster()
    try:
        yield made
    finally:
        made.close()
