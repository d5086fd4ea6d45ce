"""Structured logs: one JSON object per line, with the request id, and nothing secret.

Every record goes through one handler on the root logger, uvicorn's and
gunicorn's included. A redaction filter removes passwords, tokens, cookies,
`Authorization` headers, email addresses and the values of sensitive fields
before anything is written. Warnings and errors are bounded: the first of
a kind (its logger, message and exception type) is written with its
traceback, the same kind again within `REPEAT_INTERVAL` seconds is only
counted, and the next one written after that says how many were left out,
so an outage logs a few lines a minute, not a traceback per request.
"""

import datetime as dt
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from team_tasks.context import request_id_var

HANDLER_NAME = "team_tasks-json"
REDACTED = "[redacted]"

# Words that mark a key whose value is secret or personal: credentials,
# session material, and the fields this API classifies as sensitive.
SENSITIVE_WORDS: tuple[str, ...] = (
    "password",
    "passwd",
    "secret",
    "token",
    "cookie",
    "authorization",
    "session",
    "api_key",
    "apikey",
    "encryption_key",
)
# Seconds during which warnings and errors of one kind are counted, not written.
REPEAT_INTERVAL = 60.0
# Kinds remembered at most; the oldest is forgotten first.
REPEAT_KINDS = 1024

# Fields the access log adds to a record.
ACCESS_FIELDS: tuple[str, ...] = ("method", "path", "status", "duration_ms", "client")

_WORDS = "|".join(re.escape(word) for word in SENSITIVE_WORDS)
# `key=value`, `key: value`, `"key": "value"` where the key contains a sensitive word.
_PAIR = re.compile(
    r"(?i)([\"']?[\w.-]*(?:" + _WORDS + r")[\w.-]*[\"']?\s*[:=]\s*)"
    r"(\"[^\"]*\"|'[^']*'|[^\s,;&)\]]+)"
)
_SCHEME = re.compile(r"(?i)\b(bearer|basic|digest)\s+[A-Za-z0-9._~+/=-]+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def redact(text: str) -> str:
    """The text without secrets: sensitive key-value pairs, credentials and email addresses."""
    text = _SCHEME.sub(lambda m: m.group(1) + " " + REDACTED, text)
    text = _PAIR.sub(lambda m: m.group(1) + REDACTED, text)
    return _EMAIL.sub(REDACTED, text)


class RequestIdFilter(logging.Filter):
    """Adds the id of the request being served to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RepeatFilter(logging.Filter):
    """Writes the first warning or error of a kind per interval and counts the rest.

    The record written after an interval says, in `repeated`, how many of
    its kind were left out since the last one written.
    """

    def __init__(
        self, interval: float = REPEAT_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        # kind → (when the last record of it was written, how many were left out since)
        self._kinds: dict[tuple[str, str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        error = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        kind = (record.name, str(record.msg), error)
        now = self._clock()
        with self._lock:
            seen = self._kinds.pop(kind, None)
            if seen is not None and now - seen[0] < self._interval:
                self._kinds[kind] = (seen[0], seen[1] + 1)
                return False
            self._kinds[kind] = (now, 0)
            while len(self._kinds) > REPEAT_KINDS:
                del self._kinds[next(iter(self._kinds))]
        if seen is not None and seen[1]:
            record.repeated = seen[1]
        return True


class RedactionFilter(logging.Filter):
    """Rewrites every record so that its message and traceback carry no secrets."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        for name in ACCESS_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if hasattr(record, "repeated"):
            entry["repeated"] = record.repeated
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str)


class _Handler(logging.Handler):
    """Writes formatted records to a stream, by default whatever `sys.stderr` is now."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = self._stream or sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


def json_handler(stream: TextIO | None = None) -> logging.Handler:
    """The handler every record goes through: JSON lines, request ids, redaction."""
    handler = _Handler(stream)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RepeatFilter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactionFilter())
    return handler


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """Routes every logger, uvicorn's and gunicorn's too, through the JSON handler.

    The app writes one access line per request itself (with the request id),
    so the servers' own access loggers are switched off.
    """
    handler = json_handler(stream)
    root = logging.getLogger()
    # One JSON handler only, whoever installed the previous one (gunicorn's
    # logging config names its own).
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "gunicorn", "gunicorn.error"):
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
    for name in ("uvicorn.access", "gunicorn.access"):
        access_logger = logging.getLogger(name)
        access_logger.handlers.clear()
        access_logger.propagate = False
        access_logger.disabled = True
