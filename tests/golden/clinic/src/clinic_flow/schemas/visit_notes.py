"""Bodies of the visit notes endpoints."""

import uuid

from pydantic import BaseModel, ConfigDict, Field

from clinic_flow.schemas.types import RequestBody, UtcDatetime


class VisitNoteCreate(RequestBody):
    """A new visit note: every field as the API accepts it."""

    body: str
    diagnosis_code: str | None = Field(
        None,
        max_length=10,
        pattern="^[A-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?$",
    )
    appointment_id: uuid.UUID


class VisitNoteUpdate(RequestBody):
    """A change to a visit note: only the fields sent are changed."""

    body: str | None = None
    diagnosis_code: str | None = Field(
        None,
        max_length=10,
        pattern="^[A-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?$",
    )
    appointment_id: uuid.UUID | None = None


class VisitNoteRead(BaseModel):
    """A visit note as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    body: str
    diagnosis_code: str | None
    appointment_id: uuid.UUID


class VisitNotePage(BaseModel):
    """One page of visit notes."""

    items: list[VisitNoteRead]
    next_cursor: str | None
