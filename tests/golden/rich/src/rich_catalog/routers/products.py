"""The products endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from rich_catalog.db import reading
from rich_catalog.http import RawBody, answer
from rich_catalog.idempotency import Idempotent
from rich_catalog.pagination import ListQuery, list_query
from rich_catalog.permissions import Actor, require
from rich_catalog.schemas.products import (
    ProductPage,
    ProductRead,
)
from rich_catalog.security.dependencies import DbSession
from rich_catalog.services import products as service

router = APIRouter(
    prefix="/products",
    tags=["products"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Product", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Product", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Product", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Product", "delete")),
]


@router.get("", response_model=ProductPage)
def list_products(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists products: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=ProductRead)
def create_product(
    actor: CanCreate,
    db: DbSession,
    body: RawBody,
    claim: Idempotent,
) -> Response:
    """Creates a product; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, body, claim), status_code=201)


@router.get("/{item_id}", response_model=ProductRead)
def get_product(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One product."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=ProductRead)
def update_product(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
    body: RawBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, item_id, body))


@router.delete("/{item_id}", status_code=204)
def delete_product(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a product."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
