"""Optimizer tests use the API tests' dev server and live API."""

from tests.api.conftest import dev_server, live

__all__ = ["dev_server", "live"]
