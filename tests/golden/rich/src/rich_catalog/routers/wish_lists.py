"""The wish lists endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from rich_catalog.db import reading
from rich_catalog.http import RawBody, answer
from rich_catalog.idempotency import Idempotent
from rich_catalog.pagination import ListQuery, list_query
from rich_catalog.permissions import Actor, require
from rich_catalog.schemas.wish_lists import (
    WishListPage,
    WishListRead,
)
from rich_catalog.security.dependencies import DbSession
from rich_catalog.services import wish_lists as service

router = APIRouter(
    prefix="/wish_lists",
    tags=["wish_lists"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("WishList", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("WishList", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("WishList", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("WishList", "delete")),
]


@router.get("", response_model=WishListPage)
def list_wish_lists(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists wish lists: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=WishListRead)
def create_wish_list(
    actor: CanCreate,
    db: DbSession,
    body: RawBody,
    claim: Idempotent,
) -> Response:
    """Creates a wish list; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, body, claim), status_code=201)


@router.get("/{item_id}", response_model=WishListRead)
def get_wish_list(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One wish list."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=WishListRead)
def update_wish_list(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
    body: RawBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, item_id, body))


@router.delete("/{item_id}", status_code=204)
def delete_wish_list(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a wish list."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
