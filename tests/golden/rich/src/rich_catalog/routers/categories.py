"""The categories endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from rich_catalog.db import reading
from rich_catalog.http import RawBody, answer
from rich_catalog.idempotency import Idempotent
from rich_catalog.pagination import ListQuery, list_query
from rich_catalog.permissions import Actor, require
from rich_catalog.schemas.categories import (
    CategoryPage,
    CategoryRead,
)
from rich_catalog.security.dependencies import DbSession
from rich_catalog.services import categories as service

router = APIRouter(
    prefix="/categories",
    tags=["categories"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Category", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Category", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Category", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Category", "delete")),
]


@router.get("", response_model=CategoryPage)
def list_categories(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists categories: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=CategoryRead)
def create_category(
    actor: CanCreate,
    db: DbSession,
    body: RawBody,
    claim: Idempotent,
) -> Response:
    """Creates a category; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, body, claim), status_code=201)


@router.get("/{item_id}", response_model=CategoryRead)
def get_category(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One category."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=CategoryRead)
def update_category(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
    body: RawBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, item_id, body))


@router.delete("/{item_id}", status_code=204)
def delete_category(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a category."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
