"""CRM tests use the API tests' dev server and live API, and the workflow tests'
time-skipping server."""

from tests.api.conftest import dev_server, live
from tests.workflows.conftest import time_skipping

__all__ = ["dev_server", "live", "time_skipping"]
