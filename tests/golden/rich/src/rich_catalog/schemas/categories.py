"""Bodies of the categories endpoints."""

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rich_catalog.schemas.types import RequestBody, UtcDatetime

CategoryType = Literal["physical", "digital"]


class CategoryCreate(RequestBody):
    """A new category: every field as the API accepts it."""

    name: str = Field(..., max_length=80)
    order: int = Field(0, ge=0, le=2147483647, strict=True)
    type_: CategoryType = Field("physical", alias="type")
    parent_id: uuid.UUID | None = None


class CategoryUpdate(RequestBody):
    """A change to a category: only the fields sent are changed."""

    name: str | None = Field(None, max_length=80)
    order: int | None = Field(None, ge=0, le=2147483647, strict=True)
    type_: CategoryType | None = Field(None, alias="type")
    parent_id: uuid.UUID | None = None


class CategoryRead(BaseModel):
    """A category as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    name: str
    order: int
    type_: str = Field(..., alias="type")
    parent_id: uuid.UUID | None


class CategoryPage(BaseModel):
    """One page of categories."""

    items: list[CategoryRead]
    next_cursor: str | None
