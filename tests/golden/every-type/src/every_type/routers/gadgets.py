"""The gadgets endpoints."""

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
from every_type.schemas.gadgets import (
    GadgetCreate,
    GadgetPage,
    GadgetRead,
    GadgetUpdate,
)
from every_type.security.dependencies import DbSession
from every_type.services import gadgets as service

router = APIRouter(
    prefix="/gadgets",
    tags=["gadgets"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Gadget", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Gadget", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Gadget", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Gadget", "delete")),
]

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    body: RawBody,
) -> GadgetCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return service.create_payload(actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.Gadget:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.Gadget, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> GadgetUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[GadgetCreate, Depends(create_body)]
UpdateBody = Annotated[GadgetUpdate, Depends(update_body)]


@router.get("", response_model=GadgetPage)
def list_gadgets(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists gadgets: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=GadgetRead)
def create_gadget(
    actor: CanCreate,
    db: DbSession,
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a gadget; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


@router.get("/{item_id}", response_model=GadgetRead)
def get_gadget(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One gadget."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=GadgetRead)
def update_gadget(
    actor: CanUpdate,
    db: DbSession,
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_gadget(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a gadget."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
