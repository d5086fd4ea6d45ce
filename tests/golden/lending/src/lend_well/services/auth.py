"""Signing in: the lockout after repeated failures, and sessions."""

import datetime as dt
import hashlib
import math

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lend_well import audit
from lend_well.models import AuthLoginAttempt, AuthUser
from lend_well.security import sessions
from lend_well.security.passwords import verify_password
from lend_well.services.users import find_by_email, normalize_email

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)


class LockedOut(Exception):
    """Too many failed logins for this email; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"locked out for {retry_after} seconds")
        self.retry_after = retry_after


def email_key(email: str) -> str:
    """Failed logins are counted per email without storing the email."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()


def _locked_for(db: Session, key: str, current: dt.datetime) -> int | None:
    since = current - FAILURE_WINDOW
    count, oldest = db.execute(
        sa.select(sa.func.count(), sa.func.min(AuthLoginAttempt.attempted_at)).where(
            AuthLoginAttempt.email_key == key,
            AuthLoginAttempt.attempted_at > since,
        )
    ).one()
    if count < MAX_FAILURES or oldest is None:
        return None
    return max(1, math.ceil((oldest + FAILURE_WINDOW - current).total_seconds()))


def authenticate(db: Session, email: str, password: str) -> AuthUser | None:
    """The account when the password is right; records failures and enforces the lockout."""
    key = email_key(email)
    current = sessions.now()
    retry_after = _locked_for(db, key, current)
    user = find_by_email(db, email)
    if retry_after is not None:
        # The account is named by id when it exists; an unknown email is never recorded.
        audit.record(db, "lockout", user)
        db.commit()
        raise LockedOut(retry_after)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        db.add(AuthLoginAttempt(email_key=key, attempted_at=current))
        audit.record(db, "login_failed", user)
        db.commit()
        return None
    db.execute(sa.delete(AuthLoginAttempt).where(AuthLoginAttempt.email_key == key))
    return user
