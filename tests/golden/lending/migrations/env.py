"""Alembic's entry point: migrations run as the schema owner.

That is `MIGRATION_DATABASE_URL`, default `DATABASE_URL`. With `APP_DB_ROLE`
set, the same transaction then grants that role what the app needs (grants.py).
The integrations that add tables are imported so their tables join the metadata.
"""

from logging.config import fileConfig

from alembic import context

from lend_well.db import create_engine
from lend_well.grants import ensure_role, grant_app_role
from lend_well.integrations import stripe  # noqa: F401
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
    settings = load(DatabaseSettings)
    engine = create_engine(settings.as_owner())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
            if settings.app_db_role:
                ensure_role(connection, settings.app_db_role, settings.app_db_password)
                grant_app_role(connection, settings.app_db_role)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against DATABASE_URL")
run_migrations()
