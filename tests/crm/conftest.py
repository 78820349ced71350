"""CRM tests use the workflow tests' time-skipping server and the API tests' dev server."""

from tests.api.conftest import dev_server
from tests.workflows.conftest import time_skipping

__all__ = ["dev_server", "time_skipping"]
