"""Clinicians: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from clinic_flow import audit
from clinic_flow.db import Reader
from clinic_flow.idempotency import NO_CLAIM, Claim
from clinic_flow.models import (
    Clinician,
)
from clinic_flow.pagination import Column, ListQuery, column, paginate, read_row
from clinic_flow.permissions import Actor, scope_of
from clinic_flow.problems import (
    not_found,
)
from clinic_flow.schemas.clinicians import (
    ClinicianCreate,
    ClinicianPage,
    ClinicianRead,
    ClinicianUpdate,
)
from clinic_flow.services.common import (
    RecordedInsert,
    by_id,
    changed_fields,
    commit,
    flush,
    parse_body,
    reject_nulls,
    scoped,
)

ENTITY = "Clinician"

SORTABLE: dict[str, Column] = {
    "created_at": column(Clinician.created_at, "datetime"),
    "updated_at": column(Clinician.updated_at, "datetime"),
    "display_name": column(Clinician.display_name, "text"),
    "specialty": column(Clinician.specialty, "text"),
    "accepting_patients": column(Clinician.accepting_patients, "boolean"),
}
FILTERS: dict[str, Column] = {
    "display_name": column(Clinician.display_name, "text"),
    "specialty": column(Clinician.specialty, "text"),
    "accepting_patients": column(Clinician.accepting_patients, "boolean"),
}
UNIQUE: dict[str, str] = {}
NOT_NULL: dict[str, str] = {
    "display_name": "display_name",
    "accepting_patients": "accepting_patients",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Clinician.id,
    Clinician.created_at,
    Clinician.updated_at,
    Clinician.display_name,
    Clinician.specialty,
    Clinician.accepting_patients,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Clinician, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Clinician.id, None)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        None,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Clinician]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Clinician), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Clinician:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Clinician.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Clinician | sa.Row[Any]],
) -> list[ClinicianRead]:
    """Rows as the API returns them."""
    return [
        ClinicianRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "display_name": row.display_name,
                "specialty": row.specialty,
                "accepting_patients": row.accepting_patients,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> ClinicianPage:
    """One page of the clinicians the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Clinician.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return ClinicianPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> ClinicianRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> ClinicianCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(ClinicianCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: ClinicianCreate,
    claim: Claim = NO_CLAIM,
) -> ClinicianRead:
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
    row: Clinician,
    body: bytes,
) -> ClinicianUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(ClinicianUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Clinician,
    payload: ClinicianUpdate,
) -> ClinicianRead:
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
