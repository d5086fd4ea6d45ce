"""The engine's pool follows DB_POOL_SIZE and DB_POOL_TIMEOUT; a request's session closes."""

import asyncio
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from every_type import db
from every_type.db import create_engine
from every_type.settings import DatabaseSettings, get_settings


def test_the_pool_follows_the_settings() -> None:
    settings = DatabaseSettings(
        database_url=get_settings().database_url, db_pool_size=3, db_pool_timeout=7.5
    )
    engine = create_engine(settings)
    try:
        pool = engine.pool
        assert isinstance(pool, sa.QueuePool)
        assert pool.size() == 3
        assert pool.timeout() == 7.5
    finally:
        engine.dispose()


def test_a_session_closes_in_the_thread_pool_only_when_it_has_to_roll_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handed: list[Callable[..., object]] = []

    async def recording(func: Callable[..., object], *args: object) -> object:
        handed.append(func)
        return func(*args)

    monkeypatch.setattr(db, "run_in_threadpool", recording)
    engine = create_engine(DatabaseSettings(database_url=get_settings().database_url))
    try:
        factory = sessionmaker(bind=engine)
        reading = factory()
        reading.execute(sa.text("SELECT 1"))
        asyncio.run(db.close_after(reading))
        assert handed == [db.close_quietly]
        committed = factory()
        committed.execute(sa.text("SELECT 1"))
        committed.commit()
        asyncio.run(db.close_after(committed))
        assert handed == [db.close_quietly]
        assert not committed.in_transaction()
        assert isinstance(engine.pool, sa.QueuePool)
        assert engine.pool.checkedout() == 0
    finally:
        engine.dispose()
