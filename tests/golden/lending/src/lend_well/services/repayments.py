"""Repayments: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from lend_well import audit
from lend_well.db import Reader
from lend_well.idempotency import NO_CLAIM, Claim
from lend_well.models import (
    LoanApplication,
    Repayment,
)
from lend_well.pagination import Column, ListQuery, column, paginate, read_row
from lend_well.permissions import Actor, Scopes, scope_of
from lend_well.problems import (
    forbidden,
    not_found,
)
from lend_well.schemas.repayments import (
    RepaymentCreate,
    RepaymentPage,
    RepaymentRead,
    RepaymentUpdate,
)
from lend_well.services.common import (
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
    owner_through,
    owns_parent,
    parse_body,
    raw_members,
    reject_nulls,
    scoped,
)

ENTITY = "Repayment"

SORTABLE: dict[str, Column] = {
    "created_at": column(Repayment.created_at, "datetime"),
    "updated_at": column(Repayment.updated_at, "datetime"),
    "due_on": column(Repayment.due_on, "date"),
    "amount_cents": column(Repayment.amount_cents, "integer"),
    "state": column(Repayment.state, "text"),
    "paid_at": column(Repayment.paid_at, "datetime"),
}
FILTERS: dict[str, Column] = {
    "due_on": column(Repayment.due_on, "date"),
    "amount_cents": column(Repayment.amount_cents, "integer"),
    "state": column(Repayment.state, "text"),
    "paid_at": column(Repayment.paid_at, "datetime"),
    "loan_id": column(Repayment.loan_id, "uuid"),
}
UNIQUE: dict[str, str] = {}
NOT_NULL: dict[str, str] = {
    "due_on": "due_on",
    "amount_cents": "amount_cents",
    "state": "state",
    "loan_id": "loan_id",
}
WRITE_RULES: dict[str, Scopes] = {
    "amount_cents": {
        None: "none",
        "applicant": "none",
        "underwriter": "none",
        "admin": "all",
    },
}
WORKFLOWS: dict[str, Workflow] = {
    "state": Workflow(
        json_name="state",
        initial="scheduled",
        moves={
            ("scheduled", "due"): {
                None: "none",
                "applicant": "none",
                "underwriter": "none",
                "admin": "all",
            },
            ("scheduled", "waived"): {
                None: "none",
                "applicant": "none",
                "underwriter": "none",
                "admin": "all",
            },
            ("due", "paid"): {
                None: "none",
                "applicant": "none",
                "underwriter": "none",
                "admin": "all",
            },
            ("due", "waived"): {
                None: "none",
                "applicant": "none",
                "underwriter": "none",
                "admin": "all",
            },
        },
        frozen=frozenset({"paid", "waived"}),
    ),
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Repayment.id,
    Repayment.created_at,
    Repayment.updated_at,
    Repayment.owner_id,
    Repayment.due_on,
    Repayment.amount_cents,
    Repayment.state,
    Repayment.paid_at,
    Repayment.loan_id,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Repayment, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Repayment.id, Repayment.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        Repayment.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Repayment]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Repayment), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Repayment:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Repayment.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Repayment | sa.Row[Any]],
) -> list[RepaymentRead]:
    """Rows as the API returns them."""
    return [
        RepaymentRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "due_on": row.due_on,
                "amount_cents": row.amount_cents,
                "state": row.state,
                "paid_at": row.paid_at,
                "loan_id": row.loan_id,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> RepaymentPage:
    """One page of the repayments the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Repayment.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return RepaymentPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> RepaymentRead:
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
) -> RepaymentCreate:
    """A create's body, typed: the parent row first (422 when the caller may not
    change it: it decides who owns the row), then the field rules (403 naming a
    field the caller may not write), then validated against the model (422 per
    field)."""
    sent = raw_members(body)
    mine = owns_parent(
        db,
        actor,
        (
            "loan_id",
            "LoanApplication",
            LoanApplication,
            sent.get("loan_id"),
        ),
    )
    check_writes(sent, WRITE_RULES, actor, mine=mine)
    return parse_body(RepaymentCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: RepaymentCreate,
    claim: Claim = NO_CLAIM,
) -> RepaymentRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump()
    check_initial(values, WORKFLOWS)
    check_links(
        db,
        actor,
        [
            ("loan_id", "LoanApplication", LoanApplication, [payload.loan_id]),
        ],
    )
    values["owner_id"] = owner_through(
        db,
        actor,
        ("loan_id", "LoanApplication", LoanApplication, payload.loan_id),
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
    row: Repayment,
    body: bytes,
) -> RepaymentUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    sent = raw_members(body)
    mine = row.owner_id == actor.user_id
    check_writes(sent, WRITE_RULES, actor, mine=mine)
    check_moves(sent, WORKFLOWS, row, actor, mine=mine)
    return parse_body(RepaymentUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Repayment,
    payload: RepaymentUpdate,
) -> RepaymentRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True)
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            ("loan_id", "LoanApplication", LoanApplication, [payload.loan_id]),
        ],
    )
    owner_id = row.owner_id
    # Exploded, with a trailing comma, so the formatter keeps it so for any
    # length of name; a condition too long for one line it would rewrap.
    parent_id = values.get(
        "loan_id",
        row.loan_id,
    )
    if parent_id != row.loan_id:
        owner_id = owner_through(
            db,
            actor,
            ("loan_id", "LoanApplication", LoanApplication, parent_id),
        )
    check_conflicts(values, WORKFLOWS, row, payload)
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
) -> list[RepaymentRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = Repayment
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)


def delete_owned(db: Session, user_id: uuid.UUID) -> None:
    """Deletes every row a user owns through the loan_id link (the erasure)."""
    db.execute(sa.delete(Repayment).where(Repayment.owner_id == user_id))
