"""Bodies of the appointments endpoints."""

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from clinic_flow.schemas.types import RequestBody, StorableDatetime, UtcDatetime

AppointmentStatus = Literal["requested", "confirmed", "cancelled", "completed"]


class AppointmentCreate(RequestBody):
    """A new appointment: every field as the API accepts it."""

    starts_at: StorableDatetime = Field(..., strict=True)
    duration_minutes: int = Field(30, ge=5, le=240, strict=True)
    status: AppointmentStatus = "requested"
    reason: str | None = None
    deposit_cents: int = Field(2500, ge=0, le=100000, strict=True)
    deposit_paid: bool = Field(False, strict=True)
    patient_id: uuid.UUID
    clinician_id: uuid.UUID


class AppointmentUpdate(RequestBody):
    """A change to a appointment: only the fields sent are changed."""

    starts_at: StorableDatetime | None = Field(None, strict=True)
    duration_minutes: int | None = Field(None, ge=5, le=240, strict=True)
    status: AppointmentStatus | None = None
    reason: str | None = None
    deposit_cents: int | None = Field(None, ge=0, le=100000, strict=True)
    deposit_paid: bool | None = Field(None, strict=True)
    patient_id: uuid.UUID | None = None
    clinician_id: uuid.UUID | None = None


class AppointmentRead(BaseModel):
    """A appointment as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    starts_at: UtcDatetime
    duration_minutes: int
    status: str
    reason: str | None
    deposit_cents: int
    deposit_paid: bool
    patient_id: uuid.UUID
    clinician_id: uuid.UUID


class AppointmentPage(BaseModel):
    """One page of appointments."""

    items: list[AppointmentRead]
    next_cursor: str | None
