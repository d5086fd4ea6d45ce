"""The patients endpoints."""

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
from clinic_flow.schemas.patients import (
    PatientCreate,
    PatientPage,
    PatientRead,
    PatientUpdate,
)
from clinic_flow.security.dependencies import DbSession
from clinic_flow.services import patients as service

router = APIRouter(
    prefix="/patients",
    tags=["patients"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("Patient", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("Patient", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("Patient", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("Patient", "delete")),
]

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    body: RawBody,
) -> PatientCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return service.create_payload(actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.Patient:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.Patient, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> PatientUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[PatientCreate, Depends(create_body)]
UpdateBody = Annotated[PatientUpdate, Depends(update_body)]


@router.get("", response_model=PatientPage)
def list_patients(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists patients: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=PatientRead)
def create_patient(
    actor: CanCreate,
    db: DbSession,
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a patient; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


@router.get("/{item_id}", response_model=PatientRead)
def get_patient(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One patient."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=PatientRead)
def update_patient(
    actor: CanUpdate,
    db: DbSession,
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_patient(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a patient."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
