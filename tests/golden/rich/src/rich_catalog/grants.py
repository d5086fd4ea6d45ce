"""The app's database role: `make migrate`, as the schema owner, grants it what the app does.

With `APP_DB_ROLE` set, migrations run as the owner (`MIGRATION_DATABASE_URL`,
default `DATABASE_URL`) and then give that role DML on the entity and `auth_`
tables, only INSERT and SELECT on `audit_events`, USAGE on the schema and its
sequences, and nothing else: the app, connecting as that role, cannot alter
tables, disable the audit trigger or change audit rows. With `APP_DB_PASSWORD`
also set, a missing role is created (LOGIN, that password).
"""

import sqlalchemy as sa

from rich_catalog.models import Base

AUDIT_TABLE = "audit_events"
ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
AUDIT_PRIVILEGES = "SELECT, INSERT"


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
    create = (
        "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', CAST(:role AS text), CAST(:pw AS text))"
    )
    statement = connection.execute(sa.text(create), {"role": role, "pw": password}).scalar_one()
    connection.exec_driver_sql(statement)


def grant_app_role(connection: sa.Connection, role: str) -> None:
    """Gives the role exactly what the app needs on this schema's tables, revoking the rest."""
    quote = connection.dialect.identifier_preparer.quote
    who = quote(role)
    schema = quote(connection.execute(sa.text("SELECT current_schema()")).scalar_one())
    # PostgreSQL before 15 lets every role create tables in `public`; not the app.
    connection.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
    connection.exec_driver_sql(f"REVOKE ALL ON SCHEMA {schema} FROM {who}")
    connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {who}")
    inspector = sa.inspect(connection)
    for table in Base.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            # After a downgrade: nothing to grant on a table that is gone.
            continue
        name = f"{schema}.{quote(table.name)}"
        privileges = AUDIT_PRIVILEGES if table.name == AUDIT_TABLE else ROW_PRIVILEGES
        connection.exec_driver_sql(f"REVOKE ALL ON TABLE {name} FROM {who}")
        connection.exec_driver_sql(f"GRANT {privileges} ON TABLE {name} TO {who}")
    connection.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}")
