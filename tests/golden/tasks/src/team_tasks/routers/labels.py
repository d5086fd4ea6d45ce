"""The labels endpoints."""

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
from team_tasks.schemas.labels import (
    LabelCreate,
    LabelPage,
    LabelRead,
    LabelUpdate,
)
from team_tasks.security.dependencies import DbSession
from team_tasks.services import labels as service

router = APIRouter(
    prefix="/labels",
    tags=["labels"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Label", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Label", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Label", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Label", "delete")),
]

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    body: RawBody,
) -> LabelCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return service.create_payload(actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.Label:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.Label, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> LabelUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[LabelCreate, Depends(create_body)]
UpdateBody = Annotated[LabelUpdate, Depends(update_body)]


@router.get("", response_model=LabelPage)
def list_labels(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists labels: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=LabelRead)
def create_label(
    actor: CanCreate,
    db: DbSession,
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a label; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


@router.get("/{item_id}", response_model=LabelRead)
def get_label(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One label."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=LabelRead)
def update_label(
    actor: CanUpdate,
    db: DbSession,
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_label(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a label."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
