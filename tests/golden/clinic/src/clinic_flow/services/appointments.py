"""Appointments: queries and changes, scoped by the caller's access."""

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
    Clinician,
    Patient,
    VisitNote,
)
from clinic_flow.pagination import Column, ListQuery, column, paginate, read_row
from clinic_flow.permissions import Actor, Scopes, scope_of
from clinic_flow.problems import (
    forbidden,
    not_found,
)
from clinic_flow.schemas.appointments import (
    AppointmentCreate,
    AppointmentPage,
    AppointmentRead,
    AppointmentUpdate,
)
from clinic_flow.services.common import (
    RecordedInsert,
    Workflow,
    by_id,
    changed_fields,
    check_conflicts,
    check_initial,
    check_links,
    check_moves,
    check_writes,
    commit,
    flush,
    move_rows,
    owner_through,
    owns_parent,
    parse_body,
    raw_members,
    reject_nulls,
    scoped,
)

ENTITY = "Appointment"

SORTABLE: dict[str, Column] = {
    "created_at": column(Appointment.created_at, "datetime"),
    "updated_at": column(Appointment.updated_at, "datetime"),
    "starts_at": column(Appointment.starts_at, "datetime"),
    "duration_minutes": column(Appointment.duration_minutes, "integer"),
    "status": column(Appointment.status, "text"),
    "reason": column(Appointment.reason, "text"),
    "deposit_cents": column(Appointment.deposit_cents, "integer"),
    "deposit_paid": column(Appointment.deposit_paid, "boolean"),
}
FILTERS: dict[str, Column] = {
    "starts_at": column(Appointment.starts_at, "datetime"),
    "duration_minutes": column(Appointment.duration_minutes, "integer"),
    "status": column(Appointment.status, "text"),
    "reason": column(Appointment.reason, "text"),
    "deposit_cents": column(Appointment.deposit_cents, "integer"),
    "deposit_paid": column(Appointment.deposit_paid, "boolean"),
    "patient_id": column(Appointment.patient_id, "uuid"),
    "clinician_id": column(Appointment.clinician_id, "uuid"),
}
UNIQUE: dict[str, str] = {}
NOT_NULL: dict[str, str] = {
    "starts_at": "starts_at",
    "duration_minutes": "duration_minutes",
    "status": "status",
    "deposit_cents": "deposit_cents",
    "deposit_paid": "deposit_paid",
    "patient_id": "patient_id",
    "clinician_id": "clinician_id",
}
WRITE_RULES: dict[str, Scopes] = {
    "deposit_cents": {
        None: "none",
        "patient": "none",
        "clinician": "none",
        "admin": "all",
    },
    "deposit_paid": {
        None: "none",
        "patient": "none",
        "clinician": "none",
        "admin": "all",
    },
}
WORKFLOWS: dict[str, Workflow] = {
    "status": Workflow(
        json_name="status",
        initial="requested",
        moves={
            ("requested", "confirmed"): {
                None: "none",
                "patient": "none",
                "clinician": "all",
                "admin": "all",
            },
            ("requested", "cancelled"): {
                None: "none",
                "patient": "own",
                "clinician": "all",
                "admin": "all",
            },
            ("confirmed", "cancelled"): {
                None: "none",
                "patient": "own",
                "clinician": "all",
                "admin": "all",
            },
            ("confirmed", "completed"): {
                None: "none",
                "patient": "none",
                "clinician": "all",
                "admin": "all",
            },
        },
        frozen=frozenset({"cancelled", "completed"}),
    ),
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Appointment.id,
    Appointment.created_at,
    Appointment.updated_at,
    Appointment.owner_id,
    Appointment.starts_at,
    Appointment.duration_minutes,
    Appointment.status,
    Appointment.reason,
    Appointment.deposit_cents,
    Appointment.deposit_paid,
    Appointment.patient_id,
    Appointment.clinician_id,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Appointment, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Appointment.id, Appointment.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        Appointment.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Appointment]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Appointment), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Appointment:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Appointment.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Appointment | sa.Row[Any]],
) -> list[AppointmentRead]:
    """Rows as the API returns them."""
    return [
        AppointmentRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "starts_at": row.starts_at,
                "duration_minutes": row.duration_minutes,
                "status": row.status,
                "reason": row.reason,
                "deposit_cents": row.deposit_cents,
                "deposit_paid": row.deposit_paid,
                "patient_id": row.patient_id,
                "clinician_id": row.clinician_id,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> AppointmentPage:
    """One page of the appointments the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Appointment.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return AppointmentPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> AppointmentRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    db: Session,
    actor: Actor,
    body: bytes,
) -> AppointmentCreate:
    """A create's body, typed: the parent row first (422 when the caller may not
    change it: it decides who owns the row), then the field rules (403 naming a
    field the caller may not write), then validated against the model (422 per
    field)."""
    sent = raw_members(body)
    mine = owns_parent(
        db,
        actor,
        (
            "patient_id",
            "Patient",
            Patient,
            sent.get("patient_id"),
        ),
    )
    check_writes(sent, WRITE_RULES, actor, mine=mine)
    return parse_body(AppointmentCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: AppointmentCreate,
    claim: Claim = NO_CLAIM,
) -> AppointmentRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump()
    check_initial(values, WORKFLOWS)
    check_links(
        db,
        actor,
        [
            ("patient_id", "Patient", Patient, [payload.patient_id]),
            ("clinician_id", "Clinician", Clinician, [payload.clinician_id]),
        ],
    )
    values["owner_id"] = owner_through(
        db,
        actor,
        ("patient_id", "Patient", Patient, payload.patient_id),
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
    row: Appointment,
    body: bytes,
) -> AppointmentUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    sent = raw_members(body)
    mine = row.owner_id == actor.user_id
    check_writes(sent, WRITE_RULES, actor, mine=mine)
    check_moves(sent, WORKFLOWS, row, actor, mine=mine)
    return parse_body(AppointmentUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Appointment,
    payload: AppointmentUpdate,
) -> AppointmentRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True)
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            ("patient_id", "Patient", Patient, [payload.patient_id]),
            ("clinician_id", "Clinician", Clinician, [payload.clinician_id]),
        ],
    )
    owner_id = row.owner_id
    # Exploded, with a trailing comma, so the formatter keeps it so for any
    # length of name; a condition too long for one line it would rewrap.
    parent_id = values.get(
        "patient_id",
        row.patient_id,
    )
    if parent_id != row.patient_id:
        owner_id = owner_through(
            db,
            actor,
            ("patient_id", "Patient", Patient, parent_id),
        )
    check_conflicts(values, WORKFLOWS, row, payload)
    for attribute, value in values.items():
        setattr(row, attribute, value)
    if owner_id != row.owner_id:
        row.owner_id = owner_id
        _move_descendants(db, [row.id], owner_id)
    flush(db, UNIQUE)
    audit.record(db, "update", actor, ENTITY, row.id, changed_fields(payload))
    commit(db, UNIQUE)
    return _read_all(db, [row])[0]


def _move_descendants(db: Session, ids: list[uuid.UUID], owner_id: uuid.UUID) -> None:
    """Gives the rows owned through these rows, to any depth, their new owner."""
    move_rows(db, VisitNote, "appointment_id", ids, owner_id)


def delete(db: Session, actor: Actor, item_id: uuid.UUID) -> None:
    """Deletes a row (409 while rows of another entity still refer to it)."""
    row = changeable(db, actor, item_id)
    db.delete(row)
    audit.record(db, "delete", actor, ENTITY, row.id)
    commit(db, UNIQUE, deleting=True)


def owned_by(
    db: Session,
    user_id: uuid.UUID,
) -> list[AppointmentRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = Appointment
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)


def delete_owned(db: Session, user_id: uuid.UUID) -> None:
    """Deletes every row a user owns through the patient_id link (the erasure)."""
    db.execute(sa.delete(Appointment).where(Appointment.owner_id == user_id))
