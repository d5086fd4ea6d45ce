"""The `stripe` integration, against stripe-mock and signed webhook events.

stripe-mock (Stripe's own fake of its API, from the Go module proxy) plays
Stripe for the API calls: `STRIPE_MOCK` names its program, else one on the
PATH, else the copy this suite builds once with `go install` into
`~/.cache/stripe-mock/v0.203.0` (scripts/setup of archgen
builds the same). Webhook payloads are signed here with Stripe's scheme
(the SDK's `WebhookSignature.generate_signature_header`), as Stripe signs
them.
"""

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import stripe

from lend_well.db import get_sessionmaker
from lend_well.integrations import stripe as integration
from lend_well.models import AuditEvent
from tests.conftest import Api
from tests.factories import make

STRIPE_MOCK_VERSION = "v0.203.0"
WEBHOOK_SECRET = "whsec_test_secret_for_the_suite"
AMOUNT = 4200
CARD = "4242424242424242"


def _stripe_mock_program() -> str:
    """stripe-mock's path: `STRIPE_MOCK`, the PATH, or the cached build (made once)."""
    named = os.environ.get("STRIPE_MOCK")
    if named:
        return named
    found = shutil.which("stripe-mock")
    if found:
        return found
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = cache / "stripe-mock" / STRIPE_MOCK_VERSION
    program = folder / "stripe-mock"
    if program.is_file():
        return str(program)
    go = shutil.which("go")
    if go is None:
        pytest.fail(
            "stripe-mock is needed: install Go, or run "
            f"`go install github.com/stripe/stripe-mock@{STRIPE_MOCK_VERSION}` "
            "and set STRIPE_MOCK to the program"
        )
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [go, "install", f"github.com/stripe/stripe-mock@{STRIPE_MOCK_VERSION}"],
        env={**os.environ, "GOBIN": str(folder)},
        check=True,
        timeout=600,
    )
    return str(program)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def stripe_mock() -> Iterator[str]:
    """The base URL of a stripe-mock of the suite's own, on a free loopback port."""
    port = _free_port()
    process = subprocess.Popen(
        [_stripe_mock_program(), "-http-port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/v1/balance", headers={"Authorization": "Bearer sk_test_123"})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def stripe_settings(stripe_mock: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_123")
    monkeypatch.setenv("STRIPE_API_BASE", stripe_mock)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("STRIPE_MAX_NETWORK_RETRIES", "1")


def pay_path(row_id: str | uuid.UUID) -> str:
    """The path that pays for a row."""
    return f"/repayments/{row_id}/payment"


def payable(admin: Api) -> str:
    """A row with a price, ready to be paid; its id."""
    row_id: str = make(admin, "Repayment")["id"]
    with get_sessionmaker()() as db:
        db.execute(
            sa.update(integration.PaidRow)
            .where(integration.PaidRow.id == uuid.UUID(row_id))
            .values(
                amount_cents=AMOUNT,
                state="due",
            )
        )
        db.commit()
    return row_id


def is_paid(row_id: str) -> bool:
    with get_sessionmaker()() as db:
        row = db.get(integration.PaidRow, uuid.UUID(row_id))
        assert row is not None
        return bool(row.state == "paid")


def payments() -> list[integration.Payment]:
    with get_sessionmaker()() as db:
        return list(db.scalars(sa.select(integration.Payment)))


def audited(action: str, row_id: str) -> int:
    with get_sessionmaker()() as db:
        return len(
            db.scalars(
                sa.select(AuditEvent).where(
                    AuditEvent.action == action, AuditEvent.entity_id == row_id
                )
            ).all()
        )


def event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
    body = {
        "id": event_id or f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": kind,
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


def deliver(
    api: Api, payload: bytes, *, at: int | None = None, secret: str = WEBHOOK_SECRET
) -> httpx.Response:
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), secret, timestamp=at if at is not None else int(time.time())
    )
    return api.post(
        "/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def pay(admin: Api) -> tuple[str, str]:
    """A row and the Stripe id of its payment."""
    row_id = payable(admin)
    response = admin.post(pay_path(row_id))
    assert response.status_code == 200, response.text
    payment_id: str = response.json()["payment_id"]
    return row_id, payment_id


def succeeded(payment_id: str, row_id: str) -> dict[str, Any]:
    return {
        "id": payment_id,
        "object": "payment_intent",
        "status": "succeeded",
        "metadata": {"entity": "Repayment", "row_id": row_id},
    }


SUCCEEDED = "payment_intent.succeeded"


def test_the_payment_is_created_then_reused_with_the_same_key(admin: Api) -> None:
    row_id = payable(admin)
    first = admin.post(pay_path(row_id))
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == {"payment_id", "client_secret", "status"}
    assert body["payment_id"]
    again = admin.post(pay_path(row_id))
    assert again.status_code == 200, again.text
    assert again.json()["payment_id"] == body["payment_id"]
    stored = payments()
    assert len(stored) == 1
    assert stored[0].amount == AMOUNT
    assert stored[0].idempotency_key == integration.idempotency_key(
        uuid.UUID(row_id), AMOUNT, stored[0].currency
    )
    assert audited("payment_started", row_id) == 1
    assert not is_paid(row_id)


def test_a_row_the_caller_cannot_see_is_not_paid_for(admin: Api, anonymous: Api) -> None:
    row_id = payable(admin)
    assert anonymous.post(pay_path(row_id)).status_code == 401
    assert admin.post(pay_path(uuid.uuid4())).status_code == 404
    assert payments() == []


def test_a_row_payment_does_not_move_is_409(admin: Api) -> None:
    row_id = payable(admin)
    elsewhere = sa.update(integration.PaidRow).where(integration.PaidRow.id == uuid.UUID(row_id))
    with get_sessionmaker()() as db:
        db.execute(elsewhere.values(state="scheduled"))
        db.commit()
    refused = admin.post(pay_path(row_id))
    assert refused.status_code == 409, refused.text
    assert "state" in refused.json()["errors"]
    assert payments() == []


def test_a_bad_signature_is_400(anonymous: Api) -> None:
    payload = event(SUCCEEDED, {"id": "x"})
    assert deliver(anonymous, payload, secret="whsec_wrong").status_code == 400
    assert anonymous.post("/webhooks/stripe", content=payload).status_code == 400
    response = anonymous.post(
        "/webhooks/stripe", content=payload, headers={"Stripe-Signature": "t=1,v1=00"}
    )
    assert response.status_code == 400


def test_a_stale_timestamp_is_400(admin: Api, anonymous: Api) -> None:
    row_id, payment_id = pay(admin)
    stale = int(time.time()) - integration.SIGNATURE_TOLERANCE - 60
    payload = event(SUCCEEDED, succeeded(payment_id, row_id))
    assert deliver(anonymous, payload, at=stale).status_code == 400
    assert not is_paid(row_id)


def test_success_marks_the_row_once_and_a_replay_does_nothing(admin: Api, anonymous: Api) -> None:
    row_id, payment_id = pay(admin)
    payload = event(SUCCEEDED, succeeded(payment_id, row_id))
    first = deliver(anonymous, payload)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": True, "replay": False}
    assert is_paid(row_id)
    assert payments()[0].status == "succeeded"
    replay = deliver(anonymous, payload)
    assert replay.status_code == 200
    assert replay.json() == {"received": True, "replay": True}
    # Stripe may send the same news again under another event id.
    assert deliver(anonymous, event(SUCCEEDED, succeeded(payment_id, row_id))).status_code == 200
    assert audited("payment_succeeded", row_id) == 1
    assert admin.post(pay_path(row_id)).status_code == 409


# Two deliveries at once wait on each other's row: their writes must commit.
@pytest.mark.committed
def test_two_deliveries_at_once_change_the_row_once(admin: Api, app: Any) -> None:
    row_id, payment_id = pay(admin)
    payload = event(SUCCEEDED, succeeded(payment_id, row_id))
    answers: list[int] = []
    start = threading.Barrier(2)

    def send() -> None:
        start.wait()
        answers.append(deliver(Api(app), payload).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [200, 200]
    assert is_paid(row_id)
    assert audited("payment_succeeded", row_id) == 1


def test_a_failure_is_recorded(admin: Api, anonymous: Api) -> None:
    row_id, payment_id = pay(admin)
    failed = {
        "id": payment_id,
        "object": "payment_intent",
        "status": "requires_payment_method",
        "metadata": {"entity": "Repayment", "row_id": row_id},
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
    }
    assert deliver(anonymous, event("payment_intent.payment_failed", failed)).status_code == 200
    stored = payments()[0]
    assert stored.status == "failed"
    assert stored.failure_code == "card_declined"
    assert not is_paid(row_id)
    assert audited("payment_failed", row_id) == 1


def test_a_refund_is_recorded(admin: Api, anonymous: Api) -> None:
    row_id, payment_id = pay(admin)
    assert deliver(anonymous, event(SUCCEEDED, succeeded(payment_id, row_id))).status_code == 200
    charge = {
        "id": f"ch_{uuid.uuid4().hex}",
        "object": "charge",
        "payment_intent": payment_id,
        "amount": AMOUNT,
        "amount_refunded": AMOUNT,
        "metadata": {"entity": "Repayment", "row_id": row_id},
    }
    assert deliver(anonymous, event("charge.refunded", charge)).status_code == 200
    stored = payments()[0]
    assert stored.status == "refunded"
    assert stored.amount_refunded == AMOUNT
    assert audited("payment_refunded", row_id) == 1


class Outage(BaseHTTPRequestHandler):
    """Stripe down: every call answers 503, which Stripe's SDK retries."""

    calls = 0

    def do_POST(self) -> None:
        Outage.calls += 1
        body = b'{"error": {"type": "api_error", "message": "down"}}'
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_an_outage_is_retried_a_bounded_number_of_times_then_502(
    admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Outage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        Outage.calls = 0
        monkeypatch.setenv("STRIPE_API_BASE", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("STRIPE_MAX_NETWORK_RETRIES", "2")
        row_id = payable(admin)
        assert admin.post(pay_path(row_id)).status_code == 502
        assert Outage.calls == 3
        assert payments() == []
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_card_like_reaches_the_logs(
    admin: Api, anonymous: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    row_id = payable(admin)
    answer = admin.post(pay_path(row_id)).json()
    obj = succeeded(answer["payment_id"], row_id)
    obj["payment_method_details"] = {"card": {"number": CARD, "cvc": "123", "last4": "4242"}}
    assert deliver(anonymous, event(SUCCEEDED, obj)).status_code == 200
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert CARD not in logged
    assert not re.search(r"\b(?:\d[ -]?){13,19}\b", logged)
    secret = answer.get("client_secret") or ""
    assert not secret or secret not in logged
    assert WEBHOOK_SECRET not in logged
