"""The projects endpoints."""

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
from team_tasks.schemas.projects import (
    ProjectCreate,
    ProjectPage,
    ProjectRead,
    ProjectUpdate,
)
from team_tasks.security.dependencies import DbSession
from team_tasks.services import projects as service

router = APIRouter(
    prefix="/projects",
    tags=["projects"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Project", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Project", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Project", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Project", "delete")),
]

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    body: RawBody,
) -> ProjectCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return service.create_payload(actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.Project:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.Project, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> ProjectUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[ProjectCreate, Depends(create_body)]
UpdateBody = Annotated[ProjectUpdate, Depends(update_body)]


@router.get("", response_model=ProjectPage)
def list_projects(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists projects: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=ProjectRead)
def create_project(
    actor: CanCreate,
    db: DbSession,
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a project; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


@router.get("/{item_id}", response_model=ProjectRead)
def get_project(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One project."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=ProjectRead)
def update_project(
    actor: CanUpdate,
    db: DbSession,
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_project(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a project."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
