"""The migrations go down to nothing and up again."""

import sqlalchemy as sa
from alembic import command

from lend_well.db import get_engine
from tests.conftest import alembic_config


def _tables() -> set[str]:
    return set(sa.inspect(get_engine()).get_table_names())


def _audit_guard_exists() -> bool:
    with get_engine().connect() as connection:
        found = connection.execute(
            sa.text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_events_append_only'")
        ).scalar_one()
    return bool(found)


def test_migrations_down_and_up_again() -> None:
    config = alembic_config()
    command.downgrade(config, "base")
    assert _tables() <= {"alembic_version"}
    assert not _audit_guard_exists()
    command.upgrade(config, "head")
    assert {"auth_users", "auth_sessions", "auth_login_attempts", "audit_events"} <= _tables()
    assert _audit_guard_exists()
    assert "auth_rate_limits" in _tables()
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    assert "applicants" in _tables()
    assert "loan_applications" in _tables()
    assert "repayments" in _tables()
