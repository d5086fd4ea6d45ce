"""Backups: `python -m lend_well.backup dump` and `python -m lend_well.backup restore FILE`.

`dump` writes a consistent `pg_dump --format=custom` of `DATABASE_URL` to
`BACKUP_DIR` (default `backups/`), named by UTC time, and prints its path.
`restore` loads such a dump into `DATABASE_URL`; it refuses a database that
has any table in its `public` schema unless `--force` is given (then the
objects in the dump are dropped and recreated). The password travels in
`PGPASSWORD`, never on a command line.
"""

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from pydantic import Field

from lend_well.db import create_engine
from lend_well.settings import DatabaseSettings, load


class BackupSettings(DatabaseSettings):
    """Where dumps go."""

    backup_dir: Path = Field(default=Path("backups"))


class BackupError(Exception):
    """A backup or restore that could not be done."""


def _tool(name: str) -> str:
    """The path of a PostgreSQL client program (`PG_BIN` may name its directory)."""
    directory = os.environ.get("PG_BIN")
    if directory:
        candidate = Path(directory) / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (install the PostgreSQL client tools)")
    return found


def _connection(settings: DatabaseSettings) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment that carries it."""
    url = sa.engine.make_url(settings.sqlalchemy_url).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def dump(settings: BackupSettings, now: dt.datetime | None = None) -> Path:
    """Writes a custom-format dump into the backup directory and returns its path."""
    now = now or dt.datetime.now(dt.UTC)
    settings.backup_dir.mkdir(parents=True, exist_ok=True)
    path = settings.backup_dir / f"{now:%Y%m%dT%H%M%SZ}.dump"
    url, env = _connection(settings)
    partial = path.with_suffix(".partial")
    _run([_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={url}"], env)
    partial.rename(path)
    return path


def public_tables(settings: DatabaseSettings) -> list[str]:
    """The tables in the `public` schema of the database."""
    engine = create_engine(settings)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' ORDER BY table_name"
                )
            )
            return [str(name) for (name,) in rows]
    finally:
        engine.dispose()


def restore(settings: DatabaseSettings, file: Path, force: bool = False) -> None:
    """Restores a dump, refusing a non-empty database unless `force`."""
    if not file.is_file():
        raise BackupError(f"no such dump: {file}")
    tables = public_tables(settings)
    if tables and not force:
        raise BackupError(
            f"the database is not empty ({len(tables)} tables in public); "
            "restore into an empty database, or set FORCE=1 to replace what is there"
        )
    url, env = _connection(settings)
    command = [_tool("pg_restore"), "--no-owner", "--single-transaction", f"--dbname={url}"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, str(file)], env)


def main(argv: list[str] | None = None) -> int:
    """Runs `dump` or `restore`; returns the exit status."""
    parser = argparse.ArgumentParser(prog="lend_well.backup")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dump", help="write a pg_dump of DATABASE_URL to BACKUP_DIR")
    restore_command = commands.add_parser("restore", help="restore a dump into DATABASE_URL")
    restore_command.add_argument("file", type=Path)
    restore_command.add_argument(
        "--force", action="store_true", help="replace the objects of a non-empty database"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "dump":
            print(dump(load(BackupSettings)))
        else:
            restore(load(DatabaseSettings), args.file, force=args.force)
            print(f"restored {args.file}")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
