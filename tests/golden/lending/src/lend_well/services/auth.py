"""Signing in: the lockout after repeated failures, and sessions.

The lockout counts failed logins per email and client address (5 in
30 minutes lock that email out from that address) and per email across
every address (50 lock it out from all of them), so no one
can lock a user out from a single machine. The count is atomic: under a
transaction-scoped advisory lock on the email, an attempt is decided and, when
it may go on, recorded as a failure *before* its password is checked, so
however many attempts arrive at once, no more than 5 passwords are
checked per email and address in a window. A successful login deletes the
email's attempts, for every address.
"""

import datetime as dt
import hashlib
import hmac
import math

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lend_well import audit
from lend_well.models import AuthLoginAttempt, AuthUser
from lend_well.security import sessions
from lend_well.security.passwords import verify_password
from lend_well.services.users import find_by_email, normalize_email
from lend_well.settings import get_settings

MAX_FAILURES = 5
MAX_EMAIL_FAILURES = 50
FAILURE_WINDOW = dt.timedelta(minutes=30)


class LockedOut(Exception):
    """Too many failed logins for this email; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"locked out for {retry_after} seconds")
        self.retry_after = retry_after


def email_key(email: str) -> str:
    """Failed logins are counted per email without storing the email."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()


def client_key(address: str) -> str:
    """...and per client address, as a keyed hash: no address is stored in the clear."""
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, f"login-client:{address}".encode(), hashlib.sha256).hexdigest()


def _retry_after(oldest: dt.datetime, current: dt.datetime) -> int:
    return max(1, math.ceil((oldest + FAILURE_WINDOW - current).total_seconds()))


def _admit(db: Session, key: str, client: str, current: dt.datetime) -> int | None:
    """Seconds of lockout, or None after recording the attempt as a failure.

    Runs under an advisory lock on the email, held until the caller commits,
    so concurrent attempts for one email are decided one after the other.
    """
    db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))
    since = current - FAILURE_WINDOW
    db.execute(
        sa.delete(AuthLoginAttempt).where(
            AuthLoginAttempt.email_key == key, AuthLoginAttempt.attempted_at <= since
        )
    )
    rows = db.execute(
        sa.select(AuthLoginAttempt.client_key, AuthLoginAttempt.attempted_at)
        .where(AuthLoginAttempt.email_key == key)
        .order_by(AuthLoginAttempt.attempted_at)
    ).all()
    from_client = [at for who, at in rows if who == client]
    waits = []
    if len(from_client) >= MAX_FAILURES:
        waits.append(_retry_after(from_client[len(from_client) - MAX_FAILURES], current))
    if len(rows) >= MAX_EMAIL_FAILURES:
        waits.append(_retry_after(rows[len(rows) - MAX_EMAIL_FAILURES][1], current))
    if waits:
        return max(waits)
    db.add(AuthLoginAttempt(email_key=key, client_key=client, attempted_at=current))
    return None


def authenticate(db: Session, email: str, password: str, address: str) -> AuthUser | None:
    """The account when the password is right; records failures and enforces the lockout."""
    key = email_key(email)
    current = sessions.now()
    user = find_by_email(db, email)
    retry_after = _admit(db, key, client_key(address), current)
    if retry_after is not None:
        # The account is named by id when it exists; an unknown email is never recorded.
        audit.record(db, "lockout", user)
        db.commit()
        raise LockedOut(retry_after)
    # The attempt is counted (and the lock released) before the password is checked.
    db.commit()
    # An unknown email is checked against a dummy hash, so it takes as long.
    if not verify_password(user.password_hash if user else None, password) or user is None:
        audit.record(db, "login_failed", user)
        db.commit()
        return None
    db.execute(sa.delete(AuthLoginAttempt).where(AuthLoginAttempt.email_key == key))
    return user
