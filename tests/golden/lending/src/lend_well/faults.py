"""Database faults: the errors that mean the database cannot serve now, answered 503.

A database that is down, restarting, too slow (its statement timeout) or
out of pooled connections is not a bug: the request is answered 503 with
`Retry-After`, and the error is logged once per kind and interval (logs.py
counts the repeats). 500 stays for bugs.
"""

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc

from lend_well.problems import SERVER_ERROR, problem_response

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "The service cannot reach its database right now; try again shortly."


def is_unavailable(error: BaseException) -> bool:
    """Whether an error says the database cannot serve now, rather than that the code is wrong.

    Pool exhaustion, connections that fail or were cut, the server shutting
    down or starting up, cancelled statements (the statement timeout),
    deadlocks and serialization failures: psycopg's `OperationalError` and
    `InterfaceError`, whether SQLAlchemy wraps them or not.
    """
    if isinstance(error, exc.TimeoutError | exc.OperationalError | exc.InterfaceError):
        return True
    if isinstance(error, exc.DBAPIError):
        return error.connection_invalidated
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


def unavailable_response() -> JSONResponse:
    """503 with `Retry-After`."""
    return problem_response(503, UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def log_unavailable(error: BaseException, method: str, path: str) -> None:
    """Logs a database fault; logs.py lets one per kind through per interval and counts the rest."""
    logger.warning(
        "database unavailable on %s %s: %s",
        method,
        path,
        type(error).__name__,
        exc_info=error,
    )


def install(app: FastAPI) -> None:
    """Answers database errors: 503 for faults, 500 (a bug) for the rest."""

    @app.exception_handler(exc.SQLAlchemyError)
    async def on_database_error(request: Request, error: exc.SQLAlchemyError) -> JSONResponse:
        if is_unavailable(error):
            log_unavailable(error, request.method, request.url.path)
            return unavailable_response()
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return problem_response(500, SERVER_ERROR)
