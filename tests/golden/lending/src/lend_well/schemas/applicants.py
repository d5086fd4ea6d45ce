"""Bodies of the applicants endpoints."""

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from lend_well.schemas.types import DecimalText, PhoneNumber, RequestBody, UtcDatetime


class ApplicantCreate(RequestBody):
    """A new applicant: every field as the API accepts it."""

    owner_id: uuid.UUID | None = None
    full_name: str = Field(..., max_length=255)
    email: EmailStr = Field(..., max_length=255)
    date_of_birth: dt.date | None = Field(None, strict=True)
    phone: PhoneNumber | None = None
    annual_income: Decimal | None = Field(
        None,
        ge=0,
        max_digits=12,
        decimal_places=2,
        allow_inf_nan=False,
    )


class ApplicantUpdate(RequestBody):
    """A change to a applicant: only the fields sent are changed."""

    full_name: str | None = Field(None, max_length=255)
    email: EmailStr | None = Field(None, max_length=255)
    date_of_birth: dt.date | None = Field(None, strict=True)
    phone: PhoneNumber | None = None
    annual_income: Decimal | None = Field(
        None,
        ge=0,
        max_digits=12,
        decimal_places=2,
        allow_inf_nan=False,
    )


class ApplicantRead(BaseModel):
    """A applicant as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    full_name: str
    email: str
    date_of_birth: dt.date | None
    phone: str | None
    annual_income: DecimalText | None


class ApplicantPage(BaseModel):
    """One page of applicants."""

    items: list[ApplicantRead]
    next_cursor: str | None
