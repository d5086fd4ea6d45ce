"""The parts endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from every_type.db import reading
from every_type.http import RawBody
from every_type.idempotency import Idempotent
from every_type.pagination import ListQuery, list_query
from every_type.permissions import Actor, require
from every_type.schemas.parts import (
    PartPage,
    PartRead,
)
from every_type.security.dependencies import DbSession
from every_type.services import parts as service

router = APIRouter(
    prefix="/parts",
    tags=["parts"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Part", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Part", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Part", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Part", "delete")),
]


@router.get("", response_model=PartPage)
def list_parts(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> PartPage:
    """Lists parts: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db):
        return service.find_page(db, actor, query)


@router.post("", status_code=201, response_model=PartRead)
def create_part(
    actor: CanCreate,
    db: DbSession,
    body: RawBody,
    claim: Idempotent,
) -> PartRead | Response:
    """Creates a part; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return service.create(db, actor, body, claim)


@router.get("/{item_id}", response_model=PartRead)
def get_part(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> PartRead:
    """One part."""
    with reading(db):
        return service.find_one(db, actor, item_id)


@router.patch("/{item_id}", response_model=PartRead)
def update_part(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
    body: RawBody,
) -> PartRead:
    """Changes the fields sent."""
    return service.update(db, actor, item_id, body)


@router.delete("/{item_id}", status_code=204)
def delete_part(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a part."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
