"""Alembic's entry point: migrations run against DATABASE_URL."""

from logging.config import fileConfig

from alembic import context

from lend_well.db import create_engine
from lend_well.models import Base
from lend_well.settings import DatabaseSettings, load

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations() -> None:
    """Runs the migrations on a connection, or on the one a caller passed in."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(load(DatabaseSettings))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against DATABASE_URL")
run_migrations()
