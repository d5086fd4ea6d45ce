"""Bodies of the projects endpoints."""

import uuid

from pydantic import BaseModel, ConfigDict, Field

from team_tasks.schemas.types import RequestBody, UtcDatetime


class ProjectCreate(RequestBody):
    """A new project: every field as the API accepts it."""

    owner_id: uuid.UUID | None = None
    name: str = Field(..., max_length=120)
    summary: str | None = None
    archived: bool = Field(False, strict=True)


class ProjectUpdate(RequestBody):
    """A change to a project: only the fields sent are changed."""

    name: str | None = Field(None, max_length=120)
    summary: str | None = None
    archived: bool | None = Field(None, strict=True)


class ProjectRead(BaseModel):
    """A project as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    name: str
    summary: str | None
    archived: bool


class ProjectPage(BaseModel):
    """One page of projects."""

    items: list[ProjectRead]
    next_cursor: str | None
