"""Two database roles: the app's role gets DML only, so it cannot alter tables or audit rows."""

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from team_tasks.db import get_engine
from team_tasks.grants import ensure_role, grant_app_role
from team_tasks.models import Base
from team_tasks.settings import DatabaseSettings, get_settings

# Its writes must commit: another database role reads the committed rows.
pytestmark = pytest.mark.committed


@pytest.fixture
def app_role() -> Iterator[sa.Engine]:
    """A throwaway role, granted as `make migrate` grants APP_DB_ROLE; an engine connecting as it."""
    role = f"app_{uuid.uuid4().hex[:12]}"
    password = uuid.uuid4().hex
    with get_engine().begin() as connection:
        ensure_role(connection, role, password)
        grant_app_role(connection, role)
    url = sa.make_url(get_settings().sqlalchemy_url).set(username=role, password=password)
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with get_engine().begin() as connection:
            connection.exec_driver_sql(f'DROP OWNED BY "{role}"')
            connection.exec_driver_sql(f'DROP ROLE "{role}"')


def refused(engine: sa.Engine, statement: str) -> bool:
    """Whether PostgreSQL refuses the statement for lack of privilege (or ownership)."""
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(statement)
    except DBAPIError as error:
        return getattr(error.orig, "sqlstate", None) == "42501"
    return False


def test_the_app_role_holds_select_and_insert_on_the_audit_log_and_dml_elsewhere(
    app_role: sa.Engine,
) -> None:
    # The audit log's trigger refuses a change with the same error as a
    # missing privilege would, so the privileges themselves are checked.
    privileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
    role = app_role.url.username
    with get_engine().connect() as connection:
        for table in Base.metadata.sorted_tables:
            held = [
                privilege
                for privilege in privileges
                if connection.execute(
                    sa.select(sa.func.has_table_privilege(role, table.name, privilege))
                ).scalar_one()
            ]
            expected = ["SELECT", "INSERT"] if table.name == "audit_events" else privileges[:4]
            assert held == expected, table.name


def test_the_app_role_cannot_disable_the_audit_trigger(app_role: sa.Engine) -> None:
    assert refused(app_role, "ALTER TABLE audit_events DISABLE TRIGGER ALL")


def test_the_app_role_cannot_change_or_remove_audit_rows(app_role: sa.Engine) -> None:
    assert refused(app_role, "UPDATE audit_events SET action = 'x'")
    assert refused(app_role, "DELETE FROM audit_events")
    assert refused(app_role, "TRUNCATE audit_events")


def test_the_app_role_cannot_alter_or_create_tables(app_role: sa.Engine) -> None:
    for table in Base.metadata.sorted_tables:
        assert refused(app_role, f'ALTER TABLE "{table.name}" ADD COLUMN intruder integer')
    assert refused(app_role, "CREATE TABLE intruder (id integer)")


def test_the_app_role_reads_and_writes_rows(app_role: sa.Engine) -> None:
    with app_role.begin() as connection:
        for table in Base.metadata.sorted_tables:
            connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            if table.name != "audit_events":
                first = next(iter(table.columns)).name
                connection.exec_driver_sql(
                    f'UPDATE "{table.name}" SET "{first}" = "{first}" WHERE false'
                )
                connection.execute(table.delete().where(sa.false()))
        connection.exec_driver_sql(
            "INSERT INTO audit_events (id, at, action) VALUES (gen_random_uuid(), now(), 'grants')"
        )


def test_migrations_run_as_the_owner_url() -> None:
    settings = DatabaseSettings(database_url="postgresql://app@db/x")
    assert settings.as_owner().database_url == "postgresql://app@db/x"
    owner = DatabaseSettings(
        database_url="postgresql://app@db/x", migration_database_url="postgresql://owner@db/x"
    )
    assert owner.as_owner().database_url == "postgresql://owner@db/x"
