"""Transient or permanent: which activity failures Temporal may retry.

An outage (database down, a lock timeout, a provider's 503) is retried without
limit. Data the database or a provider will never accept (a NUL byte, a number
past a column's range, a broken constraint, a validation failure, a refusal by
our own rules) fails at once with a non-retryable `ApplicationError` whose type
the API maps to a 4xx answer. Refusals are ordinary answers, not crashes: they
are logged as one line and marked benign, so the SDK prints no traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from pydantic import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from messaging.render import UnrenderableMessage
from payments.provider import ProviderRefused
from services.errors import ConflictError, InvalidError, NotFoundError, ServiceError

P = ParamSpec("P")
R = TypeVar("R")

# PostgreSQL states a retry can clear: a concurrent booking won the tables (the retry
# then answers with alternatives), a serialization failure, a deadlock
_RETRYABLE_STATES = frozenset({"23P01", "40001", "40P01"})
_SERVICE_TYPES: dict[type[ServiceError], str] = {
    NotFoundError: "NotFound",
    InvalidError: "Invalid",
    ConflictError: "Conflict",
}


def refusal(exc: BaseException) -> ApplicationError | None:
    """The non-retryable refusal `exc` amounts to, or None when a retry may help."""
    if isinstance(exc, ApplicationError):
        return exc if exc.non_retryable else None
    if isinstance(exc, ServiceError):
        kind = _SERVICE_TYPES.get(type(exc), "Refused")
        return _benign(exc.detail, kind, field=exc.field, reason=exc.reason)
    if isinstance(exc, ProviderRefused):
        return _benign(str(exc), "ProviderRefused")
    if isinstance(exc, UnrenderableMessage):
        return _benign(str(exc), "Invalid")
    state = _sqlstate(exc) if isinstance(exc, DBAPIError) else None
    if isinstance(exc, DataError | ValidationError | OverflowError) or (
        state is not None and state.startswith("22")
    ):
        # a value no retry can make acceptable (NUL byte, out of range, bad format)
        return _benign(_first_line(exc), "Invalid", field="body")
    integrity = isinstance(exc, IntegrityError) or (state is not None and state.startswith("23"))
    if integrity and state not in _RETRYABLE_STATES:
        return _benign(_first_line(exc), "Conflict")
    return None


def refusing(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Wrap an activity so permanent failures fail it at once (logged as one line)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:
            refused = refusal(exc)
            if refused is None:
                raise
            if activity.in_activity():
                activity.logger.info("refused (%s): %s", refused.type, refused.message)
            if refused is exc:
                raise
            raise refused from None

    return wrapper


def _benign(
    message: str, kind: str, *, field: str | None = None, reason: str | None = None
) -> ApplicationError:
    details = {"field": field} if reason is None else {"field": field, "reason": reason}
    return ApplicationError(
        message,
        details,
        type=kind,
        non_retryable=True,
        category=ApplicationErrorCategory.BENIGN,
    )


def _sqlstate(exc: DBAPIError) -> str | None:
    """PostgreSQL's SQLSTATE behind a driver error (asyncpg keeps it on the cause)."""
    for error in (exc.orig, getattr(exc.orig, "__cause__", None)):
        state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(state, str):
            return state
    return None


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0][:500] if text else type(exc).__name__
