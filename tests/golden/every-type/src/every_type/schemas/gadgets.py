"""Bodies of the gadgets endpoints."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from every_type.schemas.types import (
    DecimalText,
    HttpUrlText,
    PhoneNumber,
    RequestBody,
    StorableDatetime,
    UtcDatetime,
)

GadgetKind = Literal["small", "large"]
GadgetMark = Literal[
    'say"hi"', "it's", "back\\slash", "{{x}}", "a|b", "<b>&amp;", "constructor", "100%"
]


class GadgetCreate(RequestBody):
    """A new gadget: every field as the API accepts it."""

    owner_id: uuid.UUID | None = None
    opt_string: str | None = Field(None, max_length=255)
    req_string: str = Field(..., max_length=255)
    opt_text: str | None = None
    req_text: str
    opt_integer: int | None = Field(None, ge=-2147483648, le=2147483647, strict=True)
    req_integer: int = Field(..., ge=-2147483648, le=2147483647, strict=True)
    opt_bigint: int | None = Field(
        None,
        ge=-9223372036854775808,
        le=9223372036854775807,
        strict=True,
    )
    req_bigint: int = Field(..., ge=-9223372036854775808, le=9223372036854775807, strict=True)
    opt_decimal: Decimal | None = Field(None, max_digits=12, decimal_places=2, allow_inf_nan=False)
    req_decimal: Decimal = Field(..., max_digits=12, decimal_places=2, allow_inf_nan=False)
    opt_boolean: bool | None = Field(None, strict=True)
    req_boolean: bool = Field(..., strict=True)
    opt_date: dt.date | None = Field(None, strict=True)
    req_date: dt.date = Field(..., strict=True)
    opt_datetime: StorableDatetime | None = Field(None, strict=True)
    req_datetime: StorableDatetime = Field(..., strict=True)
    opt_uuid: uuid.UUID | None = Field(None, strict=True)
    req_uuid: uuid.UUID = Field(..., strict=True)
    opt_email: EmailStr | None = Field(None, max_length=255)
    req_email: EmailStr = Field(..., max_length=255)
    opt_url: HttpUrlText | None = Field(None, max_length=255)
    req_url: HttpUrlText = Field(..., max_length=255)
    opt_phone: PhoneNumber | None = None
    req_phone: PhoneNumber
    opt_json: Any = None
    req_json: Any
    kind: GadgetKind
    code: str | None = Field(None, max_length=255, pattern="^([0-9]{3})-[0-9A-Za-z_.]+$")
    mark: GadgetMark = 'say"hi"'


class GadgetUpdate(RequestBody):
    """A change to a gadget: only the fields sent are changed."""

    opt_string: str | None = Field(None, max_length=255)
    req_string: str | None = Field(None, max_length=255)
    opt_text: str | None = None
    req_text: str | None = None
    opt_integer: int | None = Field(None, ge=-2147483648, le=2147483647, strict=True)
    req_integer: int | None = Field(None, ge=-2147483648, le=2147483647, strict=True)
    opt_bigint: int | None = Field(
        None,
        ge=-9223372036854775808,
        le=9223372036854775807,
        strict=True,
    )
    req_bigint: int | None = Field(
        None,
        ge=-9223372036854775808,
        le=9223372036854775807,
        strict=True,
    )
    opt_decimal: Decimal | None = Field(None, max_digits=12, decimal_places=2, allow_inf_nan=False)
    req_decimal: Decimal | None = Field(None, max_digits=12, decimal_places=2, allow_inf_nan=False)
    opt_boolean: bool | None = Field(None, strict=True)
    req_boolean: bool | None = Field(None, strict=True)
    opt_date: dt.date | None = Field(None, strict=True)
    req_date: dt.date | None = Field(None, strict=True)
    opt_datetime: StorableDatetime | None = Field(None, strict=True)
    req_datetime: StorableDatetime | None = Field(None, strict=True)
    opt_uuid: uuid.UUID | None = Field(None, strict=True)
    req_uuid: uuid.UUID | None = Field(None, strict=True)
    opt_email: EmailStr | None = Field(None, max_length=255)
    req_email: EmailStr | None = Field(None, max_length=255)
    opt_url: HttpUrlText | None = Field(None, max_length=255)
    req_url: HttpUrlText | None = Field(None, max_length=255)
    opt_phone: PhoneNumber | None = None
    req_phone: PhoneNumber | None = None
    opt_json: Any = None
    req_json: Any = None
    kind: GadgetKind | None = None
    code: str | None = Field(None, max_length=255, pattern="^([0-9]{3})-[0-9A-Za-z_.]+$")
    mark: GadgetMark | None = None


class GadgetRead(BaseModel):
    """A gadget as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    opt_string: str | None
    req_string: str
    opt_text: str | None
    req_text: str
    opt_integer: int | None
    req_integer: int
    opt_bigint: int | None
    req_bigint: int
    opt_decimal: DecimalText | None
    req_decimal: DecimalText
    opt_boolean: bool | None
    req_boolean: bool
    opt_date: dt.date | None
    req_date: dt.date
    opt_datetime: UtcDatetime | None
    req_datetime: UtcDatetime
    opt_uuid: uuid.UUID | None
    req_uuid: uuid.UUID
    opt_email: str | None
    req_email: str
    opt_url: str | None
    req_url: str
    opt_phone: str | None
    req_phone: str
    opt_json: Any
    req_json: Any
    kind: str
    code: str | None
    mark: str


class GadgetPage(BaseModel):
    """One page of gadgets."""

    items: list[GadgetRead]
    next_cursor: str | None
