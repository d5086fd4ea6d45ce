"""Bodies of the products endpoints."""

import uuid
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rich_catalog.schemas.types import (
    DecimalText,
    HttpUrlText,
    PhoneNumber,
    RequestBody,
    StorableDatetime,
    UtcDatetime,
)


class ProductCreate(RequestBody):
    """A new product: every field as the API accepts it."""

    owner_id: uuid.UUID | None = None
    title: str = Field(..., max_length=120)
    class_: str | None = Field(None, alias="class", max_length=20)
    sku: str = Field(..., max_length=255, pattern="^[A-Z]{3}-[0-9]{4}$")
    price: Decimal = Field(..., ge=0, max_digits=10, decimal_places=2, allow_inf_nan=False)
    stock: int | None = Field(None, ge=0, le=9223372036854775807, strict=True)
    homepage: HttpUrlText | None = Field(None, max_length=255)
    support_phone: PhoneNumber | None = None
    released_at: StorableDatetime | None = Field(None, strict=True)
    available: bool = Field(True, strict=True)
    external_ref: uuid.UUID | None = Field(None, strict=True)
    attributes: Any = None
    category_id: uuid.UUID
    related_ids: list[uuid.UUID] = Field(default_factory=list)


class ProductUpdate(RequestBody):
    """A change to a product: only the fields sent are changed."""

    title: str | None = Field(None, max_length=120)
    class_: str | None = Field(None, alias="class", max_length=20)
    sku: str | None = Field(None, max_length=255, pattern="^[A-Z]{3}-[0-9]{4}$")
    price: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2, allow_inf_nan=False)
    stock: int | None = Field(None, ge=0, le=9223372036854775807, strict=True)
    homepage: HttpUrlText | None = Field(None, max_length=255)
    support_phone: PhoneNumber | None = None
    released_at: StorableDatetime | None = Field(None, strict=True)
    available: bool | None = Field(None, strict=True)
    external_ref: uuid.UUID | None = Field(None, strict=True)
    attributes: Any = None
    category_id: uuid.UUID | None = None
    related_ids: list[uuid.UUID] | None = None


class ProductRead(BaseModel):
    """A product as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    title: str
    class_: str | None = Field(..., alias="class")
    sku: str
    price: DecimalText
    stock: int | None
    homepage: str | None
    support_phone: str | None
    released_at: UtcDatetime | None
    available: bool
    external_ref: uuid.UUID | None
    attributes: Any
    category_id: uuid.UUID
    related_ids: list[uuid.UUID]


class ProductPage(BaseModel):
    """One page of products."""

    items: list[ProductRead]
    next_cursor: str | None
