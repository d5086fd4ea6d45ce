"""Operator commands: `python -m lend_well.cli user|retention|rotate-keys …`."""

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lend_well import audit, idempotency
from lend_well.db import create_engine
from lend_well.models import (
    Applicant,
    AuditEvent,
    LoanApplication,
    Repayment,
)
from lend_well.security import crypto
from lend_well.services import users
from lend_well.settings import DatabaseSettings, Settings, load

# Rows per transaction when re-encrypting.
ROTATE_BATCH = 500
# Entities whose rows expire, with their retention as a PostgreSQL interval.
RETAINED: dict[str, tuple[Any, str]] = {
    "LoanApplication": (LoanApplication, "7 years"),
    "Repayment": (Repayment, "7 years"),
}
# Encrypted columns per entity: (column, codec, blind index column or None).
ENCRYPTED: dict[str, tuple[Any, list[tuple[str, str, str | None]]]] = {
    "Applicant": (
        Applicant,
        [
            ("annual_income", "decimal", None),
        ],
    ),
}


def set_user(email: str, password: str, role: str) -> str:
    """Creates the user, or sets the role of an existing one (leaving its password alone)."""
    engine = create_engine(load(DatabaseSettings))
    try:
        with Session(engine) as db:
            user = users.find_by_email(db, email)
            if user is None:
                user = users.create_user(db, email, password, role)
                db.flush()
                audit.record(db, "role_change", None, "account", user.id, ["role"])
                message = f"created {user.email} with role {role}"
            elif user.role != role:
                users.set_role(user, role)
                audit.record(db, "role_change", None, "account", user.id, ["role"])
                message = f"set the role of {user.email} to {role}"
            else:
                message = f"{user.email} already has role {role}"
            db.commit()
            return message
    finally:
        engine.dispose()


def purge(db: Session) -> dict[str, int]:
    """Deletes rows past their entity's retention, and audit events past the audit
    retention, and records one `retention_purge` event with the counts; not committed.

    Rows are aged by `created_at`. Rows that other rows still refer to through
    a `restrict` relation stop the purge with an IntegrityError (nothing is deleted).
    """
    counts: dict[str, int] = {}
    for name, (model, period) in RETAINED.items():
        cutoff = sa.func.now() - sa.cast(sa.literal(period), sa.Interval())
        result = db.execute(sa.delete(model).where(model.created_at < cutoff))
        counts[name] = int(getattr(result, "rowcount", 0) or 0)
    if audit.RETENTION_DAYS is not None:
        # The append-only trigger lets this DELETE through only inside this
        # transaction, and only for events older than the audit retention.
        db.execute(sa.select(sa.func.set_config("archgen.audit_purge", "on", True)))
        cutoff = sa.func.now() - sa.func.make_interval(0, 0, 0, audit.RETENTION_DAYS)
        result = db.execute(sa.delete(AuditEvent).where(AuditEvent.at < cutoff))
        db.execute(sa.select(sa.func.set_config("archgen.audit_purge", "off", True)))
        counts["audit_events"] = int(getattr(result, "rowcount", 0) or 0)
    audit.record(
        db,
        "retention_purge",
        None,
        fields=[f"{name}:{count}" for name, count in counts.items()],
    )
    return counts


def retention() -> str:
    """`make retention`: purges expired rows and idempotency keys in one transaction, with counts.

    Runs as the schema owner (`MIGRATION_DATABASE_URL` when set): the app's role
    may not delete audit events.
    """
    engine = create_engine(load(DatabaseSettings).as_owner())
    try:
        with Session(engine) as db:
            counts = purge(db)
            keys = idempotency.purge(db)
            db.commit()
    finally:
        engine.dispose()
    lines = [f"{name}: {count} deleted" for name, count in counts.items()]
    if not lines:
        lines.append("nothing has a retention period; nothing deleted")
    lines.append(f"expired idempotency keys: {keys} deleted")
    return "\n".join(lines)


def rotate(db: Session, keyring: crypto.Keyring, batch: int = ROTATE_BATCH) -> dict[str, int]:
    """Re-encrypts every value not under the newest key and recomputes stale blind
    indexes, `batch` rows per transaction; returns the rows rewritten per entity.

    Values are read and written as stored text (`type_coerce`), so the
    column's own encryption does not apply twice; `updated_at` is kept.
    """
    counts: dict[str, int] = {}
    for name, (model, columns) in ENCRYPTED.items():
        table: sa.Table = model.__table__
        selected: list[sa.ColumnElement[Any]] = [table.c.id]
        for column, _, index in columns:
            selected.append(sa.type_coerce(table.c[column], sa.Text()))
            if index is not None:
                selected.append(table.c[index])
        counts[name] = 0
        after: Any = None
        while True:
            statement = sa.select(*selected).order_by(table.c.id).limit(batch)
            if after is not None:
                statement = statement.where(table.c.id > after)
            rows = db.execute(statement).all()
            if not rows:
                break
            for row in rows:
                values = iter(row[1:])
                changes: dict[str, Any] = {}
                for column, _, index in columns:
                    stored = next(values)
                    indexed = next(values) if index is not None else None
                    if stored is None:
                        continue
                    plain = keyring.decrypt(stored)
                    if crypto.stored_key_id(stored) != keyring.current_id:
                        changes[column] = sa.type_coerce(keyring.encrypt(plain), sa.Text())
                    if index is not None and indexed != keyring.blind_index(plain):
                        changes[index] = keyring.blind_index(plain)
                if changes:
                    changes["updated_at"] = table.c.updated_at
                    db.execute(sa.update(table).where(table.c.id == row[0]).values(changes))
                    counts[name] += 1
            db.commit()
            after = rows[-1][0]
    return counts


def rotate_keys() -> str:
    """`make rotate-keys`: re-encrypts under the newest key of `ENCRYPTION_KEYS`."""
    settings = load(Settings)
    keyring = crypto.Keyring.from_settings(settings.encryption_keys, settings.secret_key)
    engine = create_engine(settings)
    try:
        with Session(engine) as db:
            counts = rotate(db, keyring)
    finally:
        engine.dispose()
    if not counts:
        return "no field is encrypted; nothing to rotate"
    return "\n".join(f"{name}: {count} rows re-encrypted" for name, count in counts.items())


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="lend_well.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    user = commands.add_parser("user", help="create a user or change its role")
    user.add_argument("--email", required=True)
    user.add_argument("--password", default="")
    user.add_argument("--role", required=True, choices=users.ROLES)
    commands.add_parser("retention", help="delete rows past their retention")
    commands.add_parser("rotate-keys", help="re-encrypt sensitive fields under the newest key")
    args = parser.parse_args(argv)
    try:
        if args.command == "user":
            print(set_user(args.email, args.password, args.role))
        elif args.command == "retention":
            print(retention())
        else:
            print(rotate_keys())
    except (users.AccountError, crypto.KeyringError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except IntegrityError as error:
        constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        print(f"error: rows still referred to block the purge ({constraint})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
