"""Bodies of the wish lists endpoints."""

import uuid

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from rich_catalog.schemas.types import RequestBody, UtcDatetime


class WishListCreate(RequestBody):
    """A new wish list: every field as the API accepts it."""

    owner_id: uuid.UUID | None = None
    label: str = Field(..., max_length=60)
    notes: str | None = None
    gift_email: EmailStr | None = Field(None, max_length=255)
    product_ids: list[uuid.UUID] = Field(default_factory=list)


class WishListUpdate(RequestBody):
    """A change to a wish list: only the fields sent are changed."""

    label: str | None = Field(None, max_length=60)
    notes: str | None = None
    gift_email: EmailStr | None = Field(None, max_length=255)
    product_ids: list[uuid.UUID] | None = None


class WishListRead(BaseModel):
    """A wish list as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    label: str
    notes: str | None
    gift_email: str | None
    product_ids: list[uuid.UUID]


class WishListPage(BaseModel):
    """One page of wish lists."""

    items: list[WishListRead]
    next_cursor: str | None
