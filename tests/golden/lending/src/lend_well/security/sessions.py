"""Server-side sessions: an opaque random token in a cookie, only its hash stored."""

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lend_well.models import AuthSession, AuthUser

IDLE_TIMEOUT = dt.timedelta(minutes=15)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
# A session's activity is written at most this often: a read within it writes nothing.
TOUCH_INTERVAL = dt.timedelta(minutes=1)
SESSION_COOKIE = "session"
CSRF_COOKIE = "csrf_token"


@dataclass(frozen=True)
class NewSession:
    """A session just started: the token for the cookie and its CSRF token."""

    token: str
    csrf_token: str


def now() -> dt.datetime:
    """The current time, in UTC."""
    return dt.datetime.now(dt.UTC)


def token_hash(token: str) -> str:
    """The SHA-256 hash under which a session token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, user: AuthUser) -> NewSession:
    """Starts a new session for the user (a new token at every login)."""
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    started = now()
    db.add(
        AuthSession(
            user_id=user.id,
            token_hash=token_hash(token),
            csrf_token=csrf_token,
            created_at=started,
            last_seen_at=started,
            expires_at=started + ABSOLUTE_TIMEOUT,
        )
    )
    return NewSession(token=token, csrf_token=csrf_token)


@dataclass(frozen=True)
class LiveSession:
    """A live session and the account behind it: what a request needs to know of its caller."""

    id: uuid.UUID
    csrf_token: str
    last_seen_at: dt.datetime
    user_id: uuid.UUID
    email: str
    role: str

    def due_for_touch(self) -> bool:
        """Whether its `last_seen_at` is older than `TOUCH_INTERVAL`, so a request writes it."""
        return now() - self.last_seen_at >= TOUCH_INTERVAL


# One row of plain columns, not two mapped objects: this runs on every request.
_LIVE = sa.select(
    AuthSession.id,
    AuthSession.csrf_token,
    AuthSession.last_seen_at,
    AuthSession.expires_at,
    AuthUser.id,
    AuthUser.email,
    AuthUser.role,
).join(AuthUser, AuthUser.id == AuthSession.user_id)


def find_live(db: Session, token: str) -> LiveSession | None:
    """The live session with this token and its user; `None` when expired.

    Its `last_seen_at` is written when it is older than `TOUCH_INTERVAL`, so
    the idle timeout is kept to within a minute and most requests write nothing.
    """
    row = db.execute(_LIVE.where(AuthSession.token_hash == token_hash(token))).one_or_none()
    if row is None:
        return None
    session_id, csrf_token, last_seen_at, expires_at, user_id, email, role = row
    current = now()
    if current >= expires_at or current >= last_seen_at + IDLE_TIMEOUT:
        db.execute(sa.delete(AuthSession).where(AuthSession.id == session_id))
        db.commit()
        return None
    if current - last_seen_at >= TOUCH_INTERVAL:
        db.execute(
            sa.update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=current)
        )
        db.commit()
        last_seen_at = current
    return LiveSession(
        id=session_id,
        csrf_token=csrf_token,
        last_seen_at=last_seen_at,
        user_id=user_id,
        email=email,
        role=role,
    )


def revoke(db: Session, token: str) -> None:
    """Ends the session with this token, if any."""
    db.execute(sa.delete(AuthSession).where(AuthSession.token_hash == token_hash(token)))
    db.commit()


def revoke_all(db: Session, user_id: uuid.UUID) -> None:
    """Ends every session of the account (not committed)."""
    db.execute(sa.delete(AuthSession).where(AuthSession.user_id == user_id))
