"""The labels endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from team_tasks.db import reading
from team_tasks.http import RawBody, answer
from team_tasks.idempotency import Idempotent
from team_tasks.pagination import ListQuery, list_query
from team_tasks.permissions import Actor, require
from team_tasks.schemas.labels import (
    LabelPage,
    LabelRead,
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
    body: RawBody,
    claim: Idempotent,
) -> Response:
    """Creates a label; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, body, claim), status_code=201)


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
    item_id: uuid.UUID,
    body: RawBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, item_id, body))


@router.delete("/{item_id}", status_code=204)
def delete_label(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a label."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
