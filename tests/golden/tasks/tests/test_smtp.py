"""The SMTP provider against a local SMTP server (aiosmtpd) that the tests read back."""

import email
import re
from collections.abc import Iterator
from email.message import Message as MailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from team_tasks.db import get_sessionmaker
from team_tasks.integrations.smtp import Smtp, SmtpSettings
from team_tasks.mail import outbox
from team_tasks.mail.templates import password_reset
from team_tasks.models import MailOutbox
from tests.conftest import ADMIN_ROLE, Api, make_user
from tests.servers import free_port

LINK = re.compile(r"\?token=([A-Za-z0-9_-]+)")


class Inbox:
    """An aiosmtpd handler keeping every mail it is given."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], MailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _smtp(port: int) -> Smtp:
    return Smtp(SmtpSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False))


def _parts(mail: MailMessage) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in mail.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts[part.get_content_type()] = payload.decode()
    return parts


def _drain(*providers: Smtp) -> int:
    with get_sessionmaker()() as db:
        return outbox.drain(db, providers)


def _rows() -> list[MailOutbox]:
    with get_sessionmaker()() as db:
        return list(db.scalars(sa.select(MailOutbox)))


def test_a_reset_mail_arrives_with_a_working_link(inbox: tuple[Inbox, int], anonymous: Api) -> None:
    handler, port = inbox
    address = make_user(ADMIN_ROLE, "smtp-reset@example.com")
    assert anonymous.post("/auth/password-reset", json={"email": address}).status_code == 202
    assert _drain(_smtp(port)) == 1
    [(recipients, mail)] = handler.mails
    assert recipients == [address]
    assert "TeamTasks" in mail["Subject"]
    parts = _parts(mail)
    assert set(parts) == {"text/plain", "text/html"}
    found = LINK.search(parts["text/plain"])
    assert found is not None
    confirm = {"token": found.group(1), "password": "a-new-long-enough-password"}
    assert anonymous.post("/auth/password-reset/confirm", json=confirm).status_code == 204
    [row] = _rows()
    assert (row.status, row.provider, row.attempts) == (outbox.SENT, "smtp", 1)
    # Sent rows are not sent again.
    assert _drain(_smtp(port)) == 0
    assert len(handler.mails) == 1


def test_a_relay_that_is_down_falls_back_to_the_next_and_nothing_is_sent_twice(
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    with get_sessionmaker()() as db:
        outbox.enqueue(db, "fallback@example.com", password_reset("http://localhost/x?token=t"))
        db.commit()
    down = _smtp(free_port())
    assert _drain(down, _smtp(port)) == 1
    assert [to for to, _ in handler.mails] == [["fallback@example.com"]]
    [row] = _rows()
    assert (row.status, row.provider) == (outbox.SENT, "smtp")
    assert _drain(down, _smtp(port)) == 0
    assert len(handler.mails) == 1


def test_a_relay_that_stays_down_is_retried_then_recorded_as_failed() -> None:
    with get_sessionmaker()() as db:
        outbox.enqueue(db, "nobody-home@example.com", password_reset("http://localhost/x?token=t"))
        db.commit()
    down = _smtp(free_port())
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert _drain(down) == 1
        [row] = _rows()
        assert row.attempts == attempt
        assert row.last_error is not None and "@" not in row.last_error
        if attempt < outbox.MAX_ATTEMPTS:
            assert row.status == outbox.PENDING
            # Not due before its backoff: the next drain leaves it alone.
            assert _drain(down) == 0
            with get_sessionmaker()() as db:
                db.execute(sa.update(MailOutbox).values(next_attempt_at=sa.func.now()))
                db.commit()
    [row] = _rows()
    assert row.status == outbox.FAILED
    assert _drain(down) == 0


def test_an_unconfigured_relay_is_skipped() -> None:
    assert not Smtp(SmtpSettings(smtp_host="")).configured()
