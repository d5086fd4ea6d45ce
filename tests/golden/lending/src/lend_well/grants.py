"""The app's database role: `make migrate`, as the schema owner, grants it what the app does.

With `APP_DB_ROLE` set, migrations run as the owner (`MIGRATION_DATABASE_URL`,
default `DATABASE_URL`) and then give that role DML on the entity and `auth_`
tables, only INSERT and SELECT on `audit_events`, USAGE on the schema and its
sequences, and nothing else: the app, connecting as that role, cannot alter
tables, disable the audit trigger or change audit rows. With `APP_DB_PASSWORD`
also set, a missing role is created (LOGIN, that password).
"""

from typing import Any

import sqlalchemy as sa
from psycopg import sql

from lend_well.models import Base

AUDIT_TABLE = "audit_events"
ROW_PRIVILEGES = sql.SQL("SELECT, INSERT, UPDATE, DELETE")
AUDIT_PRIVILEGES = sql.SQL("SELECT, INSERT")


def _run(connection: sa.Connection, statement: sql.Composable) -> None:
    """Runs a statement whose identifiers psycopg quotes, in the connection's transaction."""
    driver: Any = connection.connection.driver_connection
    driver.execute(statement)


def ensure_role(connection: sa.Connection, role: str, password: str | None) -> None:
    """Creates the role when it does not exist and a password is given."""
    exists = connection.execute(
        sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if exists is not None:
        return
    if not password:
        raise SystemExit(
            f"APP_DB_ROLE names {role!r}, which does not exist: create it, or set APP_DB_PASSWORD"
        )
    _run(
        connection,
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)
        ),
    )


def grant_app_role(connection: sa.Connection, role: str) -> None:
    """Gives the role exactly what the app needs on this schema's tables, revoking the rest."""
    who = sql.Identifier(role)
    schema = sql.Identifier(connection.execute(sa.text("SELECT current_schema()")).scalar_one())
    # PostgreSQL before 15 lets every role create tables in `public`; not the app.
    _run(connection, sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(schema))
    _run(connection, sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(schema, who))
    _run(connection, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, who))
    inspector = sa.inspect(connection)
    for table in Base.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            # After a downgrade: nothing to grant on a table that is gone.
            continue
        name = sql.SQL("{}.{}").format(schema, sql.Identifier(table.name))
        privileges = AUDIT_PRIVILEGES if table.name == AUDIT_TABLE else ROW_PRIVILEGES
        _run(connection, sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(name, who))
        _run(connection, sql.SQL("GRANT {} ON TABLE {} TO {}").format(privileges, name, who))
    _run(
        connection,
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, who),
    )
