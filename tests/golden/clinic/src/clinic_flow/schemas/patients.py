"""Bodies of the patients endpoints."""

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from clinic_flow.schemas.types import PhoneNumber, RequestBody, UtcDatetime


class PatientCreate(RequestBody):
    """A new patient: every field as the API accepts it."""

    owner_id: uuid.UUID | None = None
    full_name: str = Field(..., max_length=255)
    email: EmailStr = Field(..., max_length=255)
    date_of_birth: dt.date | None = Field(None, strict=True)
    phone: PhoneNumber | None = None
    insurance_number: str | None = Field(None, max_length=40)


class PatientUpdate(RequestBody):
    """A change to a patient: only the fields sent are changed."""

    full_name: str | None = Field(None, max_length=255)
    email: EmailStr | None = Field(None, max_length=255)
    date_of_birth: dt.date | None = Field(None, strict=True)
    phone: PhoneNumber | None = None
    insurance_number: str | None = Field(None, max_length=40)


class PatientRead(BaseModel):
    """A patient as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    full_name: str
    email: str
    date_of_birth: dt.date | None
    phone: str | None
    insurance_number: str | None


class PatientPage(BaseModel):
    """One page of patients."""

    items: list[PatientRead]
    next_cursor: str | None
