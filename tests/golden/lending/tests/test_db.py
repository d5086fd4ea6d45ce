"""The engine's pool follows DB_POOL_SIZE and DB_POOL_TIMEOUT."""

import sqlalchemy as sa

from lend_well.db import create_engine
from lend_well.settings import DatabaseSettings, get_settings


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
