"""The tasks endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from starlette.concurrency import run_in_threadpool

from team_tasks import models
from team_tasks.db import reading
from team_tasks.http import RawBody, answer
from team_tasks.idempotency import Idempotent
from team_tasks.pagination import ListQuery, list_query
from team_tasks.permissions import Actor, require
from team_tasks.schemas.tasks import (
    TaskCreate,
    TaskPage,
    TaskRead,
    TaskUpdate,
)
from team_tasks.security.dependencies import DbSession
from team_tasks.services import tasks as service

router = APIRouter(
    prefix="/tasks",
    tags=["tasks"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Task", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Task", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Task", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Task", "delete")),
]

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    body: RawBody,
) -> TaskCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return service.create_payload(actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.Task:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.Task, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> TaskUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[TaskCreate, Depends(create_body)]
UpdateBody = Annotated[TaskUpdate, Depends(update_body)]


@router.get("", response_model=TaskPage)
def list_tasks(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists tasks: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=TaskRead)
def create_task(
    actor: CanCreate,
    db: DbSession,
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a task; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


@router.get("/{item_id}", response_model=TaskRead)
def get_task(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One task."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=TaskRead)
def update_task(
    actor: CanUpdate,
    db: DbSession,
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_task(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a task."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
