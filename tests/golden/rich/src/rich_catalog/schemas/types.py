"""Value types shared by the request bodies."""

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
