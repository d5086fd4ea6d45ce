"""Tasks: queries and changes, scoped by the caller's access."""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from team_tasks import audit
from team_tasks.db import Reader
from team_tasks.idempotency import NO_CLAIM, Claim
from team_tasks.models import (
    Label,
    Project,
    Task,
    task_labels,
)
from team_tasks.pagination import Column, ListQuery, column, paginate, read_row
from team_tasks.permissions import Actor, scope_of
from team_tasks.problems import (
    forbidden,
    not_found,
)
from team_tasks.schemas.tasks import (
    TaskCreate,
    TaskPage,
    TaskRead,
    TaskUpdate,
)
from team_tasks.services.common import (
    RecordedInsert,
    by_id,
    changed_fields,
    check_links,
    check_owner,
    commit,
    flush,
    links_of,
    parse_body,
    reject_nulls,
    replace_links,
    scoped,
)

ENTITY = "Task"

SORTABLE: dict[str, Column] = {
    "created_at": column(Task.created_at, "datetime"),
    "updated_at": column(Task.updated_at, "datetime"),
    "title": column(Task.title, "text"),
    "details": column(Task.details, "text"),
    "priority": column(Task.priority, "text"),
    "due_on": column(Task.due_on, "date"),
    "estimate_hours": column(Task.estimate_hours, "decimal"),
    "done": column(Task.done, "boolean"),
}
FILTERS: dict[str, Column] = {
    "title": column(Task.title, "text"),
    "details": column(Task.details, "text"),
    "priority": column(Task.priority, "text"),
    "due_on": column(Task.due_on, "date"),
    "estimate_hours": column(Task.estimate_hours, "decimal"),
    "done": column(Task.done, "boolean"),
    "project_id": column(Task.project_id, "uuid"),
}
UNIQUE: dict[str, str] = {}
NOT_NULL: dict[str, str] = {
    "title": "title",
    "priority": "priority",
    "done": "done",
    "project_id": "project_id",
}


# What a read selects: every attribute the API returns, as a plain row keyed by attribute.
READ_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Task.id,
    Task.created_at,
    Task.updated_at,
    Task.owner_id,
    Task.title,
    Task.details,
    Task.priority,
    Task.due_on,
    Task.estimate_hours,
    Task.done,
    Task.project_id,
)

# The same as table columns labelled by attribute: what a list selects.
READ_ROW = read_row(READ_COLUMNS)
# A create: its row and its audit event, one statement.
INSERT = RecordedInsert(Task, READ_COLUMNS, UNIQUE)
# A get: one row by id, for each read scope.
ONE = by_id(READ_COLUMNS, Task.id, Task.owner_id)


def _readable(statement: sa.Select[Any], actor: Actor) -> sa.Select[Any]:
    """A query narrowed to the rows the caller may read."""
    scope = scope_of(ENTITY, "read", actor.principal)
    return scoped(
        statement,
        scope,
        Task.owner_id,
        actor.user_id,
    )


def _visible(actor: Actor) -> sa.Select[Task]:
    """The rows the caller may read, as mapped objects (to change them)."""
    return _readable(sa.select(Task), actor)


def _visible_rows(actor: Actor) -> sa.Select[Any]:
    """The rows the caller may read, as plain rows: a read builds no mapped objects."""
    return _readable(sa.select(*READ_ROW), actor)


def changeable(
    db: Session,
    actor: Actor,
    item_id: uuid.UUID,
) -> Task:
    """A row the caller may change or delete: 404 when it cannot read it, 403 when it may not change it."""
    row = db.scalars(
        _visible(actor).where(Task.id == item_id),
    ).first()
    if row is None:
        raise not_found()
    if actor.scope == "own" and row.owner_id != actor.user_id:
        raise forbidden("You may change only your own records.")
    return row


def _read_all(
    db: Reader,
    rows: Sequence[Task | sa.Row[Any]],
) -> list[TaskRead]:
    """Rows as the API returns them."""
    label_ids = links_of(db, task_labels, [row.id for row in rows])
    return [
        TaskRead.model_validate(
            {
                "id": row.id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "owner_id": row.owner_id,
                "title": row.title,
                "details": row.details,
                "priority": row.priority,
                "due_on": row.due_on,
                "estimate_hours": row.estimate_hours,
                "done": row.done,
                "project_id": row.project_id,
                "label_ids": label_ids[row.id],
            }
        )
        for row in rows
    ]


def find_page(
    db: Reader,
    actor: Actor,
    query: ListQuery,
) -> TaskPage:
    """One page of the tasks the caller may read."""
    rows, next_cursor = paginate(
        db,
        _visible_rows(actor),
        id_column=Task.id,
        query=query,
        sortable=SORTABLE,
        filters=FILTERS,
    )
    return TaskPage(
        items=_read_all(db, rows),
        next_cursor=next_cursor,
    )


def find_one(
    db: Reader,
    actor: Actor,
    item_id: uuid.UUID,
) -> TaskRead:
    """One row the caller may read (404 otherwise)."""
    scope = scope_of(ENTITY, "read", actor.principal)
    row = db.execute(ONE[scope], {"item_id": item_id, "user_id": actor.user_id}).first()
    if row is None:
        raise not_found()
    return _read_all(db, [row])[0]


def create_payload(
    actor: Actor,
    body: bytes,
) -> TaskCreate:
    """A create's body, typed: the field rules first (403 naming a field the
    caller may not write), then validated against the model (422 per field)."""
    return parse_body(TaskCreate, body)


def create(
    db: Session,
    actor: Actor,
    payload: TaskCreate,
    claim: Claim = NO_CLAIM,
) -> TaskRead:
    """Adds a row from a create's validated body."""
    values = payload.model_dump(exclude={"owner_id", "label_ids"})
    values["owner_id"] = check_owner(db, actor, payload.owner_id)
    check_links(
        db,
        actor,
        [
            ("project_id", "Project", Project, [payload.project_id]),
            ("label_ids", "Label", Label, payload.label_ids),
        ],
    )
    values["id"] = uuid.uuid4()
    event = audit.event("create", actor, ENTITY, values["id"], changed_fields(payload))
    row = INSERT.add(db, values, event, alone=False)
    replace_links(db, task_labels, row.id, payload.label_ids)
    item = _read_all(db, [row])[0]
    # The answer a retry replays, stored in the same commit as the row.
    claim.remember(item)
    commit(db, UNIQUE)
    return item


def update_payload(
    actor: Actor,
    row: Task,
    body: bytes,
) -> TaskUpdate:
    """A change's body, typed: for the row the caller may change, the field
    rules and workflow moves first (403), then validated against the model
    (422 per field)."""
    return parse_body(TaskUpdate, body)


def update(
    db: Session,
    actor: Actor,
    row: Task,
    payload: TaskUpdate,
) -> TaskRead:
    """Changes the fields a change's validated body sent, on a row from `changeable`."""
    values = payload.model_dump(exclude_unset=True, exclude={"label_ids"})
    reject_nulls(values, NOT_NULL)
    check_links(
        db,
        actor,
        [
            ("project_id", "Project", Project, [payload.project_id]),
            ("label_ids", "Label", Label, payload.label_ids or []),
        ],
    )
    for attribute, value in values.items():
        setattr(row, attribute, value)
    flush(db, UNIQUE)
    if payload.label_ids is not None:
        replace_links(db, task_labels, row.id, payload.label_ids)
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
) -> list[TaskRead]:
    """Every row a user owns, as the API returns them (for the data export)."""
    model = Task
    statement = sa.select(*READ_COLUMNS).where(model.owner_id == user_id)
    rows = db.execute(statement.order_by(model.created_at, model.id)).all()
    return _read_all(db, rows)
