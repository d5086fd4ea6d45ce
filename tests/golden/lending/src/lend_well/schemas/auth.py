"""Bodies of the sign-up, sign-in and account endpoints."""

import uuid

from pydantic import BaseModel, EmailStr, Field

from lend_well.schemas.types import RequestBody, UtcDatetime


class RegisterIn(RequestBody):
    email: EmailStr = Field(max_length=255)
    password: str = Field(max_length=1024)
    role: str | None = None


class LoginIn(RequestBody):
    email: str = Field(max_length=255)
    password: str = Field(max_length=1024)


class AccountOut(BaseModel):
    user_id: uuid.UUID
    email: str
    role: str


class MeOut(AccountOut):
    email_verified: bool


class Accepted(BaseModel):
    """202: the request is taken; the answer tells nothing more."""


class VerifyEmailIn(RequestBody):
    token: str = Field(min_length=1, max_length=128)


class PasswordResetIn(RequestBody):
    email: EmailStr = Field(max_length=255)


class PasswordResetConfirmIn(RequestBody):
    token: str = Field(min_length=1, max_length=128)
    password: str = Field(max_length=1024)


class LoginOut(AccountOut):
    csrf_token: str


class UserOut(AccountOut):
    created_at: UtcDatetime


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None
