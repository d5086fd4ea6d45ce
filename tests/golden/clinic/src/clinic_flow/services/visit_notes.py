"""Visit notes: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from clinic_flow import audit
from clinic_flow.db import Reader
from clinic_flow.idempotency import NO_CLAIM, Claim
from clinic_flow.models import (
    Appointment,
    VisitNote,
)
from clinic_flow.pagination import Column, ListQuery, column, paginate, read_row
from clinic_flow.permissions import Actor, scope_of
from clinic_flow.problems import (
    forbidden,
    not_found,
)
from clinic_flow.schemas.visit_notes import (
    VisitNoteCreate,
    VisitNotePage,
    VisitNoteRead,
    VisitNoteUpdate,
)
from clinic_flow.services.common import (
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

ENTITY = "VisitNote"

SORTABLE: dict[str, Column] = {
    "created_at": column(VisitNote.created_at, "datetime"),
    "updated_at": column(VisitNote.updated_at, "datetime"),
}
FILTERS: dict[str, Column] = {
    "appointment_id": column(VisitNote.appointment_id, "uuid"),
}
UNIQUE: dict[str, str] = {}
NOT_NULL: dict[str, str] = {
    "body": "body",
    "appointment_id": "appointment_id",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    VisitNote.id,
    VisitNote.created_at,
    VisitNote.updated_at,
    VisitNote.owner_id,
    VisitNote.body,
    VisitNote.diagnosis_code,
    VisitNote.appointment_id,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(VisitNote, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, VisitNote.id, VisitNote.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        VisitNote.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[VisitNote]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(VisitNote), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> VisitNote:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(VisitNote.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[VisitNote | sa.Row[Any]],
) -> list[VisitNoteRead]:
    """Rows as the API returns them."""
    return [
        VisitNoteRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "body": row.body,
                "diagnosis_code": row.diagnosis_code,
                "appointment_id": row.appointment_id,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> VisitNotePage:
    """One page of the visit notes the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=VisitNote.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return VisitNotePage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> VisitNoteRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> VisitNoteCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(VisitNoteCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: VisitNoteCreate,
    claim: Claim = NO_CLAIM,
) -> VisitNoteRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump()
    check_links(
        db,
        actor,
        [
            ("appointment_id", "Appointment", Appointment, [payload.appointment_id]),
        ],
    )
    values["owner_id"] = owner_through(
        db,
        actor,
        ("appointment_id", "Appointment", Appointment, payload.appointment_id),
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
    row: VisitNote,
    body: bytes,
) -> VisitNoteUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(VisitNoteUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: VisitNote,
    payload: VisitNoteUpdate,
) -> VisitNoteRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True)
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            ("appointment_id", "Appointment", Appointment, [payload.appointment_id]),
        ],
    )
    owner_id = row.owner_id
    # Exploded, with a trailing comma, so the formatter keeps it so for any
    # length of name; a condition too long for one line it would rewrap.
    parent_id = values.get(
        "appointment_id",
        row.appointment_id,
    )
    if parent_id != row.appointment_id:
        owner_id = owner_through(
            db,
            actor,
            ("appointment_id", "Appointment", Appointment, parent_id),
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
) -> list[VisitNoteRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = VisitNote
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)


def delete_owned(db: Session, user_id: uuid.UUID) -> None:
    """Deletes every row a user owns through the appointment_id link (the erasure)."""
    db.execute(sa.delete(VisitNote).where(VisitNote.owner_id == user_id))
