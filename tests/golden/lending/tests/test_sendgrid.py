"""The SendGrid provider against a local stand-in for its v3 API
(`POST /v3/mail/send`): delivery, answers of 500, timeouts, and fallback."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa

from lend_well.db import get_sessionmaker
from lend_well.integrations.sendgrid import Sendgrid, SendgridSettings
from lend_well.mail import outbox
from lend_well.mail.templates import password_reset
from lend_well.models import MailOutbox
from tests.conftest import ADMIN_ROLE, Api, make_user
from tests.servers import free_port

API_KEY = "SG.test-key"


class StandIn(ThreadingHTTPServer):
    """Answers `POST /v3/mail/send` with `status` (after `delay` seconds), keeping what it got."""

    def __init__(self, status: int = 202, delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.status = status
        self.delay = delay
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: StandIn

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(self.server.delay)
        if self.path == "/v3/mail/send" and self.server.status < 300:
            self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.status if self.path == "/v3/mail/send" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _sendgrid(url: str, timeout: float = 5.0) -> Sendgrid:
    return Sendgrid(
        SendgridSettings(sendgrid_api_key=API_KEY, sendgrid_api_url=url, sendgrid_timeout=timeout)
    )


def _drain(*providers: Sendgrid) -> int:
    with get_sessionmaker()() as db:
        return outbox.drain(db, providers)


def _rows() -> list[MailOutbox]:
    with get_sessionmaker()() as db:
        return list(db.scalars(sa.select(MailOutbox)))


def _queue(to: str) -> None:
    with get_sessionmaker()() as db:
        outbox.enqueue(db, to, password_reset("http://localhost/x?token=t"))
        db.commit()


def test_a_reset_mail_reaches_the_api_with_both_parts(stand_in: StandIn, anonymous: Api) -> None:
    address = make_user(ADMIN_ROLE, "sendgrid-reset@example.com")
    assert anonymous.post("/auth/password-reset", json={"email": address}).status_code == 202
    assert _drain(_sendgrid(stand_in.url)) == 1
    [(headers, body)] = stand_in.received
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert body["personalizations"] == [{"to": [{"email": address}]}]
    assert "LendWell" in body["subject"]
    kinds = [part["type"] for part in body["content"]]
    assert kinds == ["text/plain", "text/html"]
    assert "?token=" in body["content"][0]["value"]
    [row] = _rows()
    assert body["custom_args"] == {"outbox_id": str(row.id)}
    assert (row.status, row.provider) == (outbox.SENT, "sendgrid")


def test_a_provider_that_is_down_falls_back_to_the_next_and_nothing_is_sent_twice(
    stand_in: StandIn,
) -> None:
    _queue("fallback@example.com")
    down = _sendgrid(f"http://127.0.0.1:{free_port()}")
    assert _drain(down, _sendgrid(stand_in.url)) == 1
    assert len(stand_in.received) == 1
    assert _drain(down, _sendgrid(stand_in.url)) == 0
    assert len(stand_in.received) == 1
    [row] = _rows()
    assert (row.status, row.attempts) == (outbox.SENT, 1)


@pytest.mark.parametrize(("status", "delay"), [(500, 0.0), (202, 1.0)])
def test_500_or_a_timeout_is_retried_then_recorded_as_failed(status: int, delay: float) -> None:
    server = StandIn(status=status, delay=delay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _queue("unlucky@example.com")
        failing = _sendgrid(server.url, timeout=0.2)
        for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
            assert _drain(failing) == 1
            [row] = _rows()
            assert row.attempts == attempt
            assert row.last_error is not None
            assert "@" not in row.last_error and API_KEY not in row.last_error
            if attempt < outbox.MAX_ATTEMPTS:
                assert row.status == outbox.PENDING
                assert _drain(failing) == 0
                with get_sessionmaker()() as db:
                    db.execute(sa.update(MailOutbox).values(next_attempt_at=sa.func.now()))
                    db.commit()
        [row] = _rows()
        assert row.status == outbox.FAILED
        assert _drain(failing) == 0
    finally:
        server.shutdown()
        server.server_close()


def test_without_a_key_it_is_skipped() -> None:
    assert not Sendgrid(SendgridSettings(sendgrid_api_key="")).configured()
