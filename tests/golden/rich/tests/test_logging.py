"""Logs: one JSON object per line, each with a request id, and never a secret or PII."""

import io
import json
import logging
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from rich_catalog.logs import SENSITIVE_WORDS, configure_logging, redact
from rich_catalog.main import create_app
from rich_catalog.settings import get_settings
from tests.conftest import ADMIN_ROLE, PASSWORD, Api, make_user
from tests.servers import running_app

# Its writes must commit: servers of its own read the committed rows.
pytestmark = pytest.mark.committed

# The fields this API classifies as sensitive.
SENSITIVE_FIELDS: list[str] = [
    "gift_email",
]


def parse_lines(text: str) -> list[dict[str, Any]]:
    """Every line as a JSON object (fails on a line that is not one)."""
    entries = []
    for line in text.splitlines():
        entry = json.loads(line)
        assert isinstance(entry, dict), line
        for key in ("time", "level", "logger", "message", "request_id"):
            assert key in entry, line
        entries.append(entry)
    return entries


def test_redaction_removes_credentials_cookies_and_pii() -> None:
    text = redact(
        "login {'email': 'ann@example.com', 'password': 'hunter2-hunter2'} "
        "Authorization: Bearer abc.def.ghi Cookie: session=tok123; csrf_token=c456 "
        "secret_key=s3cr3t"
    )
    for leaked in ("ann@example.com", "hunter2", "abc.def.ghi", "tok123", "c456", "s3cr3t"):
        assert leaked not in text
    assert "[redacted]" in text


def test_values_of_sensitive_fields_are_redacted() -> None:
    assert set(SENSITIVE_FIELDS) <= set(SENSITIVE_WORDS)
    for word in SENSITIVE_WORDS:
        text = redact(f"{word}=value-one, '{word}': 'value two', {word.upper()}: value-three")
        for value in ("value-one", "value two", "value-three"):
            assert value not in text, (word, text)


def test_requests_log_json_lines_with_request_ids_and_no_secrets() -> None:
    buffer = io.StringIO()
    settings = get_settings().model_copy(update={"log_level": "DEBUG"})
    app: FastAPI = create_app(settings)
    configure_logging("DEBUG", stream=buffer)
    marker = uuid.uuid4().hex
    new_password = f"pass-{marker}-phrase"
    new_email = f"new-{marker}@example.com"
    try:
        api = Api(app)
        request_ids = []
        register = api.post(
            "/auth/register",
            json={"email": new_email, "password": new_password},
            headers={"X-Request-ID": "register-request-1"},
        )
        assert register.status_code in (201, 403), register.text
        request_ids.append(register.headers["x-request-id"])
        wrong = api.post(
            "/auth/login", json={"email": new_email, "password": f"wrong-{marker}-phrase"}
        )
        assert wrong.status_code == 401
        admin_email = make_user(ADMIN_ROLE)
        login = api.login(admin_email)
        assert login.status_code == 200
        session_token = api.client.cookies["session"]
        request_ids.append(login.headers["x-request-id"])
        logging.getLogger("rich_catalog.test").info(
            "body %s", {"password": new_password, "email": new_email, "session": session_token}
        )
    finally:
        configure_logging(get_settings().log_level)
    output = buffer.getvalue()
    entries = parse_lines(output)
    assert entries
    access = [e for e in entries if e["logger"] == "rich_catalog.access"]
    assert {e["request_id"] for e in access} >= set(request_ids)
    assert "register-request-1" in request_ids
    for entry in access:
        assert {"method", "path", "status", "duration_ms"} <= entry.keys()
    for secret in (marker[:24], new_password, new_email, admin_email, PASSWORD, session_token):
        assert secret not in output, secret
    assert api.csrf not in output


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_a_served_app_writes_only_json_lines(tmp_path: Path, server: str) -> None:
    log = tmp_path / "server.log"
    env = dict(os.environ)
    env.update(LOG_LEVEL="INFO")
    with running_app(env, log, gunicorn=server == "gunicorn") as base:
        response = httpx.get(base + "/healthz", headers={"X-Request-ID": "served-1"})
        assert response.status_code == 200
        httpx.post(
            base + "/api/auth/login",
            json={"email": "x@example.com", "password": "not-the-password-123"},
            headers={"Cookie": "session=cookie-value-123", "Authorization": "Bearer tkn-987"},
        )
    output = log.read_text()
    entries = parse_lines(output)
    # The server's own lines go through the same handler.
    assert any(e["logger"].startswith(server) for e in entries)
    served = [e for e in entries if e["request_id"] == "served-1"]
    # Exactly one line per request: one handler, however the server set up logging.
    assert len(served) == 1, served
    assert served[0]["path"] == "/healthz"
    assert served[0]["status"] == 200
    for secret in ("x@example.com", "not-the-password-123", "cookie-value-123", "tkn-987"):
        assert secret not in output


def test_log_level_is_respected() -> None:
    buffer = io.StringIO()
    configure_logging("WARNING", stream=buffer)
    try:
        logger = logging.getLogger("rich_catalog.test")
        logger.info("an info line")
        logger.warning("a warning line")
    finally:
        configure_logging(get_settings().log_level)
    messages = [entry["message"] for entry in parse_lines(buffer.getvalue())]
    assert messages == ["a warning line"]
