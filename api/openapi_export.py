"""The OpenAPI document the web front ends generate their typed API client from.

web/openapi.json is a committed copy of it: tests/test_web_client.py fails when the API
changed without the copy being refreshed (`make web-client`, which runs
`python -m api.openapi_export web/openapi.json`),
and the front end's build then type-checks every call against the refreshed schema, so a
changed API breaks the front end at build time rather than in a guest's browser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from reservations.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEB_CLIENT_SCHEMA = PROJECT_ROOT / "web" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI schema as the application serves it (no .env file is read)."""
    from api.app import create_app

    settings = cast(Any, Settings)(_env_file=None)
    return create_app(settings).openapi()


def openapi_text() -> str:
    """The schema as the committed file holds it: stable key order, two-space indent."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    import sys

    # python -m api.openapi_export [FILE]: the schema to FILE, or to standard output
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(openapi_text(), encoding="utf-8")
    else:
        sys.stdout.write(openapi_text())
