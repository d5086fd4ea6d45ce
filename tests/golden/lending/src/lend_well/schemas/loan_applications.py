"""Bodies of the loan applications endpoints."""

import uuid
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from lend_well.schemas.types import DecimalText, RequestBody, UtcDatetime

LoanApplicationPurpose = Literal[
    "car", "home_improvement", "education", "debt_consolidation", "other"
]
LoanApplicationStatus = Literal["draft", "submitted", "approved", "declined", "withdrawn"]


class LoanApplicationCreate(RequestBody):
    """A new loan application: every field as the API accepts it."""

    amount: Decimal = Field(
        ...,
        ge=500,
        le=50000,
        max_digits=10,
        decimal_places=2,
        allow_inf_nan=False,
    )
    term_months: int = Field(..., ge=6, le=84, strict=True)
    purpose: LoanApplicationPurpose
    status: LoanApplicationStatus = "draft"
    risk_score: int | None = Field(None, ge=0, le=1000, strict=True)
    applicant_id: uuid.UUID


class LoanApplicationUpdate(RequestBody):
    """A change to a loan application: only the fields sent are changed."""

    amount: Decimal | None = Field(
        None,
        ge=500,
        le=50000,
        max_digits=10,
        decimal_places=2,
        allow_inf_nan=False,
    )
    term_months: int | None = Field(None, ge=6, le=84, strict=True)
    purpose: LoanApplicationPurpose | None = None
    status: LoanApplicationStatus | None = None
    risk_score: int | None = Field(None, ge=0, le=1000, strict=True)
    applicant_id: uuid.UUID | None = None


class LoanApplicationRead(BaseModel):
    """A loan application as the API returns it."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    id: uuid.UUID
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner_id: uuid.UUID
    amount: DecimalText
    term_months: int
    purpose: str
    status: str
    risk_score: int | None = None
    applicant_id: uuid.UUID


class LoanApplicationPage(BaseModel):
    """One page of loan applications."""

    items: list[LoanApplicationRead]
    next_cursor: str | None
