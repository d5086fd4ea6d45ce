"""Bodies of the repayments endpoints."""

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from lend_well.schemas.types import RequestBody, StorableDatetime, UtcDatetime

RepaymentState = Literal["scheduled", "due", "paid", "waived"]


class RepaymentCreate(RequestBody):
    """A new repayment: every field as the API accepts it."""

    due_on: dt.date = Field(..., strict=True)
    amount_cents: int = Field(..., ge=100, le=5000000, strict=True)
    state: RepaymentState = "scheduled"
    paid_at: StorableDatetime | None = Field(None, strict=True)
    loan_id: uuid.UUID


class RepaymentUpdate(RequestBody):
    """A change to a repayment: only the fields sent are changed."""

    due_on: dt.date | None = Field(None, strict=True)
    amount_cents: int | None = Field(None, ge=100, le=5000000, strict=True)
    state: RepaymentState | None = None
    paid_at: StorableDatetime | None = Field(None, strict=True)
    loan_id: uuid.UUID | None = None


class RepaymentRead(BaseModel):
    """A repayment as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    due_on: dt.date
    amount_cents: int
    state: str
    paid_at: UtcDatetime | None
    loan_id: uuid.UUID


class RepaymentPage(BaseModel):
    """One page of repayments."""

    items: list[RepaymentRead]
    next_cursor: str | None
