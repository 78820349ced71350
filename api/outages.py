"""A database that cannot be reached is a 503 with Retry-After, never a 500.

Connection failures surface in several shapes: SQLAlchemy's OperationalError or
InterfaceError (the driver lost or could not open a connection), any DBAPIError that
invalidated its connection, or the bare OSError asyncpg raises when nothing listens.
Constraint and data errors are not outages and keep their own handlers.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from api.problems import problem_response

RETRY_AFTER_SECONDS = 5


def is_outage(exc: BaseException) -> bool:
    """True when `exc` means the database is unreachable, not that the request is wrong."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated)
    return isinstance(exc, ConnectionError | TimeoutError)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    if not is_outage(exc):
        raise exc  # not ours: the unexpected-error middleware answers and logs it
    what = "the database" if isinstance(exc, DBAPIError) else "a service the API depends on"
    return problem_response(
        503,
        "Service unavailable",
        f"{what} is unavailable; try again shortly",
        instance=request.url.path,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_outage_handlers(app: FastAPI) -> None:
    """Answer database outages with problem+json 503 and Retry-After."""
    for kind in (DBAPIError, ConnectionError, TimeoutError):
        app.add_exception_handler(kind, _database_unavailable)
