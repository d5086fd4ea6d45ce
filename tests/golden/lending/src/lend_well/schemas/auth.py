"""Bodies of the sign-up, sign-in and account endpoints."""

import uuid

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from lend_well.schemas.types import UtcDatetime


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=255)
    password: str = Field(max_length=1024)
    role: str | None = None


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=255)
    password: str = Field(max_length=1024)


class AccountOut(BaseModel):
    user_id: uuid.UUID
    email: str
    role: str


class LoginOut(AccountOut):
    csrf_token: str


class UserOut(AccountOut):
    created_at: UtcDatetime


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None
