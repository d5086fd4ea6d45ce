"""Labels: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from team_tasks import audit
from team_tasks.db import Reader
from team_tasks.idempotency import NO_CLAIM, Claim
from team_tasks.models import (
    Label,
)
from team_tasks.pagination import Column, ListQuery, column, paginate, read_row
from team_tasks.permissions import Actor, scope_of
from team_tasks.problems import (
    not_found,
)
from team_tasks.schemas.labels import (
    LabelCreate,
    LabelPage,
    LabelRead,
    LabelUpdate,
)
from team_tasks.services.common import (
    RecordedInsert,
    by_id,
    changed_fields,
    commit,
    flush,
    parse_body,
    reject_nulls,
    scoped,
)

ENTITY = "Label"

SORTABLE: dict[str, Column] = {
    "created_at": column(Label.created_at, "datetime"),
    "updated_at": column(Label.updated_at, "datetime"),
    "name": column(Label.name, "text"),
    "color": column(Label.color, "text"),
}
FILTERS: dict[str, Column] = {
    "name": column(Label.name, "text"),
    "color": column(Label.color, "text"),
}
UNIQUE: dict[str, str] = {
    "uq_labels_name": "name",
}
NOT_NULL: dict[str, str] = {
    "name": "name",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Label.id,
    Label.created_at,
    Label.updated_at,
    Label.name,
    Label.color,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Label, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Label.id, None)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        None,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Label]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Label), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Label:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Label.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Label | sa.Row[Any]],
) -> list[LabelRead]:
    """Rows as the API returns them."""
    return [
        LabelRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "name": row.name,
                "color": row.color,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> LabelPage:
    """One page of the labels the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Label.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return LabelPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> LabelRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> LabelCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(LabelCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: LabelCreate,
    claim: Claim = NO_CLAIM,
) -> LabelRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump()
    values["id"] = uuid.uuid4()
    event = audit.event("create", actor, ENTITY, values["id"], changed_fields(payload))
    row = INSERT.add(db, values, event, alone=True)
    item = _read_all(db, [row])[0]
    # The answer a retry replays, stored in the same commit as the row.
    claim.remember(item)
    commit(db, UNIQUE)
    return item


def update_payload(
    actor: Actor,
    row: Label,
    body: bytes,
) -> LabelUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(LabelUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Label,
    payload: LabelUpdate,
) -> LabelRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True)
    reject_nulls(values, NOT_NULL)
    for attribute, value in values.items():
        setattr(row, attribute, value)
    flush(db, UNIQUE)
    audit.record(db, "update", actor, ENTITY, row.id, changed_fields(payload))
    commit(db, UNIQUE)
    return _read_all(db, [row])[0]


def delete(db: Session, actor: Actor, item_id: uuid.UUID) -> None:
    """Deletes a row (409 while rows of another entity still refer to it)."""
    row = changeable(db, actor, item_id)
    db.delete(row)
    audit.record(db, "delete", actor, ENTITY, row.id)
    commit(db, UNIQUE, deleting=True)
