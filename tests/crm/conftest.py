"""CRM tests share the API tests' Temporal dev server and live API."""

from __future__ import annotations

from tests.api.conftest import dev_server, live  # noqa: F401 (fixtures)
