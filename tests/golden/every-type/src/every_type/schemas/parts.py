"""Bodies of the parts endpoints."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from every_type.schemas.types import DecimalText, RequestBody, StorableDatetime, UtcDatetime


class PartCreate(RequestBody):
    """A new part: every field as the API accepts it."""

    name: str = Field(..., min_length=2, max_length=30)
    weight: Decimal | None = Field(
        None,
        ge=0.5,
        le=1000,
        max_digits=8,
        decimal_places=3,
        allow_inf_nan=False,
    )
    count: int | None = Field(None, ge=-5, le=5, strict=True)
    secret_text: str | None = None
    secret_count: int | None = Field(
        None,
        ge=-9223372036854775808,
        le=9223372036854775807,
        strict=True,
    )
    secret_amount: Decimal | None = Field(None, max_digits=8, decimal_places=2, allow_inf_nan=False)
    secret_flag: bool | None = Field(None, strict=True)
    secret_on: dt.date | None = Field(None, strict=True)
    secret_at: StorableDatetime = Field(..., strict=True)
    secret_ref: uuid.UUID | None = Field(None, strict=True)
    secret_data: Any = None
    secret_code: str | None = Field(None, max_length=20)
    gadget_this_part_is_fitted_to_id: uuid.UUID
    spare_for_id: uuid.UUID | None = None


class PartUpdate(RequestBody):
    """A change to a part: only the fields sent are changed."""

    name: str | None = Field(None, min_length=2, max_length=30)
    weight: Decimal | None = Field(
        None,
        ge=0.5,
        le=1000,
        max_digits=8,
        decimal_places=3,
        allow_inf_nan=False,
    )
    count: int | None = Field(None, ge=-5, le=5, strict=True)
    secret_text: str | None = None
    secret_count: int | None = Field(
        None,
        ge=-9223372036854775808,
        le=9223372036854775807,
        strict=True,
    )
    secret_amount: Decimal | None = Field(None, max_digits=8, decimal_places=2, allow_inf_nan=False)
    secret_flag: bool | None = Field(None, strict=True)
    secret_on: dt.date | None = Field(None, strict=True)
    secret_at: StorableDatetime | None = Field(None, strict=True)
    secret_ref: uuid.UUID | None = Field(None, strict=True)
    secret_data: Any = None
    secret_code: str | None = Field(None, max_length=20)
    gadget_this_part_is_fitted_to_id: uuid.UUID | None = None
    spare_for_id: uuid.UUID | None = None


class PartRead(BaseModel):
    """A part as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    name: str
    weight: DecimalText | None
    count: int | None
    secret_text: str | None
    secret_count: int | None
    secret_amount: DecimalText | None
    secret_flag: bool | None
    secret_on: dt.date | None
    secret_at: UtcDatetime
    secret_ref: uuid.UUID | None
    secret_data: Any
    secret_code: str | None
    gadget_this_part_is_fitted_to_id: uuid.UUID
    spare_for_id: uuid.UUID | None


class PartPage(BaseModel):
    """One page of parts."""

    items: list[PartRead]
    next_cursor: str | None
