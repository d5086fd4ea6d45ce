"""Error reports to Sentry (the `sentry` integration).

With `SENTRY_DSN` set, unhandled errors are reported: the app logs each one
at ERROR with its traceback (middleware.py), and Sentry's logging
integration turns that record into a report. Without `SENTRY_DSN` the SDK is
not started and nothing is sent.

A report is scrubbed before it leaves the process: no cookies, no
Authorization, Cookie or CSRF headers, no request body, no query string, no
user, no local variables, no breadcrumbs, and every text in it passes
through the log redaction (emails, credentials, sensitive key-value pairs).
Each report is tagged with the id of the request that failed.
"""

import logging
from typing import Any, cast

import sentry_sdk
from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.types import Event, Hint

from lend_well.context import request_id_var
from lend_well.logs import redact

# Request headers that carry credentials or session state: never reported.
SENSITIVE_HEADERS = frozenset(
    {"authorization", "cookie", "proxy-authorization", "set-cookie", "x-csrf-token"}
)
# Parts of a report's request that may carry personal data: never reported.
DROPPED_REQUEST_KEYS = ("cookies", "data", "query_string", "env")


class SentrySettings(BaseSettings):
    """What the integration reads from the environment."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    sentry_dsn: str = ""
    sentry_environment: str = "production"
    sentry_release: str = ""
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)


def _redacted(value: Any) -> Any:
    """The value with every text in it redacted, containers walked."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def scrub(event: Event, hint: Hint) -> Event | None:
    """The report without personal data or credentials, tagged with the request id."""
    data = cast(dict[str, Any], event)
    request = data.get("request")
    if isinstance(request, dict):
        for key in DROPPED_REQUEST_KEYS:
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if name.lower() not in SENSITIVE_HEADERS
            }
        url = request.get("url")
        if isinstance(url, str):
            request["url"] = url.split("?", 1)[0]
    data.pop("user", None)
    data.pop("breadcrumbs", None)
    request_id = request_id_var.get()
    if request_id:
        tags = data.get("tags")
        if not isinstance(tags, dict):
            tags = {}
            data["tags"] = tags
        tags["request_id"] = request_id
    return cast(Event, _redacted(data))


def install(app: FastAPI) -> bool:
    """Starts the SDK when `SENTRY_DSN` is set; whether it did."""
    settings = SentrySettings()
    if not settings.sentry_dsn:
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.sentry_environment or None,
        release=settings.sentry_release or None,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        # What the SDK collects by itself (this supersedes `send_default_pii`,
        # which sentry-sdk 2.75 deprecates): no user, cookies, bodies, query
        # strings, credential headers, SQL parameters or local variables.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "denylist", "terms": sorted(SENSITIVE_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        include_local_variables=False,
        max_request_body_size="never",
        max_breadcrumbs=0,
        before_send=scrub,
        before_send_transaction=scrub,
        integrations=[LoggingIntegration(level=None, event_level=logging.ERROR)],
    )
    return True
