"""Bodies of the reviews endpoints."""

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from rich_catalog.schemas.types import RequestBody, UtcDatetime


class ReviewCreate(RequestBody):
    """A new review: every field as the API accepts it."""

    owner_id: uuid.UUID | None = None
    rating: int = Field(..., ge=1, le=5, strict=True)
    body: str | None = Field(None, max_length=2000)
    visited_on: dt.date | None = Field(None, strict=True)
    product_id: uuid.UUID
    wish_list_id: uuid.UUID | None = None


class ReviewUpdate(RequestBody):
    """A change to a review: only the fields sent are changed."""

    rating: int | None = Field(None, ge=1, le=5, strict=True)
    body: str | None = Field(None, max_length=2000)
    visited_on: dt.date | None = Field(None, strict=True)
    product_id: uuid.UUID | None = None
    wish_list_id: uuid.UUID | None = None


class ReviewRead(BaseModel):
    """A review as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    rating: int
    body: str | None
    visited_on: dt.date | None
    product_id: uuid.UUID
    wish_list_id: uuid.UUID | None


class ReviewPage(BaseModel):
    """One page of reviews."""

    items: list[ReviewRead]
    next_cursor: str | None
