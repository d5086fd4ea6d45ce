"""Bodies of the tasks endpoints."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from team_tasks.schemas.types import DecimalText, RequestBody, UtcDatetime

TaskPriority = Literal["low", "normal", "high", "urgent"]


class TaskCreate(RequestBody):
    """A new task: every field as the API accepts it."""

    owner_id: uuid.UUID | None = None
    title: str = Field(..., max_length=200)
    details: str | None = None
    priority: TaskPriority = "normal"
    due_on: dt.date | None = Field(None, strict=True)
    estimate_hours: Decimal | None = Field(
        None,
        ge=0,
        max_digits=6,
        decimal_places=2,
        allow_inf_nan=False,
    )
    done: bool = Field(False, strict=True)
    project_id: uuid.UUID
    label_ids: list[uuid.UUID] = Field(default_factory=list)


class TaskUpdate(RequestBody):
    """A change to a task: only the fields sent are changed."""

    title: str | None = Field(None, max_length=200)
    details: str | None = None
    priority: TaskPriority | None = None
    due_on: dt.date | None = Field(None, strict=True)
    estimate_hours: Decimal | None = Field(
        None,
        ge=0,
        max_digits=6,
        decimal_places=2,
        allow_inf_nan=False,
    )
    done: bool | None = Field(None, strict=True)
    project_id: uuid.UUID | None = None
    label_ids: list[uuid.UUID] | None = None


class TaskRead(BaseModel):
    """A task as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    title: str
    details: str | None
    priority: str
    due_on: dt.date | None
    estimate_hours: DecimalText | None
    done: bool
    project_id: uuid.UUID
    label_ids: list[uuid.UUID]


class TaskPage(BaseModel):
    """One page of tasks."""

    items: list[TaskRead]
    next_cursor: str | None
