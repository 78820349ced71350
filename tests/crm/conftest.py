"""The CRM tests use the API tests' live stack (Temporal dev server and a worker)."""

from tests.api.conftest import dev_server, live

__all__ = ["dev_server", "live"]
