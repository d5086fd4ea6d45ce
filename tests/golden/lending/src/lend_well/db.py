"""The database engine and sessions (SQLAlchemy 2 with psycopg 3)."""

import functools
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from lend_well.settings import DatabaseSettings, get_settings


def create_engine(settings: DatabaseSettings) -> sa.Engine:
    """An engine with a bounded pool that checks connections before use."""
    return sa.create_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
    )


@functools.cache
def get_engine() -> sa.Engine:
    """The app's engine, created on first use."""
    return create_engine(get_settings())


@functools.cache
def get_sessionmaker() -> sessionmaker[Session]:
    """The app's session factory."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def get_db() -> Iterator[Session]:
    """A session per request; whatever was not committed is rolled back."""
    with get_sessionmaker()() as session:
        yield session
