"""Gadgets: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from every_type import audit
from every_type.db import Reader
from every_type.idempotency import NO_CLAIM, Claim
from every_type.models import (
    Gadget,
    Part,
)
from every_type.pagination import Column, ListQuery, column, paginate, read_row
from every_type.permissions import Actor, scope_of
from every_type.problems import (
    forbidden,
    not_found,
)
from every_type.schemas.gadgets import (
    GadgetCreate,
    GadgetPage,
    GadgetRead,
    GadgetUpdate,
)
from every_type.services.common import (
    RecordedInsert,
    by_id,
    changed_fields,
    check_owner,
    commit,
    flush,
    move_rows,
    parse_body,
    reject_nulls,
    scoped,
)

ENTITY = "Gadget"

SORTABLE: dict[str, Column] = {
    "created_at": column(Gadget.created_at, "datetime"),
    "updated_at": column(Gadget.updated_at, "datetime"),
    "opt_string": column(Gadget.opt_string, "text"),
    "req_string": column(Gadget.req_string, "text"),
    "opt_text": column(Gadget.opt_text, "text"),
    "req_text": column(Gadget.req_text, "text"),
    "opt_integer": column(Gadget.opt_integer, "integer"),
    "req_integer": column(Gadget.req_integer, "integer"),
    "opt_bigint": column(Gadget.opt_bigint, "integer"),
    "req_bigint": column(Gadget.req_bigint, "integer"),
    "opt_decimal": column(Gadget.opt_decimal, "decimal"),
    "req_decimal": column(Gadget.req_decimal, "decimal"),
    "opt_boolean": column(Gadget.opt_boolean, "boolean"),
    "req_boolean": column(Gadget.req_boolean, "boolean"),
    "opt_date": column(Gadget.opt_date, "date"),
    "req_date": column(Gadget.req_date, "date"),
    "opt_datetime": column(Gadget.opt_datetime, "datetime"),
    "req_datetime": column(Gadget.req_datetime, "datetime"),
    "opt_uuid": column(Gadget.opt_uuid, "uuid"),
    "req_uuid": column(Gadget.req_uuid, "uuid"),
    "opt_email": column(Gadget.opt_email, "text"),
    "req_email": column(Gadget.req_email, "text"),
    "opt_url": column(Gadget.opt_url, "text"),
    "req_url": column(Gadget.req_url, "text"),
    "opt_phone": column(Gadget.opt_phone, "text"),
    "req_phone": column(Gadget.req_phone, "text"),
    "kind": column(Gadget.kind, "text"),
    "code": column(Gadget.code, "text"),
    "mark": column(Gadget.mark, "text"),
}
FILTERS: dict[str, Column] = {
    "opt_string": column(Gadget.opt_string, "text"),
    "req_string": column(Gadget.req_string, "text"),
    "opt_text": column(Gadget.opt_text, "text"),
    "req_text": column(Gadget.req_text, "text"),
    "opt_integer": column(Gadget.opt_integer, "integer"),
    "req_integer": column(Gadget.req_integer, "integer"),
    "opt_bigint": column(Gadget.opt_bigint, "integer"),
    "req_bigint": column(Gadget.req_bigint, "integer"),
    "opt_decimal": column(Gadget.opt_decimal, "decimal"),
    "req_decimal": column(Gadget.req_decimal, "decimal"),
    "opt_boolean": column(Gadget.opt_boolean, "boolean"),
    "req_boolean": column(Gadget.req_boolean, "boolean"),
    "opt_date": column(Gadget.opt_date, "date"),
    "req_date": column(Gadget.req_date, "date"),
    "opt_datetime": column(Gadget.opt_datetime, "datetime"),
    "req_datetime": column(Gadget.req_datetime, "datetime"),
    "opt_uuid": column(Gadget.opt_uuid, "uuid"),
    "req_uuid": column(Gadget.req_uuid, "uuid"),
    "opt_email": column(Gadget.opt_email, "text"),
    "req_email": column(Gadget.req_email, "text"),
    "opt_url": column(Gadget.opt_url, "text"),
    "req_url": column(Gadget.req_url, "text"),
    "opt_phone": column(Gadget.opt_phone, "text"),
    "req_phone": column(Gadget.req_phone, "text"),
    "kind": column(Gadget.kind, "text"),
    "code": column(Gadget.code, "text"),
    "mark": column(Gadget.mark, "text"),
}
UNIQUE: dict[str, str] = {}
NOT_NULL: dict[str, str] = {
    "req_string": "req_string",
    "req_text": "req_text",
    "req_integer": "req_integer",
    "req_bigint": "req_bigint",
    "req_decimal": "req_decimal",
    "req_boolean": "req_boolean",
    "req_date": "req_date",
    "req_datetime": "req_datetime",
    "req_uuid": "req_uuid",
    "req_email": "req_email",
    "req_url": "req_url",
    "req_phone": "req_phone",
    "kind": "kind",
    "mark": "mark",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Gadget.id,
    Gadget.created_at,
    Gadget.updated_at,
    Gadget.owner_id,
    Gadget.opt_string,
    Gadget.req_string,
    Gadget.opt_text,
    Gadget.req_text,
    Gadget.opt_integer,
    Gadget.req_integer,
    Gadget.opt_bigint,
    Gadget.req_bigint,
    Gadget.opt_decimal,
    Gadget.req_decimal,
    Gadget.opt_boolean,
    Gadget.req_boolean,
    Gadget.opt_date,
    Gadget.req_date,
    Gadget.opt_datetime,
    Gadget.req_datetime,
    Gadget.opt_uuid,
    Gadget.req_uuid,
    Gadget.opt_email,
    Gadget.req_email,
    Gadget.opt_url,
    Gadget.req_url,
    Gadget.opt_phone,
    Gadget.req_phone,
    Gadget.opt_json,
    Gadget.req_json,
    Gadget.kind,
    Gadget.code,
    Gadget.mark,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Gadget, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Gadget.id, Gadget.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        Gadget.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Gadget]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Gadget), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Gadget:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Gadget.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Gadget | sa.Row[Any]],
) -> list[GadgetRead]:
    """Rows as the API returns them."""
    return [
        GadgetRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "opt_string": row.opt_string,
                "req_string": row.req_string,
                "opt_text": row.opt_text,
                "req_text": row.req_text,
                "opt_integer": row.opt_integer,
                "req_integer": row.req_integer,
                "opt_bigint": row.opt_bigint,
                "req_bigint": row.req_bigint,
                "opt_decimal": row.opt_decimal,
                "req_decimal": row.req_decimal,
                "opt_boolean": row.opt_boolean,
                "req_boolean": row.req_boolean,
                "opt_date": row.opt_date,
                "req_date": row.req_date,
                "opt_datetime": row.opt_datetime,
                "req_datetime": row.req_datetime,
                "opt_uuid": row.opt_uuid,
                "req_uuid": row.req_uuid,
                "opt_email": row.opt_email,
                "req_email": row.req_email,
                "opt_url": row.opt_url,
                "req_url": row.req_url,
                "opt_phone": row.opt_phone,
                "req_phone": row.req_phone,
                "opt_json": row.opt_json,
                "req_json": row.req_json,
                "kind": row.kind,
                "code": row.code,
                "mark": row.mark,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> GadgetPage:
    """One page of the gadgets the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Gadget.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return GadgetPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> GadgetRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> GadgetCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(GadgetCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: GadgetCreate,
    claim: Claim = NO_CLAIM,
) -> GadgetRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump(exclude={"owner_id"})
    values["owner_id"] = check_owner(db, actor, payload.owner_id)
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
    row: Gadget,
    body: bytes,
) -> GadgetUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(GadgetUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Gadget,
    payload: GadgetUpdate,
) -> GadgetRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True)
    reject_nulls(values, NOT_NULL)
    for attribute, value in values.items():
        setattr(row, attribute, value)
    flush(db, UNIQUE)
    audit.record(db, "update", actor, ENTITY, row.id, changed_fields(payload))
    commit(db, UNIQUE)
    return _read_all(db, [row])[0]


def _move_descendants(db: Session, ids: list[uuid.UUID], owner_id: uuid.UUID) -> None:
    """Gives the rows owned through these rows, to any depth, their new owner."""
    move_rows(db, Part, "gadget_this_part_is_fitted_to_id", ids, owner_id)


def delete(db: Session, actor: Actor, item_id: uuid.UUID) -> None:
    """Deletes a row (409 while rows of another entity still refer to it)."""
    row = changeable(db, actor, item_id)
    db.delete(row)
    audit.record(db, "delete", actor, ENTITY, row.id)
    commit(db, UNIQUE, deleting=True)


def owned_by(
    db: Session,
    user_id: uuid.UUID,
) -> list[GadgetRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = Gadget
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)
