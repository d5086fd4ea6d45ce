"""Value types shared by the request and response bodies."""

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    field_validator,
)

REFUSED_TEXT = re.compile("[\x00\ud800-\udfff]")
"""What no client string may hold: a NUL character (PostgreSQL cannot store it in
text) or an unpaired surrogate (not a character; UTF-8 cannot encode it)."""

TEXT_RULE = "must not contain NUL characters or unpaired surrogates"
"""The message a refused string gets, under the name of the field that sent it."""


def refused_text(value: Any) -> bool:
    """Whether a value holds a refused string, at any depth (keys of objects too)."""
    if isinstance(value, str):
        return REFUSED_TEXT.search(value) is not None
    if isinstance(value, dict):
        return any(refused_text(key) or refused_text(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(refused_text(item) for item in value)
    return False


def text_errors(body: bytes) -> dict[str, str]:
    """The members of a JSON object body that hold refused strings, by name.

    Read with Python's parser, which keeps unpaired surrogates that a strict JSON
    parser refuses without saying where; empty when the body is no JSON object.
    """
    try:
        parsed = json.loads(body or b"null")
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {"body": TEXT_RULE} if refused_text(parsed) else {}
    return {
        str(name) if not refused_text(name) else "body": TEXT_RULE
        for name, value in parsed.items()
        if refused_text(name) or refused_text(value)
    }


class RequestBody(BaseModel):
    """The base of every request body: unknown members are refused, and so is text
    PostgreSQL and the contract cannot hold (422 naming the field)."""

    model_config = ConfigDict(extra="forbid")

    # After each field's own validation, so strict fields keep reading JSON as JSON;
    # a refused string in a date, an enum or a UUID has failed there already.
    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if refused_text(value):
            raise ValueError(TEXT_RULE)
        return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    return value


HttpUrlText = Annotated[str, AfterValidator(_check_url)]
"""An http(s) URL with a host, kept exactly as sent."""

PhoneNumber = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{1,14}$")]
"""A phone number in E.164 form, such as `+4930123456`."""


def _in_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+01:00 is in year 0 in UTC, which is no year.
        raise ValueError("must be from year 1 to 9999 in UTC") from None


UtcDatetime = Annotated[dt.datetime, AfterValidator(_in_utc)]
"""A point in time as the API answers it: in UTC, written with `Z` (RFC 3339,
such as `2030-01-15T09:30:00Z`), whatever offset it was sent with."""


def _digits(value: Decimal) -> str:
    return format(value, "f")


DecimalText = Annotated[Decimal, PlainSerializer(_digits, return_type=str, when_used="json")]
"""A decimal as the API answers it: its digits written out (`0.0000001`, `0.0000000`),
never in exponent notation (`1E-7`, `0E-7`), which is how Python writes a decimal
below one millionth and what the document's pattern for it refuses."""


def _storable(value: dt.datetime) -> dt.datetime:
    _in_utc(value)
    return value


StorableDatetime = Annotated[AwareDatetime, AfterValidator(_storable)]
"""A point in time a request may send: with an offset, and in years 1 to 9999
once in UTC, so PostgreSQL stores it and Python reads it back (422 otherwise)."""
