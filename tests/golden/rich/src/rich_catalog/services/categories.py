"""Categories: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from rich_catalog import audit
from rich_catalog.db import Reader
from rich_catalog.idempotency import NO_CLAIM, Claim
from rich_catalog.models import (
    Category,
)
from rich_catalog.pagination import Column, ListQuery, column, paginate, read_row
from rich_catalog.permissions import Actor, scope_of
from rich_catalog.problems import (
    not_found,
)
from rich_catalog.schemas.categories import (
    CategoryCreate,
    CategoryPage,
    CategoryRead,
    CategoryUpdate,
)
from rich_catalog.services.common import (
    RecordedInsert,
    by_id,
    changed_fields,
    check_links,
    commit,
    flush,
    parse_body,
    reject_nulls,
    scoped,
)

ENTITY = "Category"

SORTABLE: dict[str, Column] = {
    "created_at": column(Category.created_at, "datetime"),
    "updated_at": column(Category.updated_at, "datetime"),
    "name": column(Category.name, "text"),
    "order": column(Category.order, "integer"),
    "type": column(Category.type_, "text"),
}
FILTERS: dict[str, Column] = {
    "name": column(Category.name, "text"),
    "order": column(Category.order, "integer"),
    "type": column(Category.type_, "text"),
    "parent_id": column(Category.parent_id, "uuid"),
}
UNIQUE: dict[str, str] = {
    "uq_categories_name": "name",
}
NOT_NULL: dict[str, str] = {
    "name": "name",
    "order": "order",
    "type_": "type",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Category.id,
    Category.created_at,
    Category.updated_at,
    Category.name,
    Category.order,
    Category.type_,
    Category.parent_id,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Category, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Category.id, None)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        None,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Category]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Category), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Category:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Category.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Category | sa.Row[Any]],
) -> list[CategoryRead]:
    """Rows as the API returns them."""
    return [
        CategoryRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "name": row.name,
                "order": row.order,
                "type_": row.type_,
                "parent_id": row.parent_id,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> CategoryPage:
    """One page of the categories the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Category.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return CategoryPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> CategoryRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> CategoryCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(CategoryCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: CategoryCreate,
    claim: Claim = NO_CLAIM,
) -> CategoryRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump()
    check_links(
        db,
        actor,
        [
            ("parent_id", "Category", Category, [payload.parent_id]),
        ],
    )
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
    row: Category,
    body: bytes,
) -> CategoryUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(CategoryUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Category,
    payload: CategoryUpdate,
) -> CategoryRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True)
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            ("parent_id", "Category", Category, [payload.parent_id]),
        ],
    )
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
