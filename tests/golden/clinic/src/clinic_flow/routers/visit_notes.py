"""The visit notes endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from clinic_flow.db import reading
from clinic_flow.http import RawBody, answer
from clinic_flow.idempotency import Idempotent
from clinic_flow.pagination import ListQuery, list_query
from clinic_flow.permissions import Actor, require
from clinic_flow.schemas.visit_notes import (
    VisitNotePage,
    VisitNoteRead,
)
from clinic_flow.security.dependencies import DbSession
from clinic_flow.services import visit_notes as service

router = APIRouter(
    prefix="/visit_notes",
    tags=["visit_notes"],
)

CanCreate = Annotated[
    Actor,
    Depends(require("VisitNote", "create")),
]
CanRead = Annotated[
    Actor,
    Depends(require("VisitNote", "read")),
]
CanUpdate = Annotated[
    Actor,
    Depends(require("VisitNote", "update")),
]
CanDelete = Annotated[
    Actor,
    Depends(require("VisitNote", "delete")),
]


@router.get("", response_model=VisitNotePage)
def list_visit_notes(
    actor: CanRead,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> Response:
    """Lists visit notes: `limit`, `cursor`, `sort` (`-field` descending) and filters."""
    with reading(db) as read:
        return answer(service.find_page(read, actor, query))


@router.post("", status_code=201, response_model=VisitNoteRead)
def create_visit_note(
    actor: CanCreate,
    db: DbSession,
    body: RawBody,
    claim: Idempotent,
) -> Response:
    """Creates a visit note; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, body, claim), status_code=201)


@router.get("/{item_id}", response_model=VisitNoteRead)
def get_visit_note(
    actor: CanRead,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """One visit note."""
    with reading(db) as read:
        return answer(service.find_one(read, actor, item_id))


@router.patch("/{item_id}", response_model=VisitNoteRead)
def update_visit_note(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
    body: RawBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, item_id, body))


@router.delete("/{item_id}", status_code=204)
def delete_visit_note(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a visit note."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
