"""Loan applications: queries and changes, scoped by the caller's access."""

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
from lend_well.permissions import Actor, Scopes, scope_of
from lend_well.problems import (
    forbidden,
    not_found,
)
from lend_well.schemas.loan_applications import (
    LoanApplicationCreate,
    LoanApplicationPage,
    LoanApplicationRead,
    LoanApplicationUpdate,
)
from lend_well.services.common import (
    RecordedInsert,
    Workflow,
    allowed_columns,
    by_id,
    changed_fields,
    check_conflicts,
    check_initial,
    check_links,
    check_moves,
    check_writes,
    commit,
    flush,
    hidden,
    move_rows,
    owner_through,
    owns_parent,
    parse_body,
    raw_members,
    reject_nulls,
    scoped,
)

ENTITY = "LoanApplication"

SORTABLE: dict[str, Column] = {
    "created_at": column(LoanApplication.created_at, "datetime"),
    "updated_at": column(LoanApplication.updated_at, "datetime"),
    "amount": column(LoanApplication.amount, "decimal"),
    "term_months": column(LoanApplication.term_months, "integer"),
    "purpose": column(LoanApplication.purpose, "text"),
    "status": column(LoanApplication.status, "text"),
    "risk_score": column(LoanApplication.risk_score, "integer"),
}
FILTERS: dict[str, Column] = {
    "amount": column(LoanApplication.amount, "decimal"),
    "term_months": column(LoanApplication.term_months, "integer"),
    "purpose": column(LoanApplication.purpose, "text"),
    "status": column(LoanApplication.status, "text"),
    "risk_score": column(LoanApplication.risk_score, "integer"),
    "applicant_id": column(LoanApplication.applicant_id, "uuid"),
}
UNIQUE: dict[str, str] = {}
NOT_NULL: dict[str, str] = {
    "amount": "amount",
    "term_months": "term_months",
    "purpose": "purpose",
    "status": "status",
    "applicant_id": "applicant_id",
}
READ_RULES: dict[str, Scopes] = {
    "risk_score": {
        None: "none",
        "applicant": "none",
        "underwriter": "all",
        "admin": "all",
    },
}
WRITE_RULES: dict[str, Scopes] = {
    "risk_score": {
        None: "none",
        "applicant": "none",
        "underwriter": "all",
        "admin": "all",
    },
}
FILTER_RULES: dict[str, Scopes] = {
    "risk_score": {
        None: "none",
        "applicant": "none",
        "underwriter": "all",
        "admin": "all",
    },
}
WORKFLOWS: dict[str, Workflow] = {
    "status": Workflow(
        json_name="status",
        initial="draft",
        moves={
            ("draft", "submitted"): {
                None: "none",
                "applicant": "own",
                "underwriter": "own",
                "admin": "all",
            },
            ("draft", "withdrawn"): {
                None: "none",
                "applicant": "own",
                "underwriter": "own",
                "admin": "all",
            },
            ("submitted", "approved"): {
                None: "none",
                "applicant": "none",
                "underwriter": "all",
                "admin": "all",
            },
            ("submitted", "declined"): {
                None: "none",
                "applicant": "none",
                "underwriter": "all",
                "admin": "all",
            },
            ("submitted", "withdrawn"): {
                None: "none",
                "applicant": "own",
                "underwriter": "own",
                "admin": "all",
            },
        },
        frozen=frozenset({"approved", "declined", "withdrawn"}),
    ),
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    LoanApplication.id,
    LoanApplication.created_at,
    LoanApplication.updated_at,
    LoanApplication.owner_id,
    LoanApplication.amount,
    LoanApplication.term_months,
    LoanApplication.purpose,
    LoanApplication.status,
    LoanApplication.risk_score,
    LoanApplication.applicant_id,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(LoanApplication, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, LoanApplication.id, LoanApplication.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        LoanApplication.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[LoanApplication]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(LoanApplication), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> LoanApplication:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(LoanApplication.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[LoanApplication | sa.Row[Any]],
    actor: Actor | None,
) -> list[LoanApplicationRead]:
    """Rows as the API returns them, without the fields the caller may not read."""
    items = [
        LoanApplicationRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "amount": row.amount,
                "term_months": row.term_months,
                "purpose": row.purpose,
                "status": row.status,
                "risk_score": row.risk_score,
                "applicant_id": row.applicant_id,
            }
        )
        for row in rows
    ]
    return [
        hidden(item, READ_RULES, actor, row.owner_id) for item, row in zip(items, rows, strict=True)
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> LoanApplicationPage:
    """One page of the loan applications the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=LoanApplication.id,
        query=query,
        sortable=allowed_columns(SORTABLE, FILTER_RULES, actor),
        filters=allowed_columns(FILTERS, FILTER_RULES, actor),
    )
    return LoanApplicationPage(
        items=_read_all(db, rows, actor),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> LoanApplicationRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row], actor)[0]


def create_payload(
    db: Session,
    actor: Actor,
    body: bytes,
) -> LoanApplicationCreate:
    """A create's body, typed: the parent row first (422 when the caller may not
    change it: it decides who owns the row), then the field rules (403 naming a
    field the caller may not write), then validated against the model (422 per
    field)."""
    sent = raw_members(body)
    mine = owns_parent(
        db,
        actor,
        (
            "applicant_id",
            "Applicant",
            Applicant,
            sent.get("applicant_id"),
        ),
    )
    check_writes(sent, WRITE_RULES, actor, mine=mine)
    return parse_body(LoanApplicationCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: LoanApplicationCreate,
    claim: Claim = NO_CLAIM,
) -> LoanApplicationRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump()
    check_initial(values, WORKFLOWS)
    check_links(
        db,
        actor,
        [
            ("applicant_id", "Applicant", Applicant, [payload.applicant_id]),
        ],
    )
    values["owner_id"] = owner_through(
        db,
        actor,
        ("applicant_id", "Applicant", Applicant, payload.applicant_id),
    )
    values["id"] = uuid.uuid4()
    event = audit.event("create", actor, ENTITY, values["id"], changed_fields(payload))
    row = INSERT.add(db, values, event, alone=True)
    item = _read_all(db, [row], actor)[0]
    # The answer a retry replays, stored in the same commit as the row.
    claim.remember(item)
    commit(db, UNIQUE)
    return item


def update_payload(
    actor: Actor,
    row: LoanApplication,
    body: bytes,
) -> LoanApplicationUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    sent = raw_members(body)
    mine = row.owner_id == actor.user_id
    check_writes(sent, WRITE_RULES, actor, mine=mine)
    check_moves(sent, WORKFLOWS, row, actor, mine=mine)
    return parse_body(LoanApplicationUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: LoanApplication,
    payload: LoanApplicationUpdate,
) -> LoanApplicationRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True)
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            ("applicant_id", "Applicant", Applicant, [payload.applicant_id]),
        ],
    )
    owner_id = row.owner_id
    # Exploded, with a trailing comma, so the formatter keeps it so for any
    # length of name; a condition too long for one line it would rewrap.
    parent_id = values.get(
        "applicant_id",
        row.applicant_id,
    )
    if parent_id != row.applicant_id:
        owner_id = owner_through(
            db,
            actor,
            ("applicant_id", "Applicant", Applicant, parent_id),
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
    return _read_all(db, [row], actor)[0]


def _move_descendants(db: Session, ids: list[uuid.UUID], owner_id: uuid.UUID) -> None:
    """Gives the rows owned through these rows, to any depth, their new owner."""
    move_rows(db, Repayment, "loan_id", ids, owner_id)


def delete(db: Session, actor: Actor, item_id: uuid.UUID) -> None:
    """Deletes a row (409 while rows of another entity still refer to it)."""
    row = changeable(db, actor, item_id)
    db.delete(row)
    audit.record(db, "delete", actor, ENTITY, row.id)
    commit(db, UNIQUE, deleting=True)


def owned_by(
    db: Session,
    user_id: uuid.UUID,
) -> list[LoanApplicationRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = LoanApplication
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows, None)


def delete_owned(db: Session, user_id: uuid.UUID) -> None:
    """Deletes every row a user owns through the applicant_id link (the erasure)."""
    db.execute(sa.delete(LoanApplication).where(LoanApplication.owner_id == user_id))
