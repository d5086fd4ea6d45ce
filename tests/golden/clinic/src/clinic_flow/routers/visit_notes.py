"""The visit notes endpoints."""

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
from clinic_flow.schemas.visit_notes import (
    VisitNoteCreate,
    VisitNotePage,
    VisitNoteRead,
    VisitNoteUpdate,
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

# The typed bodies and the row a change is for are dependencies, solved in
# the order a route names them, so a request gets the contract's first
# answer: 401, 403 (CSRF, the role), 404 (a row the caller cannot read),
# 403 (a row, field or move the caller may not change), and only then 422.


async def create_body(
    actor: CanCreate,
    body: RawBody,
) -> VisitNoteCreate:
    """A create's body, typed (see `service.create_payload`)."""
    return service.create_payload(actor, body)


async def changeable_row(
    actor: CanUpdate,
    db: DbSession,
    item_id: uuid.UUID,
) -> models.VisitNote:
    """The row a change is for (see `service.changeable`)."""
    return await run_in_threadpool(service.changeable, db, actor, item_id)


Changeable = Annotated[models.VisitNote, Depends(changeable_row)]


async def update_body(
    actor: CanUpdate,
    row: Changeable,
    body: RawBody,
) -> VisitNoteUpdate:
    """A change's body, typed (see `service.update_payload`)."""
    return service.update_payload(actor, row, body)


CreateBody = Annotated[VisitNoteCreate, Depends(create_body)]
UpdateBody = Annotated[VisitNoteUpdate, Depends(update_body)]


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
    claim: Idempotent,
    payload: CreateBody,
) -> Response:
    """Creates a visit note; a retry with the same `Idempotency-Key` gets the first answer."""
    if claim.replay is not None:
        return claim.replay
    return answer(service.create(db, actor, payload, claim), status_code=201)


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
    row: Changeable,
    payload: UpdateBody,
) -> Response:
    """Changes the fields sent."""
    return answer(service.update(db, actor, row, payload))


@router.delete("/{item_id}", status_code=204)
def delete_visit_note(
    actor: CanDelete,
    db: DbSession,
    item_id: uuid.UUID,
) -> Response:
    """Deletes a visit note."""
    service.delete(db, actor, item_id)
    return Response(status_code=204)
