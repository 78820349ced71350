"""The partners' side: the API with a real worker on the Temporal dev server."""

from tests.api.conftest import dev_server, live  # noqa: F401
