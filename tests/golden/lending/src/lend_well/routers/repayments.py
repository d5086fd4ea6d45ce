"""The repayments endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from starlette.concurrency import run_in_threadpool

from lend_well import models
from lend_well.db import reading
from lend_well.http import RawBody, answer
from lend_well.idempotency import Idempotent
from lend_well.pagination import ListQuery, list_query
from lend_well.permissions import Actor, require
from lend_well.schemas.repayments import (
    RepaymentCreate,
    RepaymentPage,
    RepaymentRead,
    RepaymentUpdate,
)
from lend_well.security.dependencies import DbSession
from lend_well.services import repayments as service

router = APIRouter(
    prefix="/repayments",
    tags=["repayments"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Repayment", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Repayment", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Repayment", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Repayment", "delete")),
]

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    db: DbSession,
    body: RawBody,
) -> RepaymentCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return await run_in_threadpool(service.create_payload, db, actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.Repayment:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.Repayment, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> RepaymentUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[RepaymentCreate, Depends(create_body)]
UpdateBody = Annotated[RepaymentUpdate, Depends(update_body)]


@router.get("", response_model=RepaymentPage)
def list_repayments(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists repayments: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=RepaymentRead)
def create_repayment(
    actor: CanCreate,
    db: DbSession,
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a repayment; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


@router.get("/{item_id}", response_model=RepaymentRead)
def get_repayment(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One repayment."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=RepaymentRead)
def update_repayment(
    actor: CanUpdate,
    db: DbSession,
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_repayment(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a repayment."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
