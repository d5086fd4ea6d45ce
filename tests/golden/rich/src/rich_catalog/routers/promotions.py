"""The promotions endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from rich_catalog.db import reading
from rich_catalog.http import RawBody, answer
from rich_catalog.idempotency import Idempotent
from rich_catalog.pagination import ListQuery, list_query
from rich_catalog.permissions import Actor, require
from rich_catalog.schemas.promotions import (
    PromotionPage,
    PromotionRead,
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
    body: RawBody,
    claim: Idempotent,
) -> Response:
    """Creates a promotion; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, body, claim), status_code=201)


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
    item_id: uuid.UUID,
    body: RawBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, item_id, body))


@router.delete("/{item_id}", status_code=204)
def delete_promotion(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a promotion."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
