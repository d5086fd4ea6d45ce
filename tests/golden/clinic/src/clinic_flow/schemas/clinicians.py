"""Bodies of the clinicians endpoints."""

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from clinic_flow.schemas.types import RequestBody, UtcDatetime

ClinicianSpecialty = Literal["general", "cardiology", "dermatology", "pediatrics"]


class ClinicianCreate(RequestBody):
    """A new clinician: every field as the API accepts it."""

    display_name: str = Field(..., max_length=255)
    specialty: ClinicianSpecialty | None = None
    accepting_patients: bool = Field(True, strict=True)


class ClinicianUpdate(RequestBody):
    """A change to a clinician: only the fields sent are changed."""

    display_name: str | None = Field(None, max_length=255)
    specialty: ClinicianSpecialty | None = None
    accepting_patients: bool | None = Field(None, strict=True)


class ClinicianRead(BaseModel):
    """A clinician as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    display_name: str
    specialty: str | None
    accepting_patients: bool


class ClinicianPage(BaseModel):
    """One page of clinicians."""

    items: list[ClinicianRead]
    next_cursor: str | None
