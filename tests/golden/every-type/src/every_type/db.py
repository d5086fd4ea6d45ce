"""The database engine and sessions (SQLAlchemy 2 with psycopg 3).

`DB_POOL_SIZE` is the ceiling of connections per process: the pool has no
overflow, and a request that cannot get a connection within
`DB_POOL_TIMEOUT` seconds is answered 503 (faults.py), as is one whose
statement runs past `DB_STATEMENT_TIMEOUT`.

Connections are not pinged before use (a ping is a round trip and a transaction).
A connection the server ended (a restart, a cut) fails its next statement,
the request is answered 503, and the error invalidates the whole pool, so
every connection opened before it is replaced on its next checkout.
"""

import contextlib
import functools
import logging
import math
from collections.abc import Iterator

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from every_type.settings import DatabaseSettings, get_settings

logger = logging.getLogger(__name__)

# libpq's shortest connect timeout.
MIN_CONNECT_TIMEOUT = 2
# Where the rate limiter leaves the session it opened for a request (ratelimit.py).
REQUEST_SESSION = "db_session"
# SQLSTATEs of a server that ended or refuses the connection: admin or crash
# shutdown, starting up; class 08 is every connection exception.
_DISCONNECTS = frozenset({"57P01", "57P02", "57P03"})


def create_engine(
    settings: DatabaseSettings, *, statement_timeout: float | None = None
) -> sa.Engine:
    """An engine whose pool never grows past `DB_POOL_SIZE` and is renewed after a disconnect.

    `statement_timeout` (seconds) makes the server cancel longer statements.
    """
    connect_args: dict[str, object] = {
        "connect_timeout": max(MIN_CONNECT_TIMEOUT, math.ceil(settings.db_pool_timeout)),
    }
    if statement_timeout is not None:
        connect_args["options"] = f"-c statement_timeout={math.ceil(statement_timeout * 1000)}"
    engine = sa.create_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout,
        connect_args=connect_args,
    )
    sa.event.listen(engine, "handle_error", _invalidate_on_disconnect)
    return engine


def _invalidate_on_disconnect(context: sa.engine.ExceptionContext) -> None:
    """Treats a server that ended the connection as a disconnect, whatever psycopg noticed.

    SQLAlchemy then discards the connection and invalidates the pool
    (`invalidate_pool_on_disconnect`): connections checked out before the
    error are replaced when next checked out, instead of each failing once.
    """
    state = getattr(context.original_exception, "sqlstate", None) or ""
    if state.startswith("08") or state in _DISCONNECTS:
        context.is_disconnect = True


@functools.cache
def get_engine() -> sa.Engine:
    """The app's engine, created on first use."""
    settings = get_settings()
    return create_engine(settings, statement_timeout=settings.db_statement_timeout)


@functools.cache
def get_sessionmaker() -> sessionmaker[Session]:
    """The app's session factory."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def close_quietly(session: Session) -> None:
    """Closes a session, rolling back what was not committed; never raises.

    A request's session closes after its response has started; an error
    then (the database went away) is logged, not raised into the server,
    which would cut the client's connection.
    """
    try:
        session.close()
    except Exception:
        logger.warning("closing a database session failed", exc_info=True)
        # Whatever connection it still holds goes back to the pool, discarded.
        with contextlib.suppress(Exception):
            session.invalidate()


def get_db(request: Request) -> Iterator[Session]:
    """The request's session; whatever was not committed is rolled back.

    It is the session the rate limiter opened for the request and closes
    after the response (ratelimit.py); else (probes, or counters in Redis)
    a new one from the app's `state.sessions`.
    """
    opened: Session | None = getattr(request.state, REQUEST_SESSION, None)
    if opened is not None:
        yield opened
        return
    factory: sessionmaker[Session] = request.app.state.sessions
    session = factory()
    try:
        yield session
    finally:
        close_quietly(session)
