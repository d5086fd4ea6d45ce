"""Single-use tokens for the verification and password-reset links.

A token is 32 random bytes, URL-safe; only its SHA-256 hash is stored. It
is used at most once (consuming it is one atomic UPDATE) and only before it
expires: 24 hours for a verification, 30 minutes for a reset.
"""

import datetime as dt
import hashlib
import secrets
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lend_well.models import AuthEmailToken
from lend_well.security.sessions import now

VERIFY = "verify"
RESET = "reset"
LIFETIMES = {
    VERIFY: dt.timedelta(hours=24),
    RESET: dt.timedelta(minutes=30),
}


def token_hash(token: str) -> str:
    """The SHA-256 hash under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(db: Session, user_id: uuid.UUID, purpose: str) -> str:
    """A new token for the user (added, not committed); the caller mails it."""
    token = secrets.token_urlsafe(32)
    issued = now()
    db.add(
        AuthEmailToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=token_hash(token),
            created_at=issued,
            expires_at=issued + LIFETIMES[purpose],
        )
    )
    return token


def consume(db: Session, token: str, purpose: str) -> uuid.UUID | None:
    """The user the token was issued to, marking it used; `None` when it is
    unknown, of another purpose, used or expired. Not committed."""
    used: uuid.UUID | None = db.scalar(
        sa.update(AuthEmailToken)
        .where(
            AuthEmailToken.token_hash == token_hash(token),
            AuthEmailToken.purpose == purpose,
            AuthEmailToken.used_at.is_(None),
            AuthEmailToken.expires_at > now(),
        )
        .values(used_at=now())
        .returning(AuthEmailToken.user_id)
    )
    return used


def revoke_all(db: Session, user_id: uuid.UUID, purpose: str) -> None:
    """Marks every unused token of this purpose of the user used (not committed)."""
    db.execute(
        sa.update(AuthEmailToken)
        .where(
            AuthEmailToken.user_id == user_id,
            AuthEmailToken.purpose == purpose,
            AuthEmailToken.used_at.is_(None),
        )
        .values(used_at=now())
    )
