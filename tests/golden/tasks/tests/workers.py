"""A database per pytest-xdist worker, so the suite runs in parallel without sharing rows.

`make test` runs one worker per CPU. Each worker makes its own empty
database beside DATABASE_URL's, `<database>_<worker>` (so the database user
needs CREATEDB), points DATABASE_URL (and MIGRATION_DATABASE_URL) at it
before the app is imported, and drops it at the end. Without xdist
(`make test TEST_WORKERS=0`) the suite runs on DATABASE_URL itself.
"""

import os

import pytest
import sqlalchemy as sa

_KEYS = ("DATABASE_URL", "MIGRATION_DATABASE_URL")
# The owner's URL of the database the worker's own was made beside, once made.
_made_beside: list[sa.URL] = []


def worker_id() -> str:
    """This process's pytest-xdist worker id (`gw0`, ...), or "" outside a worker."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_database_name(database: str, worker: str) -> str:
    """The worker's database: `<database>_<worker>`, within PostgreSQL's 63-byte names."""
    suffix = f"_{worker}"
    return database[: 63 - len(suffix)] + suffix


def _execute(url: sa.URL, statements: list[str]) -> None:
    """Runs statements in autocommit on the database of `url` (CREATE and DROP DATABASE)."""
    engine = sa.create_engine(
        url.set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
        poolclass=sa.NullPool,
    )
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _owner_url() -> sa.URL:
    """The schema owner's URL: MIGRATION_DATABASE_URL when set, else DATABASE_URL."""
    text = os.environ.get("MIGRATION_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not text:
        raise pytest.UsageError("DATABASE_URL is not set: the tests need a PostgreSQL database")
    return sa.make_url(text)


def worker_database_env() -> dict[str, str]:
    """In a worker: makes its database afresh and returns the URLs that name it; else nothing."""
    worker = worker_id()
    if not worker:
        return {}
    owner = _owner_url()
    name = worker_database_name(owner.database or "tests", worker)
    try:
        _execute(
            owner, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"']
        )
    except sa.exc.DBAPIError as error:
        raise pytest.UsageError(
            f"pytest-xdist worker {worker} needs a database of its own and could not create "
            f"`{name}` ({error.orig}); grant the database user CREATEDB, or run the suite in "
            "one process: `make test TEST_WORKERS=0`"
        ) from error
    _made_beside.append(owner)
    return {
        key: sa.make_url(os.environ[key]).set(database=name).render_as_string(hide_password=False)
        for key in _KEYS
        if os.environ.get(key)
    }


def drop_worker_database() -> None:
    """Drops the worker's database, if this process made one (its connections closed first)."""
    for owner in _made_beside:
        name = worker_database_name(owner.database or "tests", worker_id())
        _execute(owner, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
    _made_beside.clear()
