"""Backups: `make backup` and `make restore` round trip into a second, fresh database."""

import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic_flow.db import create_engine
from clinic_flow.models import Base
from clinic_flow.settings import PROJECT_ROOT, DatabaseSettings, get_settings
from tests.conftest import ADMIN_ROLE, ROLES, make_user

# Its writes must commit: a backup of committed rows, made by another process.
pytestmark = pytest.mark.committed


def counts(url: str) -> dict[str, int]:
    """Rows per table of the schema, and the migration version."""
    engine = create_engine(DatabaseSettings(database_url=url))
    try:
        with engine.connect() as connection:
            result = {
                table.name: int(
                    connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                )
                for table in Base.metadata.sorted_tables
            }
            result["alembic_version"] = int(
                connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar_one()
            )
            return result
    finally:
        engine.dispose()


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database on the same server; dropped afterwards."""
    settings = get_settings()
    url = sa.engine.make_url(settings.sqlalchemy_url)
    name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def make(target: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", target, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_backup_and_restore_round_trip(tmp_path: Path, fresh_database: str) -> None:
    for role in ROLES:
        make_user(role)
    make_user(ADMIN_ROLE)
    source = get_settings().database_url
    env = dict(os.environ)
    env.update(BACKUP_DIR=str(tmp_path / "dumps"), DATABASE_URL=source)

    dumped = make("backup", env)
    assert dumped.returncode == 0, dumped.stderr
    path = Path(dumped.stdout.strip().splitlines()[-1])
    assert path.parent == tmp_path / "dumps"
    assert re.fullmatch(r"\d{8}T\d{6}Z\.dump", path.name)
    assert path.read_bytes().startswith(b"PGDMP")

    env["DATABASE_URL"] = fresh_database
    restored = make("restore", env, f"FILE={path}")
    assert restored.returncode == 0, restored.stderr
    expected = counts(source)
    assert expected["auth_users"] == len(ROLES) + 1
    assert counts(fresh_database) == expected

    # Now the target is not empty: refused without FORCE=1, done with it.
    refused = make("restore", env, f"FILE={path}")
    assert refused.returncode != 0
    assert "FORCE=1" in refused.stderr
    forced = make("restore", env, f"FILE={path}", "FORCE=1")
    assert forced.returncode == 0, forced.stderr
    assert counts(fresh_database) == expected


def test_restore_of_a_missing_file_fails(fresh_database: str) -> None:
    env = dict(os.environ)
    env["DATABASE_URL"] = fresh_database
    result = make("restore", env, "FILE=/nonexistent/backup.dump")
    assert result.returncode != 0
    assert "no such dump" in result.stderr
