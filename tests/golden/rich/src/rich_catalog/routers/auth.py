"""Sign-up, sign-in, sign-out and the current account."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rich_catalog import audit
from rich_catalog.models import AuthUser
from rich_catalog.problems import Problem, conflict, forbidden, invalid, unauthorized
from rich_catalog.schemas.auth import AccountOut, LoginIn, LoginOut, RegisterIn
from rich_catalog.security import sessions
from rich_catalog.security.dependencies import (
    CurrentPrincipal,
    DbSession,
    OptionalPrincipal,
)
from rich_catalog.services import auth, users
from rich_catalog.settings import Settings, app_settings

SIGNUP_ROLES: tuple[str, ...] = ("customer",)
BAD_CREDENTIALS = "The email or password is wrong."

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=201, response_model=AccountOut)
def register(body: RegisterIn, db: DbSession) -> AccountOut:
    """Creates an account in a signup role (the first one unless `role` names another)."""
    if not SIGNUP_ROLES:
        raise forbidden("Sign-up is closed; an administrator creates accounts.")
    role = body.role if body.role is not None else SIGNUP_ROLES[0]
    if role not in SIGNUP_ROLES:
        raise invalid({"role": "must be one of: " + ", ".join(SIGNUP_ROLES)})
    try:
        user = users.create_user(db, body.email, body.password, role)
        db.flush()
        audit.record(db, "register", user, "account", user.id)
        db.commit()
    except users.AccountError as error:
        raise invalid(error.errors) from None
    except IntegrityError:
        db.rollback()
        raise conflict(
            "This email is already registered.", {"email": "is already registered"}
        ) from None
    return AccountOut(user_id=user.id, email=user.email, role=user.role)


@router.post("/login", response_model=LoginOut)
def login(
    body: LoginIn,
    request: Request,
    db: DbSession,
    response: Response,
    settings: Annotated[Settings, Depends(app_settings)],
) -> LoginOut:
    """Starts a session: sets the `session` and `csrf_token` cookies."""
    try:
        address = request.client.host if request.client else "unknown"
        user = auth.authenticate(db, body.email, body.password, address)
    except auth.LockedOut as locked:
        raise Problem(
            429,
            "Too many failed sign-ins; try again later.",
            headers={"Retry-After": str(locked.retry_after)},
        ) from None
    if user is None:
        raise unauthorized(BAD_CREDENTIALS)
    started = start_session(db, user, response, settings)
    return LoginOut(
        user_id=user.id,
        email=user.email,
        role=user.role,
        csrf_token=started.csrf_token,
    )


def start_session(
    db: Session, user: AuthUser, response: Response, settings: Settings
) -> sessions.NewSession:
    """Signs `user` in: a session row, the `login` audit event, the cookies on `response`."""
    started = sessions.start(db, user)
    audit.record(db, "login", user)
    db.commit()
    max_age = int(sessions.ABSOLUTE_TIMEOUT.total_seconds())
    response.set_cookie(
        sessions.SESSION_COOKIE,
        started.token,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        sessions.CSRF_COOKIE,
        started.csrf_token,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=False,
        samesite="lax",
    )
    return started


@router.post("/logout", status_code=204)
def logout(
    request: Request,
    principal: OptionalPrincipal,
    db: DbSession,
) -> Response:
    """Revokes the session on the server and clears the cookies."""
    token = request.cookies.get(sessions.SESSION_COOKIE)
    if principal is not None and token:
        audit.record(db, "logout", principal)
        sessions.revoke(db, token)
    response = Response(status_code=204)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    response.delete_cookie(sessions.CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=AccountOut)
def me(principal: CurrentPrincipal) -> AccountOut:
    """The signed-in account."""
    return AccountOut(user_id=principal.user_id, email=principal.email, role=principal.role)
