"""The reviews endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from rich_catalog.db import reading
from rich_catalog.http import RawBody, answer
from rich_catalog.idempotency import Idempotent
from rich_catalog.pagination import ListQuery, list_query
from rich_catalog.permissions import Actor, require
from rich_catalog.schemas.reviews import (
    ReviewPage,
    ReviewRead,
)
from rich_catalog.security.dependencies import DbSession
from rich_catalog.services import reviews as service

router = APIRouter(
    prefix="/reviews",
    tags=["reviews"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Review", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Review", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Review", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Review", "delete")),
]


@router.get("", response_model=ReviewPage)
def list_reviews(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists reviews: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=ReviewRead)
def create_review(
    actor: CanCreate,
    db: DbSession,
    body: RawBody,
    claim: Idempotent,
) -> Response:
    """Creates a review; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, body, claim), status_code=201)


@router.get("/{item_id}", response_model=ReviewRead)
def get_review(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One review."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=ReviewRead)
def update_review(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
    body: RawBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, item_id, body))


@router.delete("/{item_id}", status_code=204)
def delete_review(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a review."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
