"""Value types shared by the request and response bodies."""

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, StringConstraints


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
    return value.astimezone(dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(_in_utc)]
"""A point in time as the API answers it: in UTC, written with `Z` (RFC 3339,
such as `2030-01-15T09:30:00Z`), whatever offset it was sent with."""
