"""The promotions endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from starlette.concurrency import run_in_threadpool

from rich_catalog import models
from rich_catalog.db import reading
from rich_catalog.http import RawBody, answer
from rich_catalog.idempotency import Idempotent
from rich_catalog.pagination import ListQuery, list_query
from rich_catalog.permissions import Actor, require
from rich_catalog.schemas.promotions import (
    PromotionCreate,
    PromotionPage,
    PromotionRead,
    PromotionUpdate,
)
from rich_catalog.security.dependencies import DbSession
from rich_catalog.services import promotions as service

router = APIRouter(
    prefix="/promotions",
    tags=["promotions"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Promotion", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Promotion", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Promotion", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Promotion", "delete")),
]

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    body: RawBody,
) -> PromotionCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return service.create_payload(actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.Promotion:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.Promotion, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> PromotionUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[PromotionCreate, Depends(create_body)]
UpdateBody = Annotated[PromotionUpdate, Depends(update_body)]


@router.get("", response_model=PromotionPage)
def list_promotions(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists promotions: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=PromotionRead)
def create_promotion(
    actor: CanCreate,
    db: DbSession,
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a promotion; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


@router.get("/{item_id}", response_model=PromotionRead)
def get_promotion(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One promotion."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=PromotionRead)
def update_promotion(
    actor: CanUpdate,
    db: DbSession,
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_promotion(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a promotion."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
