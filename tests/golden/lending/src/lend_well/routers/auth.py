"""Sign-up, sign-in, sign-out and the current account."""

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lend_well import audit
from lend_well.mail import outbox, tokens
from lend_well.mail import templates as mails
from lend_well.models import AuthUser
from lend_well.problems import Problem, forbidden, invalid, unauthorized
from lend_well.schemas.auth import (
    Accepted,
    LoginIn,
    LoginOut,
    MeOut,
    PasswordResetConfirmIn,
    PasswordResetIn,
    RegisterIn,
    VerifyEmailIn,
)
from lend_well.security import sessions
from lend_well.security.dependencies import (
    CurrentPrincipal,
    DbSession,
    OptionalPrincipal,
)
from lend_well.security.passwords import hash_password, policy_error
from lend_well.services import auth, users
from lend_well.settings import Settings, app_settings, get_settings

SIGNUP_ROLES: tuple[str, ...] = ("applicant",)
BAD_CREDENTIALS = "The email or password is wrong."

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=202, response_model=Accepted)
def register(body: RegisterIn, db: DbSession) -> Accepted:
    """Creates an account in a signup role and mails a verification link; for a
    taken email, mails a notice instead. The answer is the same either way."""
    if not SIGNUP_ROLES:
        raise forbidden("Sign-up is closed; an administrator creates accounts.")
    role = body.role if body.role is not None else SIGNUP_ROLES[0]
    if role not in SIGNUP_ROLES:
        raise invalid({"role": "must be one of: " + ", ".join(SIGNUP_ROLES)})
    existing = users.find_by_email(db, body.email)
    if existing is not None:
        _mail_already_registered(db, existing)
        db.commit()
        return Accepted()
    try:
        user = users.create_user(db, body.email, body.password, role)
        db.flush()
        audit.record(db, "register", user, "account", user.id)
        token = tokens.issue(db, user.id, tokens.VERIFY)
        outbox.enqueue(db, user.email, mails.verification(_link("verify-email", token)))
        db.commit()
    except users.AccountError as error:
        raise invalid(error.errors) from None
    except IntegrityError:
        # Registered at the same moment by another request: answered the same.
        db.rollback()
        existing = users.find_by_email(db, body.email)
        if existing is not None:
            _mail_already_registered(db, existing)
            db.commit()
    return Accepted()


def _link(page: str, token: str) -> str:
    """The link a mail carries: the app's base URL, the page and the token."""
    base = get_settings().app_base_url.rstrip("/")
    return f"{base}/{page}?token={token}"


def _mail_already_registered(db: Session, user: AuthUser) -> None:
    token = tokens.issue(db, user.id, tokens.RESET)
    outbox.enqueue(db, user.email, mails.already_registered(_link("reset-password", token)))


@router.post("/verify-email", status_code=204)
def verify_email(body: VerifyEmailIn, db: DbSession) -> Response:
    """Marks the address verified; the token works once, before it expires."""
    user_id = tokens.consume(db, body.token, tokens.VERIFY)
    if user_id is None:
        raise invalid({"token": "is unknown, used or expired"})
    db.execute(sa.update(AuthUser).where(AuthUser.id == user_id).values(email_verified=True))
    db.commit()
    return Response(status_code=204)


@router.post("/password-reset", status_code=202, response_model=Accepted)
def password_reset(body: PasswordResetIn, db: DbSession) -> Accepted:
    """Mails a reset link to a registered address; answers the same for any address."""
    user = users.find_by_email(db, body.email)
    if user is not None:
        token = tokens.issue(db, user.id, tokens.RESET)
        outbox.enqueue(db, user.email, mails.password_reset(_link("reset-password", token)))
        db.commit()
    return Accepted()


@router.post("/password-reset/confirm", status_code=204)
def password_reset_confirm(body: PasswordResetConfirmIn, db: DbSession) -> Response:
    """Sets a new password and revokes every session of the account."""
    user_id = tokens.consume(db, body.token, tokens.RESET)
    if user_id is None:
        db.rollback()
        raise invalid({"token": "is unknown, used or expired"})
    user = db.get(AuthUser, user_id)
    if user is None:
        db.rollback()
        raise invalid({"token": "is unknown, used or expired"})
    reason = policy_error(body.password, user.email)
    if reason is not None:
        # The token stays usable: nothing is committed.
        db.rollback()
        raise invalid({"password": reason})
    user.password_hash = hash_password(body.password)
    # Following the link proves the address too.
    user.email_verified = True
    tokens.revoke_all(db, user.id, tokens.RESET)
    sessions.revoke_all(db, user.id)
    db.commit()
    return Response(status_code=204)


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


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal, db: DbSession) -> MeOut:
    """The signed-in account, with whether its address is verified."""
    verified = db.scalar(sa.select(AuthUser.email_verified).where(AuthUser.id == principal.user_id))
    return MeOut(
        user_id=principal.user_id,
        email=principal.email,
        role=principal.role,
        email_verified=bool(verified),
    )
