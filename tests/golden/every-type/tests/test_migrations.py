"""The migrations go down to nothing and up again, and agree with the models."""

import pytest
import sqlalchemy as sa
from alembic import command

from every_type.db import get_engine
from every_type.models import Base
from tests.conftest import alembic_config

# Its writes must commit: migrations run on connections of their own.
pytestmark = pytest.mark.committed


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
    assert "gadgets" in _tables()
    assert "parts" in _tables()


def test_models_and_migrations_agree() -> None:
    # `alembic check`: autogenerate against the migrated database finds nothing to do.
    command.check(alembic_config())


def test_every_check_constraint_of_the_models_is_in_the_database() -> None:
    expected = {
        str(constraint.name)
        for table in Base.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    }
    with get_engine().connect() as connection:
        present = set(
            connection.execute(
                sa.text("SELECT conname FROM pg_constraint WHERE contype = 'c'")
            ).scalars()
        )
    assert expected <= present


def test_every_foreign_key_is_indexed() -> None:
    inspector = sa.inspect(get_engine())
    for table in inspector.get_table_names():
        leading = [tuple(index["column_names"]) for index in inspector.get_indexes(table)]
        leading += [tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)]
        leading.append(tuple(inspector.get_pk_constraint(table)["constrained_columns"]))
        for foreign_key in inspector.get_foreign_keys(table):
            columns = tuple(foreign_key["constrained_columns"])
            assert any(found[: len(columns)] == columns for found in leading), (table, columns)


def test_owned_lists_have_an_index_on_owner_created_at_and_id() -> None:
    inspector = sa.inspect(get_engine())
    for table in Base.metadata.sorted_tables:
        if "owner_id" not in table.columns:
            continue
        indexes = [tuple(index["column_names"]) for index in inspector.get_indexes(table.name)]
        assert ("owner_id", "created_at", "id") in indexes, table.name
