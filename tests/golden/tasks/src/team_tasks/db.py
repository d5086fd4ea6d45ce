"""The database engine and sessions (SQLAlchemy 2 with psycopg 3).

`DB_POOL_SIZE` is the ceiling of connections per process: the pool has no
overflow, and a request that cannot get a connection within
`DB_POOL_TIMEOUT` seconds is answered 503 (faults.py), as is one whose
statement runs past `DB_STATEMENT_TIMEOUT`.
"""

import contextlib
import functools
import logging
import math
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from team_tasks.settings import DatabaseSettings, get_settings

logger = logging.getLogger(__name__)

# libpq's shortest connect timeout.
MIN_CONNECT_TIMEOUT = 2


def create_engine(
    settings: DatabaseSettings, *, statement_timeout: float | None = None
) -> sa.Engine:
    """An engine whose pool never grows past `DB_POOL_SIZE` and checks connections before use.

    `statement_timeout` (seconds) makes the server cancel longer statements.
    """
    connect_args: dict[str, object] = {
        "connect_timeout": max(MIN_CONNECT_TIMEOUT, math.ceil(settings.db_pool_timeout)),
    }
    if statement_timeout is not None:
        connect_args["options"] = f"-c statement_timeout={math.ceil(statement_timeout * 1000)}"
    return sa.create_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


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


def get_db() -> Iterator[Session]:
    """A session per request; whatever was not committed is rolled back."""
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        close_quietly(session)
