"""The web front ends' API client is generated from a committed copy of the schema."""

from __future__ import annotations

import json

from api.openapi_export import WEB_CLIENT_SCHEMA, openapi_document


def test_committed_schema_matches_the_api() -> None:
    committed = json.loads(WEB_CLIENT_SCHEMA.read_text(encoding="utf-8"))
    assert committed == openapi_document(), (
        "the API changed: run `make web-client` and rebuild the front ends (`make web`), "
        "whose type check then shows every call the change breaks"
    )
