"""Projects: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from team_tasks import audit
from team_tasks.db import Reader
from team_tasks.idempotency import NO_CLAIM, Claim
from team_tasks.models import (
    Project,
)
from team_tasks.pagination import Column, ListQuery, column, paginate, read_row
from team_tasks.permissions import Actor, scope_of
from team_tasks.problems import (
    forbidden,
    not_found,
)
from team_tasks.schemas.projects import (
    ProjectCreate,
    ProjectPage,
    ProjectRead,
    ProjectUpdate,
)
from team_tasks.services.common import (
    RecordedInsert,
    by_id,
    changed_fields,
    check_owner,
    commit,
    flush,
    parse_body,
    reject_nulls,
    scoped,
)

ENTITY = "Project"

SORTABLE: dict[str, Column] = {
    "created_at": column(Project.created_at, "datetime"),
    "updated_at": column(Project.updated_at, "datetime"),
    "name": column(Project.name, "text"),
    "summary": column(Project.summary, "text"),
    "archived": column(Project.archived, "boolean"),
}
FILTERS: dict[str, Column] = {
    "name": column(Project.name, "text"),
    "summary": column(Project.summary, "text"),
    "archived": column(Project.archived, "boolean"),
}
UNIQUE: dict[str, str] = {}
NOT_NULL: dict[str, str] = {
    "name": "name",
    "archived": "archived",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Project.id,
    Project.created_at,
    Project.updated_at,
    Project.owner_id,
    Project.name,
    Project.summary,
    Project.archived,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Project, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Project.id, Project.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        Project.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Project]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Project), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Project:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Project.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Project | sa.Row[Any]],
) -> list[ProjectRead]:
    """Rows as the API returns them."""
    return [
        ProjectRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "name": row.name,
                "summary": row.summary,
                "archived": row.archived,
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> ProjectPage:
    """One page of the projects the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Project.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return ProjectPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> ProjectRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> ProjectCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(ProjectCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: ProjectCreate,
    claim: Claim = NO_CLAIM,
) -> ProjectRead:
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
    row: Project,
    body: bytes,
) -> ProjectUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(ProjectUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Project,
    payload: ProjectUpdate,
) -> ProjectRead:
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


def owned_by(
    db: Session,
    user_id: uuid.UUID,
) -> list[ProjectRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = Project
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)
