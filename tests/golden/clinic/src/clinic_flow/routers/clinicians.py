"""The clinicians endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from starlette.concurrency import run_in_threadpool

from clinic_flow import models
from clinic_flow.db import reading
from clinic_flow.http import RawBody, answer
from clinic_flow.idempotency import Idempotent
from clinic_flow.pagination import ListQuery, list_query
from clinic_flow.permissions import Actor, require
from clinic_flow.schemas.clinicians import (
    ClinicianCreate,
    ClinicianPage,
    ClinicianRead,
    ClinicianUpdate,
)
from clinic_flow.security.dependencies import DbSession
from clinic_flow.services import clinicians as service

router = APIRouter(
    prefix="/clinicians",
    tags=["clinicians"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Clinician", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Clinician", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Clinician", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Clinician", "delete")),
]

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    body: RawBody,
) -> ClinicianCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return service.create_payload(actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.Clinician:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.Clinician, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> ClinicianUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[ClinicianCreate, Depends(create_body)]
UpdateBody = Annotated[ClinicianUpdate, Depends(update_body)]


@router.get("", response_model=ClinicianPage)
def list_clinicians(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists clinicians: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=ClinicianRead)
def create_clinician(
    actor: CanCreate,
    db: DbSession,
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a clinician; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


@router.get("/{item_id}", response_model=ClinicianRead)
def get_clinician(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One clinician."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=ClinicianRead)
def update_clinician(
    actor: CanUpdate,
    db: DbSession,
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_clinician(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a clinician."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
