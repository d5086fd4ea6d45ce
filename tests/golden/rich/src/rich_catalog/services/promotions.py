"""Promotions: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from rich_catalog import audit
from rich_catalog.db import Reader
from rich_catalog.idempotency import NO_CLAIM, Claim
from rich_catalog.models import (
    Product,
    Promotion,
)
from rich_catalog.pagination import Column, ListQuery, column, paginate, read_row
from rich_catalog.permissions import Actor, scope_of
from rich_catalog.problems import (
    forbidden,
    not_found,
)
from rich_catalog.schemas.promotions import (
    PromotionCreate,
    PromotionPage,
    PromotionRead,
    PromotionUpdate,
)
from rich_catalog.services.common import (
    RecordedInsert,
    by_id,
    changed_fields,
    check_links,
    commit,
    flush,
    owner_through,
    parse_body,
    reject_nulls,
    scoped,
)

ENTITY = "Promotion"

SORTABLE: dict[str, Column] = {
    "created_at": column(Promotion.created_at, "datetime"),
    "updated_at": column(Promotion.updated_at, "datetime"),
    "headline": column(Promotion.headline, "text"),
}
FILTERS: dict[str, Column] = {
    "headline": column(Promotion.headline, "text"),
    "product_id": column(Promotion.product_id, "uuid"),
}
UNIQUE: dict[str, str] = {}
NOT_NULL: dict[str, str] = {
    "headline": "headline",
    "product_id": "product_id",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Promotion.id,
    Promotion.created_at,
    Promotion.updated_at,
    Promotion.owner_id,
    Promotion.headline,
    Promotion.product_id,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Promotion, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Promotion.id, Promotion.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        Promotion.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Promotion]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Promotion), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Promotion:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Promotion.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Promotion | sa.Row[Any]],
) -> list[PromotionRead]:
    """Rows as the API returns them."""
    return [
        PromotionRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "headline": row.headline,
                "product_id": row.product_id,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> PromotionPage:
    """One page of the promotions the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Promotion.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return PromotionPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> PromotionRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> PromotionCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(PromotionCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: PromotionCreate,
    claim: Claim = NO_CLAIM,
) -> PromotionRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump()
    check_links(
        db,
        actor,
        [
            ("product_id", "Product", Product, [payload.product_id]),
        ],
    )
    values["owner_id"] = owner_through(
        db,
        actor,
        ("product_id", "Product", Product, payload.product_id),
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
    row: Promotion,
    body: bytes,
) -> PromotionUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(PromotionUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Promotion,
    payload: PromotionUpdate,
) -> PromotionRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True)
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            ("product_id", "Product", Product, [payload.product_id]),
        ],
    )
    owner_id = row.owner_id
    # Exploded, with a trailing comma, so the formatter keeps it so for any
    # length of name; a condition too long for one line it would rewrap.
    parent_id = values.get(
        "product_id",
        row.product_id,
    )
    if parent_id != row.product_id:
        owner_id = owner_through(
            db,
            actor,
            ("product_id", "Product", Product, parent_id),
        )
    for attribute, value in values.items():
        setattr(row, attribute, value)
    if owner_id != row.owner_id:
        row.owner_id = owner_id
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


def owned_by(
    db: Session,
    user_id: uuid.UUID,
) -> list[PromotionRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = Promotion
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)


def delete_owned(db: Session, user_id: uuid.UUID) -> None:
    """Deletes every row a user owns through the product_id link (the erasure)."""
    db.execute(sa.delete(Promotion).where(Promotion.owner_id == user_id))
