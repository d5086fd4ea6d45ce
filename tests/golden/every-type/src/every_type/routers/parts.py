"""The parts endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from starlette.concurrency import run_in_threadpool

from every_type import models
from every_type.db import reading
from every_type.http import RawBody, answer
from every_type.idempotency import Idempotent
from every_type.pagination import ListQuery, list_query
from every_type.permissions import Actor, require
from every_type.schemas.parts import (
    PartCreate,
    PartPage,
    PartRead,
    PartUpdate,
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

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    body: RawBody,
) -> PartCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return service.create_payload(actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.Part:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.Part, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> PartUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[PartCreate, Depends(create_body)]
UpdateBody = Annotated[PartUpdate, Depends(update_body)]


@router.get("", response_model=PartPage)
def list_parts(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists parts: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=PartRead)
def create_part(
    actor: CanCreate,
    db: DbSession,
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a part; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


@router.get("/{item_id}", response_model=PartRead)
def get_part(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One part."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=PartRead)
def update_part(
    actor: CanUpdate,
    db: DbSession,
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_part(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a part."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
