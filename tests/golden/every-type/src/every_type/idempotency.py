"""`Idempotency-Key` on POST: a retry gets the first answer back and creates nothing.

A signed-in caller's create that carries the header claims its key, with a
SHA-256 of the method, path and body, in the request's own transaction.
The created item is stored as the answer, encrypted (it may hold sensitive
fields), in the same commit as the row and its audit event: all of it
exists, or none. A retry with the same key and body from the same user
within `RETENTION_HOURS` replays the first answer; the same key with
another request is 422. A retry that arrives while the first request is
still running waits for it (the claim's row is locked until that request
commits) and then replays, or goes ahead when the first one failed.
Without a session or without the header nothing is stored. `make
retention` deletes expired keys.
"""

import hashlib
import json
import re
import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from every_type.http import RawBody
from every_type.models import AuthIdempotencyKey
from every_type.problems import invalid
from every_type.security import crypto
from every_type.security.dependencies import DbSession, OptionalPrincipal

HEADER = "Idempotency-Key"
RETENTION_HOURS = 24
# Visible ASCII, 1 to 255 characters (a UUID is the usual choice).
_SANE_KEY = re.compile(r"[\x21-\x7e]{1,255}")


class Claim:
    """A request's hold on its key: the answer to replay, or where to store its own."""

    def __init__(
        self,
        db: Session | None = None,
        user_id: uuid.UUID | None = None,
        key: str | None = None,
        *,
        status: int = 201,
        replay: Response | None = None,
    ) -> None:
        self._db = db
        self._user_id = user_id
        self._key = key
        self._status = status
        self.replay = replay
        """The first answer, when this request is a retry."""

    def remember(self, item: BaseModel) -> None:
        """Stores the answer in the request's transaction (a no-op without a key)."""
        if self._db is None or self._user_id is None or self._key is None:
            return
        body = item.model_dump_json(by_alias=True, exclude_unset=True).encode()
        self._db.execute(
            sa.update(AuthIdempotencyKey)
            .where(
                AuthIdempotencyKey.user_id == self._user_id,
                AuthIdempotencyKey.key == self._key,
            )
            .values(status=self._status, answer=crypto.keyring().encrypt(body))
        )


NO_CLAIM = Claim()
"""Nothing to replay, nothing to store."""


def request_hash(method: str, path: str, body: bytes) -> str:
    """What a key is bound to: the method, the path and the body."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def claim(
    db: Session,
    user_id: uuid.UUID | None,
    key: str | None,
    method: str,
    path: str,
    body: bytes,
    status: int = 201,
) -> Claim:
    """Claims `key` for this request, or finds the first answer of the request that did.

    422 when the key is malformed or was used with another request.
    """
    if key is None or user_id is None:
        return NO_CLAIM
    if not _SANE_KEY.fullmatch(key):
        raise invalid({HEADER: "must be 1 to 255 visible ASCII characters"})
    digest = request_hash(method, path, body)
    mine = (AuthIdempotencyKey.user_id == user_id, AuthIdempotencyKey.key == key)
    expired = sa.func.now() - sa.func.make_interval(0, 0, 0, 0, RETENTION_HOURS)
    db.execute(sa.delete(AuthIdempotencyKey).where(*mine, AuthIdempotencyKey.created_at < expired))
    # Waits while another transaction holds the same key, then does nothing
    # if that one committed.
    inserted = db.execute(
        postgresql.insert(AuthIdempotencyKey)
        .values(user_id=user_id, key=key, request_hash=digest, created_at=sa.func.now())
        .on_conflict_do_nothing()
        .returning(AuthIdempotencyKey.key)
    ).first()
    if inserted is not None:
        return Claim(db, user_id, key, status=status)
    first = db.execute(sa.select(AuthIdempotencyKey).where(*mine)).scalar_one()
    if first.request_hash != digest or first.status is None or first.answer is None:
        raise invalid(
            {HEADER: "was used with another request; use a new key"},
            "The Idempotency-Key was used with another request.",
        )
    answer = json.loads(crypto.keyring().decrypt(first.answer))
    return Claim(replay=JSONResponse(answer, status_code=first.status))


async def idempotency_claim(
    request: Request,
    principal: OptionalPrincipal,
    db: DbSession,
    body: RawBody,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Claim:
    """The claim of a POST's `Idempotency-Key` header, after the access checks.

    Without a key (or a signed-in caller) there is nothing to claim and no
    I/O, so it answers on the event loop; a claim goes to the thread pool.
    """
    if idempotency_key is None or principal is None:
        return NO_CLAIM
    return await run_in_threadpool(
        claim, db, principal.user_id, idempotency_key, request.method, request.url.path, body
    )


Idempotent = Annotated[Claim, Depends(idempotency_claim)]


def purge(db: Session) -> int:
    """Deletes keys older than `RETENTION_HOURS`; returns how many (not committed)."""
    expired = sa.func.now() - sa.func.make_interval(0, 0, 0, 0, RETENTION_HOURS)
    result = db.execute(
        sa.delete(AuthIdempotencyKey).where(AuthIdempotencyKey.created_at < expired)
    )
    return int(getattr(result, "rowcount", 0) or 0)
