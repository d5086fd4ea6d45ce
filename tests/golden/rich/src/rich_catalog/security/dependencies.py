"""Who is calling: the live session behind the request, with CSRF checks."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from rich_catalog.db import get_db
from rich_catalog.problems import forbidden, unauthorized
from rich_catalog.ratelimit import counted_caller, enforce_user_limit
from rich_catalog.security import csrf, sessions

ADMIN_ROLES: tuple[str, ...] = ("admin",)

DbSession = Annotated[Session, Depends(get_db)]


@dataclass(frozen=True)
class Principal:
    """The signed-in user behind a request."""

    user_id: uuid.UUID
    email: str
    role: str
    session_id: uuid.UUID

    @property
    def is_admin(self) -> bool:
        """Admin roles may do everything."""
        return self.role in ADMIN_ROLES


async def current_principal(request: Request, db: DbSession) -> Principal | None:
    """The caller's live session, or `None`.

    The session the rate limiter's count found (ratelimit.py) is taken as
    it is, with no statement and no trip through the thread pool; it is
    looked up here when the count did not find it (counters in Redis, or
    no live session: an expired one is deleted) or its activity is due to
    be written. A state-changing request made with a live session must
    carry the session's CSRF token in the `X-CSRF-Token` header (403
    otherwise).
    """
    token = request.cookies.get(sessions.SESSION_COOKIE)
    if not token:
        return None
    found = counted_caller(request, token)
    if found is None or found.due_for_touch():
        found = await run_in_threadpool(sessions.find_live, db, token)
    if found is None:
        return None
    await enforce_user_limit(request, str(found.user_id), db)
    if not csrf.is_valid(request, found.csrf_token):
        raise forbidden("The X-CSRF-Token header is missing or wrong.")
    return Principal(user_id=found.user_id, email=found.email, role=found.role, session_id=found.id)


async def require_principal(
    principal: Annotated[Principal | None, Depends(current_principal)],
) -> Principal:
    """The signed-in caller (401 without a live session)."""
    if principal is None:
        raise unauthorized()
    return principal


async def require_admin(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    """A caller holding an admin role (403 otherwise)."""
    if not principal.is_admin:
        raise forbidden("Only administrators may do this.")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(current_principal)]
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]
