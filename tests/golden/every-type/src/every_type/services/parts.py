"""Parts: queries and changes, scoped by the caller's access."""

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
from every_type.schemas.parts import (
    PartCreate,
    PartPage,
    PartRead,
    PartUpdate,
)
from every_type.security.crypto import blind_index
from every_type.services.common import (
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

ENTITY = "Part"

SORTABLE: dict[str, Column] = {
    "created_at": column(Part.created_at, "datetime"),
    "updated_at": column(Part.updated_at, "datetime"),
    "name": column(Part.name, "text"),
    "weight": column(Part.weight, "decimal"),
    "count": column(Part.count, "integer"),
}
FILTERS: dict[str, Column] = {
    "name": column(Part.name, "text"),
    "weight": column(Part.weight, "decimal"),
    "count": column(Part.count, "integer"),
    "gadget_this_part_is_fitted_to_id": column(Part.gadget_this_part_is_fitted_to_id, "uuid"),
    "spare_for_id": column(Part.spare_for_id, "uuid"),
}
UNIQUE: dict[str, str] = {
    "uq_parts_secret_code": "secret_code",
}
NOT_NULL: dict[str, str] = {
    "name": "name",
    "secret_at": "secret_at",
    "gadget_this_part_is_fitted_to_id": "gadget_this_part_is_fitted_to_id",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Part.id,
    Part.created_at,
    Part.updated_at,
    Part.owner_id,
    Part.name,
    Part.weight,
    Part.count,
    Part.secret_text,
    Part.secret_count,
    Part.secret_amount,
    Part.secret_flag,
    Part.secret_on,
    Part.secret_at,
    Part.secret_ref,
    Part.secret_data,
    Part.secret_code,
    Part.gadget_this_part_is_fitted_to_id,
    Part.spare_for_id,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Part, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Part.id, Part.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        Part.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Part]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Part), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Part:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Part.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Part | sa.Row[Any]],
) -> list[PartRead]:
    """Rows as the API returns them."""
    return [
        PartRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "name": row.name,
                "weight": row.weight,
                "count": row.count,
                "secret_text": row.secret_text,
                "secret_count": row.secret_count,
                "secret_amount": row.secret_amount,
                "secret_flag": row.secret_flag,
                "secret_on": row.secret_on,
                "secret_at": row.secret_at,
                "secret_ref": row.secret_ref,
                "secret_data": row.secret_data,
                "secret_code": row.secret_code,
                "gadget_this_part_is_fitted_to_id": row.gadget_this_part_is_fitted_to_id,
                "spare_for_id": row.spare_for_id,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> PartPage:
    """One page of the parts the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Part.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return PartPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> PartRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> PartCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(PartCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: PartCreate,
    claim: Claim = NO_CLAIM,
) -> PartRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump()
    check_links(
        db,
        actor,
        [
            (
                "gadget_this_part_is_fitted_to_id",
                "Gadget",
                Gadget,
                [payload.gadget_this_part_is_fitted_to_id],
            ),
            ("spare_for_id", "Gadget", Gadget, [payload.spare_for_id]),
        ],
    )
    values["owner_id"] = owner_through(
        db,
        actor,
        (
            "gadget_this_part_is_fitted_to_id",
            "Gadget",
            Gadget,
            payload.gadget_this_part_is_fitted_to_id,
        ),
    )
    # The blind indexes the model's validators keep for a mapped row.
    values["secret_code_bidx"] = blind_index(
        "text",
        values.get("secret_code"),
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
    row: Part,
    body: bytes,
) -> PartUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(PartUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Part,
    payload: PartUpdate,
) -> PartRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True)
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            (
                "gadget_this_part_is_fitted_to_id",
                "Gadget",
                Gadget,
                [payload.gadget_this_part_is_fitted_to_id],
            ),
            ("spare_for_id", "Gadget", Gadget, [payload.spare_for_id]),
        ],
    )
    owner_id = row.owner_id
    # Exploded, with a trailing comma, so the formatter keeps it so for any
    # length of name; a condition too long for one line it would rewrap.
    parent_id = values.get(
        "gadget_this_part_is_fitted_to_id",
        row.gadget_this_part_is_fitted_to_id,
    )
    if parent_id != row.gadget_this_part_is_fitted_to_id:
        owner_id = owner_through(
            db,
            actor,
            ("gadget_this_part_is_fitted_to_id", "Gadget", Gadget, parent_id),
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
) -> list[PartRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = Part
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)


def delete_owned(db: Session, user_id: uuid.UUID) -> None:
    """Deletes every row a user owns through the gadget_this_part_is_fitted_to_id link (the erasure)."""
    db.execute(sa.delete(Part).where(Part.owner_id == user_id))
