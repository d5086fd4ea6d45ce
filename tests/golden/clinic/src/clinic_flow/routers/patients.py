"""The patients endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from clinic_flow.db import reading
from clinic_flow.http import RawBody, answer
from clinic_flow.idempotency import Idempotent
from clinic_flow.pagination import ListQuery, list_query
from clinic_flow.permissions import Actor, require
from clinic_flow.schemas.patients import (
    PatientPage,
    PatientRead,
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
    body: RawBody,
    claim: Idempotent,
) -> Response:
    """Creates a patient; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, body, claim), status_code=201)


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
    item_id: uuid.UUID,
    body: RawBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, item_id, body))


@router.delete("/{item_id}", status_code=204)
def delete_patient(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a patient."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
