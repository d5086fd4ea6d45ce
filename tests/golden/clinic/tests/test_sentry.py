"""The `sentry` integration, against a local stand-in for Sentry.

A loopback HTTP server plays Sentry: it is the host of `SENTRY_DSN` and
keeps every envelope it receives. An unhandled error in the app must reach
it tagged with the request id, and without cookies, credentials, the body,
the query string or email addresses; without `SENTRY_DSN` nothing may.
"""

import gzip
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sentry_sdk
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from clinic_flow.integrations import sentry
from clinic_flow.main import create_app
from clinic_flow.settings import get_settings

EMAIL = "reported.person@example.com"
SESSION = "session-token-that-must-not-leak"
BEARER = "bearer-token-that-must-not-leak"
CSRF = "csrf-token-that-must-not-leak"
PASSWORD = "body-password-that-must-not-leak"


class FakeSentry(ThreadingHTTPServer):
    """Keeps the envelopes posted to it, decompressed."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), EnvelopeHandler)
        self.envelopes: list[bytes] = []
        self.received = threading.Event()

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.server_address[1]}/1"


class EnvelopeHandler(BaseHTTPRequestHandler):
    server: FakeSentry

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.envelopes.append(body)
        self.server.received.set()
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def fake_sentry() -> Iterator[FakeSentry]:
    server = FakeSentry()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_sdk_left_behind() -> Iterator[None]:
    """Each test leaves the SDK stopped, as the rest of the suite expects."""
    yield
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def failing_app() -> FastAPI:
    """The app with one more route, which reads the body and fails."""
    app = create_app(get_settings())

    async def fail(request: Request) -> None:
        payload = await request.json()
        raise RuntimeError(f"could not handle {payload['email']}")

    app.add_api_route("/sentry-test-failure", fail, methods=["POST"])
    return app


def trigger(app: FastAPI) -> str:
    """Sends a request full of personal data to the failing route; its request id."""
    client = TestClient(app, raise_server_exceptions=False)
    client.cookies.set("session", SESSION)
    response = client.post(
        f"/sentry-test-failure?email={EMAIL}",
        json={"email": EMAIL, "password": PASSWORD},
        headers={"Authorization": f"Bearer {BEARER}", "X-CSRF-Token": CSRF},
    )
    assert response.status_code == 500
    assert EMAIL not in response.text
    request_id: str = response.headers["X-Request-ID"]
    return request_id


def events(envelope: bytes) -> list[dict[str, Any]]:
    """The event items of an envelope (header line, then item header and payload pairs)."""
    lines = envelope.split(b"\n")
    found = []
    for header, payload in zip(lines[1::2], lines[2::2], strict=False):
        if json.loads(header).get("type") == "event":
            found.append(json.loads(payload))
    return found


def test_an_unhandled_error_is_reported_without_personal_data(
    fake_sentry: FakeSentry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENTRY_DSN", fake_sentry.dsn)
    request_id = trigger(failing_app())
    # Other envelopes (sessions, client reports) may come first, and a busy
    # machine may take a while: wait for the event itself.
    deadline = time.monotonic() + 30
    reported: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        sentry_sdk.flush(timeout=5)
        reported = [event for envelope in list(fake_sentry.envelopes) for event in events(envelope)]
        if any(event.get("tags", {}).get("request_id") == request_id for event in reported):
            break
        time.sleep(0.2)
    assert any(event.get("tags", {}).get("request_id") == request_id for event in reported), (
        f"no event tagged with the request id among {len(fake_sentry.envelopes)} envelopes"
    )
    raw = b"".join(fake_sentry.envelopes).decode("utf-8", errors="replace")
    for secret in (EMAIL, SESSION, BEARER, CSRF, PASSWORD):
        assert secret not in raw, f"{secret} reached Sentry"
    assert "reported.person" not in raw
    for event in reported:
        request = event.get("request", {})
        assert "cookies" not in request
        assert "data" not in request
        assert "query_string" not in request
        headers = {name.lower() for name in request.get("headers", {})}
        assert not headers & {"authorization", "cookie", "x-csrf-token"}
        assert "user" not in event


def test_without_a_dsn_nothing_is_sent(
    fake_sentry: FakeSentry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    assert not sentry.install(FastAPI())
    trigger(failing_app())
    sentry_sdk.flush(timeout=2)
    assert not sentry_sdk.get_client().is_active()
    assert not fake_sentry.received.wait(timeout=1)
    assert fake_sentry.envelopes == []


def test_scrub_drops_credentials_and_redacts_text() -> None:
    event: Any = {
        "request": {
            "url": f"http://testserver/x?email={EMAIL}",
            "headers": {"Authorization": "Bearer x", "Cookie": "a=b", "Accept": "*/*"},
            "cookies": {"session": SESSION},
            "data": {"password": PASSWORD},
            "query_string": f"email={EMAIL}",
        },
        "user": {"email": EMAIL},
        "message": f"failed for {EMAIL}",
    }
    scrubbed: Any = sentry.scrub(event, {})
    assert scrubbed["request"] == {"url": "http://testserver/x", "headers": {"Accept": "*/*"}}
    assert "user" not in scrubbed
    assert EMAIL not in scrubbed["message"]
