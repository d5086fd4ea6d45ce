"""Helpers every entity service shares: bodies, link checks and database conflicts."""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from rich_catalog.models import AuthUser
from rich_catalog.permissions import Actor, scope_of
from rich_catalog.problems import Problem, conflict, field_errors, invalid

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATIONS = frozenset({"23503", "23001"})

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_body(model: type[ModelT], body: bytes) -> ModelT:
    """The request body validated against `model` (422 with a message per field)."""
    try:
        return model.model_validate_json(body or b"null")
    except ValidationError as error:
        raise invalid(field_errors(error)) from None


def changed_fields(payload: BaseModel) -> list[str]:
    """The JSON names of the fields a request body sent: what the audit log records, never values."""
    fields = type(payload).model_fields
    return sorted(fields[name].alias or name for name in payload.model_fields_set)


def reject_nulls(values: Mapping[str, Any], not_null: Mapping[str, str]) -> None:
    """422 when a change sets a value that must be present to null."""
    errors = {
        json_name: "may not be null"
        for attribute, json_name in not_null.items()
        if attribute in values and values[attribute] is None
    }
    if errors:
        raise invalid(errors)


def check_links(
    db: Session,
    actor: Actor,
    links: Iterable[tuple[str, str, Any, Iterable[uuid.UUID | None]]],
) -> None:
    """422 for every linked id that does not exist or that the caller may not read.

    Each link is `(json name, target entity, target model, ids)`.
    """
    errors: dict[str, str] = {}
    for json_name, entity, model, raw_ids in links:
        ids = {i for i in raw_ids if i is not None}
        if not ids:
            continue
        scope = scope_of(entity, "read", actor.principal)
        statement = sa.select(model.id).where(model.id.in_(ids))
        if scope == "own":
            statement = statement.where(model.owner_id == actor.user_id)
        found = set(db.scalars(statement).all()) if scope != "none" else set()
        if ids - found:
            errors[json_name] = "refers to a record that does not exist or that you may not read"
    if errors:
        raise invalid(errors)


def check_owner(db: Session, actor: Actor, owner_id: uuid.UUID | None) -> uuid.UUID:
    """The owner of a new row: the caller, or the user an admin names."""
    if owner_id is None:
        if actor.user_id is None:
            raise invalid({"owner_id": "is required when creating without a session"})
        return actor.user_id
    if not actor.is_admin:
        raise invalid({"owner_id": "is read-only"})
    if db.get(AuthUser, owner_id) is None:
        raise invalid({"owner_id": "refers to a user that does not exist"})
    return owner_id


def replace_links(
    db: Session,
    table: sa.Table,
    source_id: uuid.UUID,
    target_ids: Iterable[uuid.UUID],
) -> list[uuid.UUID]:
    """Makes a row's many-to-many links exactly `target_ids`; returns them sorted."""
    wanted = sorted(set(target_ids))
    db.execute(sa.delete(table).where(table.c.source_id == source_id))
    if wanted:
        db.execute(
            sa.insert(table),
            [{"source_id": source_id, "target_id": target} for target in wanted],
        )
    return wanted


def links_of(
    db: Session,
    table: sa.Table,
    source_ids: Iterable[uuid.UUID],
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The many-to-many links of some rows, each list sorted."""
    ids = list(source_ids)
    found: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.execute(
        sa.select(table.c.source_id, table.c.target_id)
        .where(table.c.source_id.in_(ids))
        .order_by(table.c.source_id, table.c.target_id)
    ).all()
    for source_id, target_id in rows:
        found[source_id].append(target_id)
    return found


def scoped(
    statement: sa.Select[Any],
    scope: str,
    owner_column: InstrumentedAttribute[uuid.UUID] | None,
    user_id: uuid.UUID | None,
) -> sa.Select[Any]:
    """Restricts a query to the rows a scope covers: all, the caller's own, or none."""
    if scope == "none":
        return statement.where(sa.false())
    if scope == "own" and owner_column is not None:
        return statement.where(owner_column == user_id)
    return statement


def flush(db: Session, unique: Mapping[str, str]) -> None:
    """Sends pending changes, turning constraint violations into 409 or 422."""
    try:
        db.flush()
    except IntegrityError as error:
        db.rollback()
        raise _conflict(error, unique, deleting=False) from None


def commit(db: Session, unique: Mapping[str, str], *, deleting: bool = False) -> None:
    """Commits, turning constraint violations into 409 (or 422 for a vanished link)."""
    try:
        db.commit()
    except IntegrityError as error:
        db.rollback()
        raise _conflict(error, unique, deleting=deleting) from None


def _conflict(error: IntegrityError, unique: Mapping[str, str], *, deleting: bool) -> Problem:
    sqlstate = getattr(error.orig, "sqlstate", None)
    diag = getattr(error.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    if sqlstate == UNIQUE_VIOLATION:
        field = unique.get(constraint, "body")
        return conflict("A record with this value already exists.", {field: "is already taken"})
    if sqlstate in FOREIGN_KEY_VIOLATIONS:
        if deleting:
            return conflict("Other records still refer to this one.")
        return invalid({"body": "refers to a record that no longer exists"})
    return conflict("The change conflicts with stored data.")
