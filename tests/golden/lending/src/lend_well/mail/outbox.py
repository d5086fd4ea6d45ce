"""The outbox: every mail is a row first, written in the request's transaction,
and leaves through the worker (`make worker`), never from a request.

The worker claims one due row at a time with `SELECT ... FOR UPDATE SKIP
LOCKED`, so any number of workers run side by side and no row is sent by
two of them. A row goes to the providers in the order the spec lists them;
the first that accepts it marks it sent. When every provider fails, the row
is tried again later, after an exponential backoff with jitter, and after
5 tries it is recorded as `failed` (with the last error, never the
address): it stays in the table, nothing is lost. Logs name a row by its id,
never by its address.
"""

import datetime as dt
import logging
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lend_well.mail.templates import Mail
from lend_well.models import MailOutbox
from lend_well.security.sessions import now

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
PENDING = "pending"
SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True)
class Message:
    """One mail on its way: the outbox row's id (providers use it to
    deduplicate), the recipient and the rendered mail."""

    id: uuid.UUID
    to: str
    subject: str
    text: str
    html: str


class DeliveryError(Exception):
    """A provider did not take the mail; the message never holds the address."""


class Provider(Protocol):
    """A way out for mail: SMTP, SendGrid."""

    name: str

    def configured(self) -> bool:
        """Whether its settings are present; an unconfigured provider is skipped."""
        ...

    def send(self, message: Message) -> None:
        """Hands the mail over, or raises DeliveryError."""
        ...


def enqueue(db: Session, to: str, mail: Mail) -> MailOutbox:
    """Adds a mail to the outbox (not committed: it leaves only if the request commits)."""
    row = MailOutbox(
        recipient=to,
        subject=mail.subject,
        body_text=mail.text,
        body_html=mail.html,
        status=PENDING,
        attempts=0,
        next_attempt_at=now(),
    )
    db.add(row)
    return row


def backoff(attempts: int) -> dt.timedelta:
    """The wait before try `attempts + 1`: exponential, capped, with jitter (half to all of it)."""
    ceiling: dt.timedelta = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))
    return ceiling * random.uniform(0.5, 1.0)


def deliver_one(db: Session, providers: Sequence[Provider]) -> bool:
    """Claims one due row and tries to send it; `False` when none is due."""
    row = db.scalars(
        sa.select(MailOutbox)
        .where(MailOutbox.status == PENDING, MailOutbox.next_attempt_at <= now())
        .order_by(MailOutbox.next_attempt_at, MailOutbox.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        db.rollback()
        return False
    message = Message(
        id=row.id,
        to=row.recipient,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
    )
    errors: list[str] = []
    for provider in providers:
        if not provider.configured():
            continue
        try:
            provider.send(message)
        except DeliveryError as error:
            errors.append(f"{provider.name}: {error}")
            logger.warning("mail %s: %s failed: %s", row.id, provider.name, error)
            continue
        row.status = SENT
        row.provider = provider.name
        row.sent_at = now()
        row.attempts += 1
        row.last_error = None
        db.commit()
        logger.info("mail %s: sent through %s", row.id, provider.name)
        return True
    row.attempts += 1
    row.last_error = ("; ".join(errors) or "no provider is configured")[:1000]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = FAILED
        logger.error("mail %s: failed after %s tries: %s", row.id, row.attempts, row.last_error)
    else:
        row.next_attempt_at = now() + backoff(row.attempts)
        logger.warning("mail %s: try %s failed, tried again later", row.id, row.attempts)
    db.commit()
    return True


def drain(db: Session, providers: Sequence[Provider]) -> int:
    """Sends every due row; the number of rows handled."""
    handled = 0
    while deliver_one(db, providers):
        handled += 1
    return handled
