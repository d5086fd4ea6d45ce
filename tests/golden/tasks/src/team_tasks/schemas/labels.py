"""Bodies of the labels endpoints."""

import uuid

from pydantic import BaseModel, ConfigDict, Field

from team_tasks.schemas.types import RequestBody, UtcDatetime


class LabelCreate(RequestBody):
    """A new label: every field as the API accepts it."""

    name: str = Field(..., max_length=40)
    color: str | None = Field(None, max_length=255, pattern="^#[0-9a-fA-F]{6}$")


class LabelUpdate(RequestBody):
    """A change to a label: only the fields sent are changed."""

    name: str | None = Field(None, max_length=40)
    color: str | None = Field(None, max_length=255, pattern="^#[0-9a-fA-F]{6}$")


class LabelRead(BaseModel):
    """A label as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    name: str
    color: str | None


class LabelPage(BaseModel):
    """One page of labels."""

    items: list[LabelRead]
    next_cursor: str | None
