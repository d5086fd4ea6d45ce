"""Applicants: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from lend_well import audit
from lend_well.db import Reader
from lend_well.idempotency import NO_CLAIM, Claim
from lend_well.models import (
    Applicant,
    LoanApplication,
    Repayment,
)
from lend_well.pagination import Column, ListQuery, column, paginate, read_row
from lend_well.permissions import Actor, scope_of
from lend_well.problems import (
    forbidden,
    not_found,
)
from lend_well.schemas.applicants import (
    ApplicantCreate,
    ApplicantPage,
    ApplicantRead,
    ApplicantUpdate,
)
from lend_well.services.common import (
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

ENTITY = "Applicant"

SORTABLE: dict[str, Column] = {
    "created_at": column(Applicant.created_at, "datetime"),
    "updated_at": column(Applicant.updated_at, "datetime"),
    "full_name": column(Applicant.full_name, "text"),
    "email": column(Applicant.email, "text"),
    "date_of_birth": column(Applicant.date_of_birth, "date"),
    "phone": column(Applicant.phone, "text"),
}
FILTERS: dict[str, Column] = {
    "full_name": column(Applicant.full_name, "text"),
    "email": column(Applicant.email, "text"),
    "date_of_birth": column(Applicant.date_of_birth, "date"),
    "phone": column(Applicant.phone, "text"),
}
UNIQUE: dict[str, str] = {
    "uq_applicants_email": "email",
}
NOT_NULL: dict[str, str] = {
    "full_name": "full_name",
    "email": "email",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Applicant.id,
    Applicant.created_at,
    Applicant.updated_at,
    Applicant.owner_id,
    Applicant.full_name,
    Applicant.email,
    Applicant.date_of_birth,
    Applicant.phone,
    Applicant.annual_income,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Applicant, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Applicant.id, Applicant.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        Applicant.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Applicant]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Applicant), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Applicant:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Applicant.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Applicant | sa.Row[Any]],
) -> list[ApplicantRead]:
    """Rows as the API returns them."""
    return [
        ApplicantRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "full_name": row.full_name,
                "email": row.email,
                "date_of_birth": row.date_of_birth,
                "phone": row.phone,
                "annual_income": row.annual_income,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> ApplicantPage:
    """One page of the applicants the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Applicant.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return ApplicantPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> ApplicantRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> ApplicantCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(ApplicantCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: ApplicantCreate,
    claim: Claim = NO_CLAIM,
) -> ApplicantRead:
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
    row: Applicant,
    body: bytes,
) -> ApplicantUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(ApplicantUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Applicant,
    payload: ApplicantUpdate,
) -> ApplicantRead:
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
    moved_1 = move_rows(db, LoanApplication, "applicant_id", ids, owner_id)
    move_rows(db, Repayment, "loan_id", moved_1, owner_id)


def delete(db: Session, actor: Actor, item_id: uuid.UUID) -> None:
    """Deletes a row (409 while rows of another entity still refer to it)."""
    row = changeable(db, actor, item_id)
    db.delete(row)
    audit.record(db, "delete", actor, ENTITY, row.id)
    commit(db, UNIQUE, deleting=True)


def owned_by(
    db: Session,
    user_id: uuid.UUID,
) -> list[ApplicantRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = Applicant
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)
