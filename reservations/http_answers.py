"""Which HTTP answers of a provider or subscriber a retry may change.

408 (the server gave up waiting), 429 (slow down) and any 5xx are passing states;
every other 4xx is a verdict on the request itself, which resending cannot change.
"""

from __future__ import annotations

RETRIED_4XX = frozenset({408, 429})


def is_transient(status: int) -> bool:
    """True for an answer worth retrying: 408, 429 or 5xx."""
    return status in RETRIED_4XX or status >= 500
