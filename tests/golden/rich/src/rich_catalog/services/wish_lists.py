"""Wish lists: queries and changes, scoped by the caller's access."""

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
    WishList,
    wish_list_products,
)
from rich_catalog.pagination import Column, ListQuery, column, paginate, read_row
from rich_catalog.permissions import Actor, Scopes, scope_of
from rich_catalog.problems import (
    forbidden,
    not_found,
)
from rich_catalog.schemas.wish_lists import (
    WishListCreate,
    WishListPage,
    WishListRead,
    WishListUpdate,
)
from rich_catalog.security.crypto import blind_index
from rich_catalog.services.common import (
    RecordedInsert,
    by_id,
    changed_fields,
    check_links,
    check_owner,
    check_writes,
    commit,
    flush,
    links_of,
    parse_body,
    raw_members,
    reject_nulls,
    replace_links,
    scoped,
)

ENTITY = "WishList"

SORTABLE: dict[str, Column] = {
    "created_at": column(WishList.created_at, "datetime"),
    "updated_at": column(WishList.updated_at, "datetime"),
    "label": column(WishList.label, "text"),
    "notes": column(WishList.notes, "text"),
}
FILTERS: dict[str, Column] = {
    "label": column(WishList.label, "text"),
    "notes": column(WishList.notes, "text"),
}
UNIQUE: dict[str, str] = {
    "uq_wish_lists_gift_email": "gift_email",
}
NOT_NULL: dict[str, str] = {
    "label": "label",
}
WRITE_RULES: dict[str, Scopes] = {
    "label": {
        None: "none",
        "customer": "own",
        "editor": "own",
        "auditor": "own",
        "admin": "all",
    },
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    WishList.id,
    WishList.created_at,
    WishList.updated_at,
    WishList.owner_id,
    WishList.label,
    WishList.notes,
    WishList.gift_email,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(WishList, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, WishList.id, WishList.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        WishList.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[WishList]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(WishList), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> WishList:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(WishList.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[WishList | sa.Row[Any]],
) -> list[WishListRead]:
    """Rows as the API returns them."""
    product_ids = links_of(db, wish_list_products, [row.id for row in rows])
    return [
        WishListRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "label": row.label,
                "notes": row.notes,
                "gift_email": row.gift_email,
                "product_ids": product_ids[row.id],
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> WishListPage:
    """One page of the wish lists the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=WishList.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return WishListPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> WishListRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> WishListCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    check_writes(raw_members(body), WRITE_RULES, actor, mine=True)
    return parse_body(WishListCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: WishListCreate,
    claim: Claim = NO_CLAIM,
) -> WishListRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump(exclude={"owner_id", "product_ids"})
    values["owner_id"] = check_owner(db, actor, payload.owner_id)
    check_links(
        db,
        actor,
        [
            ("product_ids", "Product", Product, payload.product_ids),
        ],
    )
    # The blind indexes the model's validators keep for a mapped row.
    values["gift_email_bidx"] = blind_index(
        "text",
        values.get("gift_email"),
    )
    values["id"] = uuid.uuid4()
    event = audit.event("create", actor, ENTITY, values["id"], changed_fields(payload))
    row = INSERT.add(db, values, event, alone=False)
    replace_links(db, wish_list_products, row.id, payload.product_ids)
    item = _read_all(db, [row])[0]
    # The answer a retry replays, stored in the same commit as the row.
    claim.remember(item)
    commit(db, UNIQUE)
    return item


def update_payload(
    actor: Actor,
    row: WishList,
    body: bytes,
) -> WishListUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    sent = raw_members(body)
    mine = row.owner_id == actor.user_id
    check_writes(sent, WRITE_RULES, actor, mine=mine)
    return parse_body(WishListUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: WishList,
    payload: WishListUpdate,
) -> WishListRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True, exclude={"product_ids"})
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            ("product_ids", "Product", Product, payload.product_ids or []),
        ],
    )
    for attribute, value in values.items():
        setattr(row, attribute, value)
    flush(db, UNIQUE)
    if payload.product_ids is not None:
        replace_links(db, wish_list_products, row.id, payload.product_ids)
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
) -> list[WishListRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = WishList
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)
