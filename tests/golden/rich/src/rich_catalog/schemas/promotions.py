"""Bodies of the promotions endpoints."""

import uuid

from pydantic import BaseModel, ConfigDict, Field

from rich_catalog.schemas.types import RequestBody, UtcDatetime


class PromotionCreate(RequestBody):
    """A new promotion: every field as the API accepts it."""

    headline: str = Field(..., max_length=80)
    product_id: uuid.UUID


class PromotionUpdate(RequestBody):
    """A change to a promotion: only the fields sent are changed."""

    headline: str | None = Field(None, max_length=80)
    product_id: uuid.UUID | None = None


class PromotionRead(BaseModel):
    """A promotion as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    headline: str
    product_id: uuid.UUID


class PromotionPage(BaseModel):
    """One page of promotions."""

    items: list[PromotionRead]
    next_cursor: str | None
