"""Products: queries and changes, scoped by the caller's access."""

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
    Product,
    Promotion,
    product_related,
)
from rich_catalog.pagination import Column, ListQuery, column, paginate, read_row
from rich_catalog.permissions import Actor, scope_of
from rich_catalog.problems import (
    forbidden,
    not_found,
)
from rich_catalog.schemas.products import (
    ProductCreate,
    ProductPage,
    ProductRead,
    ProductUpdate,
)
from rich_catalog.services.common import (
    RecordedInsert,
    by_id,
    changed_fields,
    check_links,
    check_owner,
    commit,
    flush,
    links_of,
    move_rows,
    parse_body,
    reject_nulls,
    replace_links,
    scoped,
)

ENTITY = "Product"

SORTABLE: dict[str, Column] = {
    "created_at": column(Product.created_at, "datetime"),
    "updated_at": column(Product.updated_at, "datetime"),
    "title": column(Product.title, "text"),
    "class": column(Product.class_, "text"),
    "sku": column(Product.sku, "text"),
    "price": column(Product.price, "decimal"),
    "stock": column(Product.stock, "integer"),
    "homepage": column(Product.homepage, "text"),
    "support_phone": column(Product.support_phone, "text"),
    "released_at": column(Product.released_at, "datetime"),
    "available": column(Product.available, "boolean"),
    "external_ref": column(Product.external_ref, "uuid"),
}
FILTERS: dict[str, Column] = {
    "title": column(Product.title, "text"),
    "class": column(Product.class_, "text"),
    "sku": column(Product.sku, "text"),
    "price": column(Product.price, "decimal"),
    "stock": column(Product.stock, "integer"),
    "homepage": column(Product.homepage, "text"),
    "support_phone": column(Product.support_phone, "text"),
    "released_at": column(Product.released_at, "datetime"),
    "available": column(Product.available, "boolean"),
    "external_ref": column(Product.external_ref, "uuid"),
    "category_id": column(Product.category_id, "uuid"),
}
UNIQUE: dict[str, str] = {
    "uq_products_sku": "sku",
}
NOT_NULL: dict[str, str] = {
    "title": "title",
    "sku": "sku",
    "price": "price",
    "available": "available",
    "category_id": "category_id",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Product.id,
    Product.created_at,
    Product.updated_at,
    Product.owner_id,
    Product.title,
    Product.class_,
    Product.sku,
    Product.price,
    Product.stock,
    Product.homepage,
    Product.support_phone,
    Product.released_at,
    Product.available,
    Product.external_ref,
    Product.attributes,
    Product.category_id,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Product, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Product.id, Product.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        Product.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Product]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Product), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Product:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Product.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Product | sa.Row[Any]],
) -> list[ProductRead]:
    """Rows as the API returns them."""
    related_ids = links_of(db, product_related, [row.id for row in rows])
    return [
        ProductRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "title": row.title,
                "class_": row.class_,
                "sku": row.sku,
                "price": row.price,
                "stock": row.stock,
                "homepage": row.homepage,
                "support_phone": row.support_phone,
                "released_at": row.released_at,
                "available": row.available,
                "external_ref": row.external_ref,
                "attributes": row.attributes,
                "category_id": row.category_id,
                "related_ids": related_ids[row.id],
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> ProductPage:
    """One page of the products the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Product.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return ProductPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> ProductRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> ProductCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(ProductCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: ProductCreate,
    claim: Claim = NO_CLAIM,
) -> ProductRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump(exclude={"owner_id", "related_ids"})
    values["owner_id"] = check_owner(db, actor, payload.owner_id)
    check_links(
        db,
        actor,
        [
            ("category_id", "Category", Category, [payload.category_id]),
            ("related_ids", "Product", Product, payload.related_ids),
        ],
    )
    values["id"] = uuid.uuid4()
    event = audit.event("create", actor, ENTITY, values["id"], changed_fields(payload))
    row = INSERT.add(db, values, event, alone=False)
    replace_links(db, product_related, row.id, payload.related_ids)
    item = _read_all(db, [row])[0]
    # The answer a retry replays, stored in the same commit as the row.
    claim.remember(item)
    commit(db, UNIQUE)
    return item


def update_payload(
    actor: Actor,
    row: Product,
    body: bytes,
) -> ProductUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(ProductUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Product,
    payload: ProductUpdate,
) -> ProductRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True, exclude={"related_ids"})
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            ("category_id", "Category", Category, [payload.category_id]),
            ("related_ids", "Product", Product, payload.related_ids or []),
        ],
    )
    for attribute, value in values.items():
        setattr(row, attribute, value)
    flush(db, UNIQUE)
    if payload.related_ids is not None:
        replace_links(db, product_related, row.id, payload.related_ids)
    audit.record(db, "update", actor, ENTITY, row.id, changed_fields(payload))
    commit(db, UNIQUE)
    return _read_all(db, [row])[0]


def _move_descendants(db: Session, ids: list[uuid.UUID], owner_id: uuid.UUID) -> None:
    """Gives the rows owned through these rows, to any depth, their new owner."""
    move_rows(db, Promotion, "product_id", ids, owner_id)


def delete(db: Session, actor: Actor, item_id: uuid.UUID) -> None:
    """Deletes a row (409 while rows of another entity still refer to it)."""
    row = changeable(db, actor, item_id)
    db.delete(row)
    audit.record(db, "delete", actor, ENTITY, row.id)
    commit(db, UNIQUE, deleting=True)


def owned_by(
    db: Session,
    user_id: uuid.UUID,
) -> list[ProductRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = Product
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)
