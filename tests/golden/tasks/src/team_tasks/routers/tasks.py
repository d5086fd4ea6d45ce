"""The tasks endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from team_tasks.db import reading
from team_tasks.http import RawBody, answer
from team_tasks.idempotency import Idempotent
from team_tasks.pagination import ListQuery, list_query
from team_tasks.permissions import Actor, require
from team_tasks.schemas.tasks import (
    TaskPage,
    TaskRead,
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
    body: RawBody,
    claim: Idempotent,
) -> Response:
    """Creates a task; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, body, claim), status_code=201)


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
    item_id: uuid.UUID,
    body: RawBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, item_id, body))


@router.delete("/{item_id}", status_code=204)
def delete_task(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a task."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
