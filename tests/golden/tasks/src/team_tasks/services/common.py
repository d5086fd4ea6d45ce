"""Helpers every entity service shares: bodies, link checks and database conflicts."""

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from team_tasks import audit
from team_tasks.db import Reader
from team_tasks.models import AuthUser
from team_tasks.pagination import read_row, table_column
from team_tasks.permissions import Actor, Scope, Scopes, may_touch, scope_of
from team_tasks.problems import Problem, conflict, field_errors, forbidden, invalid
from team_tasks.schemas.types import text_errors

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATIONS = frozenset({"23503", "23001"})

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Workflow:
    """An enum field's workflow: its initial value, listed moves (and who makes each), frozen values."""

    json_name: str
    initial: str
    moves: Mapping[tuple[str, str], Scopes]
    frozen: frozenset[str]


def rule_scope(scopes: Scopes, actor: Actor) -> Scope:
    """The scope a field rule or a move gives the caller (admin roles: every row)."""
    principal = actor.principal
    if principal is None:
        return scopes.get(None, "none")
    if principal.is_admin:
        return "all"
    return scopes.get(principal.role, "none")


def hidden(
    item: ModelT,
    rules: Mapping[str, Scopes],
    actor: Actor | None,
    owner_id: uuid.UUID | None,
) -> ModelT:
    """The item without the fields the caller may not read (absent, not null).

    Without an actor (the data export of the caller's own rows) every field stays.
    """
    if actor is None:
        return item
    hide = {
        attribute
        for attribute, scopes in rules.items()
        if not may_touch(rule_scope(scopes, actor), owner_id, actor.user_id)
    }
    if not hide:
        return item
    return type(item).model_validate(item.model_dump(exclude=hide, exclude_unset=True))


def allowed_columns(
    columns: Mapping[str, Any],
    rules: Mapping[str, Scopes],
    actor: Actor,
) -> dict[str, Any]:
    """The columns the caller may filter or sort on: it reads them on every row it lists."""
    return {
        name: target
        for name, target in columns.items()
        if name not in rules or rule_scope(rules[name], actor) == "all"
    }


def raw_members(body: bytes) -> dict[str, Any]:
    """The members of a JSON object body, before validation (empty for anything else)."""
    try:
        parsed = json.loads(body or b"null")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def owns_parent(db: Session, actor: Actor, link: tuple[str, str, Any, Any]) -> bool:
    """Whether the caller owns the parent row a create's body points at (so would own
    the new row). The link is `(json name, parent entity, parent model, sent id)`.

    A parent the caller may not change is 422 here, as `owner_through` answers it, and
    before the field rules: the parent decides who owns the row, so whether a rule's
    `owner` covers the caller. An id that is no UUID or names no row is left to the
    body's validation and the create (422 there)."""
    json_name, entity, model, raw_id = link
    try:
        parent_id = uuid.UUID(str(raw_id))
    except ValueError:
        return False
    parent = db.get(model, parent_id)
    if parent is None:
        return False
    scope = scope_of(entity, "update", actor.principal)
    if not may_touch(scope, parent.owner_id, actor.user_id):
        raise invalid({json_name: "refers to a record that you may not change"})
    return bool(parent.owner_id == actor.user_id)


def check_writes(
    sent: Mapping[str, Any],
    rules: Mapping[str, Scopes],
    actor: Actor,
    *,
    mine: bool,
) -> None:
    """403 naming every field the body sends that the caller may not set."""
    errors = {
        name: "you may not set this field"
        for name, scopes in rules.items()
        if name in sent and not _within(rule_scope(scopes, actor), mine=mine)
    }
    if errors:
        raise forbidden("You may not set some of the fields sent.", errors)


def check_moves(
    sent: Mapping[str, Any],
    workflows: Mapping[str, Workflow],
    row: Any,
    actor: Actor,
    *,
    mine: bool,
) -> None:
    """403 naming every listed move the body asks for that the caller may not make."""
    errors: dict[str, str] = {}
    for attribute, flow in workflows.items():
        old = getattr(row, attribute)
        new = sent.get(flow.json_name)
        scopes = flow.moves.get((old, new)) if isinstance(new, str) else None
        if scopes is not None and not _within(rule_scope(scopes, actor), mine=mine):
            errors[flow.json_name] = f"you may not move it from {old!r} to {new!r}"
    if errors:
        raise forbidden("You may not make this move.", errors)


def check_initial(values: Mapping[str, Any], workflows: Mapping[str, Workflow]) -> None:
    """422 when a new row does not start in its workflow's initial value."""
    errors = {
        flow.json_name: f"must be {flow.initial!r} when a record is created"
        for attribute, flow in workflows.items()
        if values.get(attribute, flow.initial) != flow.initial
    }
    if errors:
        raise invalid(errors)


def check_conflicts(
    values: Mapping[str, Any],
    workflows: Mapping[str, Workflow],
    row: Any,
    payload: BaseModel,
    links: Sequence[str] = (),
) -> None:
    """409 for a move the workflow does not list, or a change to a frozen row.

    Both are judged on the row as it was before the request; sending the current value
    is not a change. Errors name fields as the API does (`values` is keyed by attribute);
    `links` names the many-to-many link lists the request changes.
    """
    fields = type(payload).model_fields
    errors: dict[str, str] = {}
    for attribute, flow in workflows.items():
        old = getattr(row, attribute)
        new = values.get(attribute, old)
        if new != old and (old, new) not in flow.moves:
            errors[flow.json_name] = f"may not move from {old!r} to {new!r}"
        if old in flow.frozen:
            for other, value in values.items():
                if other not in workflows and value != getattr(row, other):
                    name = fields[other].alias or other if other in fields else other
                    errors[name] = f"may not change while {flow.json_name} is {old!r}"
            for name in links:
                errors[name] = f"may not change while {flow.json_name} is {old!r}"
    if errors:
        raise conflict("The change does not follow the workflow.", errors)


def _within(scope: Scope, *, mine: bool) -> bool:
    return scope == "all" or (scope == "own" and mine)


def parse_body(model: type[ModelT], body: bytes) -> ModelT:
    """The request body validated against `model` (422 with a message per field).

    Text that PostgreSQL and the contract cannot hold (a NUL character, an unpaired
    surrogate) is refused here, once for every entity, naming the field.
    """
    try:
        return model.model_validate_json(body or b"null")
    except ValidationError as error:
        # A strict JSON parser refuses an unpaired surrogate without naming the
        # member that holds it; Python's parser finds it.
        raise invalid(text_errors(body) or field_errors(error)) from None


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


def owner_through(
    db: Session,
    actor: Actor,
    link: tuple[str, str, Any, uuid.UUID],
) -> uuid.UUID:
    """The owner of a row owned through `link`: the owner of the parent row it points at.

    The link is `(json name, parent entity, parent model, parent id)`. Pointing a row at a
    parent means changing the parent: 422 unless the caller may update that parent row.
    """
    json_name, entity, model, parent_id = link
    parent = db.get(model, parent_id)
    scope = scope_of(entity, "update", actor.principal)
    if parent is None or not may_touch(scope, parent.owner_id, actor.user_id):
        raise invalid({json_name: "refers to a record that you may not change"})
    owner_id: uuid.UUID = parent.owner_id
    return owner_id


def move_rows(
    db: Session,
    model: Any,
    key: str,
    parent_ids: list[uuid.UUID],
    owner_id: uuid.UUID,
) -> list[uuid.UUID]:
    """Gives the rows of `model` whose `key` is one of `parent_ids` a new owner; returns their ids."""
    if not parent_ids:
        return []
    statement = (
        sa.update(model)
        .where(getattr(model, key).in_(parent_ids))
        .values(owner_id=owner_id)
        .returning(model.id)
        .execution_options(synchronize_session="fetch")
    )
    return list(db.scalars(statement).all())


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


def link_change(
    name: str,
    db: Session,
    table: sa.Table,
    source_id: uuid.UUID,
    sent: Iterable[uuid.UUID] | None,
) -> list[str]:
    """`[name]` when a request sends a link list that differs from the row's links, else `[]`."""
    if sent is None or sorted(set(sent)) == links_of(db, table, [source_id])[source_id]:
        return []
    return [name]


def links_of(
    db: Reader,
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
    owner_column: InstrumentedAttribute[uuid.UUID] | sa.ColumnElement[uuid.UUID] | None,
    user_id: uuid.UUID | sa.BindParameter[Any] | None,
) -> sa.Select[Any]:
    """Restricts a query to the rows a scope covers: all, the caller's own, or none."""
    if scope == "none":
        return statement.where(sa.false())
    if scope == "own" and owner_column is not None:
        return statement.where(owner_column == user_id)
    return statement


def by_id(
    columns: Sequence[InstrumentedAttribute[Any]],
    id_column: InstrumentedAttribute[uuid.UUID],
    owner_column: InstrumentedAttribute[uuid.UUID] | None,
) -> dict[str, sa.Select[Any]]:
    """The read of one row by id, for each read scope: Core statements built once.

    Each is run with `item_id` and the caller's `user_id`, so a read builds
    and compiles nothing of its own.
    """
    statement = sa.select(*read_row(columns)).where(
        table_column(id_column) == sa.bindparam("item_id")
    )
    owner = None if owner_column is None else table_column(owner_column)
    return {
        scope: scoped(statement, scope, owner, sa.bindparam("user_id"))
        for scope in ("all", "own", "none")
    }


def flush(db: Session, unique: Mapping[str, str]) -> None:
    """Sends pending changes, turning constraint violations into 409 or 422."""
    try:
        db.flush()
    except IntegrityError as error:
        db.rollback()
        raise _conflict(error, unique, deleting=False) from None


class RecordedInsert:
    """Adds rows of one model, each with its audit event, in one statement.

    `WITH written AS (INSERT … RETURNING …), audit AS (INSERT INTO audit_events …)
    SELECT … FROM written`: the row and its event are written or refused
    together, and the row comes back with the server's defaults (`created_at`,
    `updated_at`) as the read columns select it. The statement is built once
    for each set of attributes a create sets (`row_<attribute>` parameters,
    and `audit.EVENT`'s), so a create builds and compiles nothing: it runs the
    same statement with its own values.
    """

    def __init__(
        self,
        model: Any,
        columns: Sequence[InstrumentedAttribute[Any]],
        unique: Mapping[str, str],
    ) -> None:
        self._model = model
        self._columns = columns
        self._unique = unique
        self._statements: dict[tuple[str, ...], sa.Select[Any]] = {}

    def _statement(self, attributes: tuple[str, ...]) -> sa.Select[Any]:
        statement = self._statements.get(attributes)
        if statement is None:
            mapped = self._model.__mapper__.columns
            written = (
                sa.insert(self._model.__table__)
                .values(
                    {
                        mapped[name]: sa.bindparam(f"row_{name}", type_=mapped[name].type)
                        for name in attributes
                    }
                )
                .returning(*read_row(self._columns))
                .cte("written")
            )
            statement = sa.select(written).add_cte(audit.EVENT.cte("audit"))
            self._statements[attributes] = statement
        return statement

    def add(
        self,
        db: Session,
        values: Mapping[str, Any],
        event: Mapping[str, Any],
        *,
        alone: bool,
    ) -> sa.Row[Any]:
        """Adds the row `values` (by attribute) and `event` (`audit.event`); 409 or 422 as `flush`.

        `alone`: the create writes nothing after this statement. Then, unless
        its session is in a transaction already (it read something, or
        claimed an `Idempotency-Key`) or bound to an outer one (tests), the
        statement runs on its own in autocommit: one round trip, no BEGIN or
        COMMIT.
        """
        parameters = {f"row_{name}": value for name, value in values.items()}
        parameters.update(event)
        statement = self._statement(tuple(values))
        try:
            if alone and not db.in_transaction() and isinstance(db.get_bind(), sa.Engine):
                connection = db.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            else:
                connection = db.connection()
            return connection.execute(statement, parameters).one()
        except IntegrityError as error:
            db.rollback()
            raise _conflict(error, self._unique, deleting=False) from None


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
