"""A database that cannot be reached is a 503 with Retry-After, never a 500.

Connection failures surface in several shapes: SQLAlchemy's OperationalError or
InterfaceError (the driver lost or could not open a connection), any DBAPIError that
invalidated its connection, the bare OSError asyncpg raises when nothing listens, or
a server that refuses new connections for now (SQLSTATE class 08 connection, 53
insufficient resources such as "too many clients", 57P operator intervention such
as a shutdown). Constraint and data errors are not outages and keep their own handlers.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from api.problems import problem_response

RETRY_AFTER_SECONDS = 5
# SQLSTATE prefixes that mean "the server cannot take you now", not "your request is wrong"
OUTAGE_SQLSTATE_PREFIXES = ("08", "53", "57P")


def is_outage(exc: BaseException) -> bool:
    """True when `exc` means the database is unreachable, not that the request is wrong."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or _sqlstate(exc).startswith(
            OUTAGE_SQLSTATE_PREFIXES
        )
    return isinstance(exc, ConnectionError | TimeoutError)


def _sqlstate(exc: DBAPIError) -> str:
    """The PostgreSQL SQLSTATE the driver reported, or "" (SQLite has none)."""
    for source in (exc.orig, getattr(exc.orig, "__cause__", None)):
        code = getattr(source, "sqlstate", None) or getattr(source, "pgcode", None)
        if isinstance(code, str):
            return code
    return ""


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
