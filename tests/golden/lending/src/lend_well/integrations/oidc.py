"""Sign-in through an OpenID Connect provider (the `oidc` integration).

`GET /auth/oidc/login` redirects to the provider's authorization endpoint,
found through discovery (`OIDC_ISSUER` + `/.well-known/openid-configuration`),
with `state`, `nonce` and a PKCE challenge (S256). The three are kept in a
signed, HttpOnly cookie that lives ten minutes and is sent to these two
routes only.

`GET /auth/oidc/callback` exchanges the code (with the PKCE verifier) and
verifies the ID token: its signature against the provider's JWKS, `iss`,
`aud`, `exp` and `nonce` (Authlib does all of it). An email the provider
says is verified links the account that has it, or a new account is created
in the role "applicant"; then the session starts exactly as a password
login starts it (routers/auth.py: the session row, the `login` audit event,
the `session` and `csrf_token` cookies) and the browser goes to
`OIDC_REDIRECT_AFTER_LOGIN`. The lockout is not involved: no password is
tried. A wrong or expired state, an error from the provider, a token that
fails a check or an unverified email answers 400 and is audited as
`login_failed`; never a 500.
"""

import secrets
import warnings
from typing import Any, cast

import httpx
from authlib.deprecate import AuthlibDeprecationWarning  # type: ignore[import-untyped]
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from joserfc.errors import JoseError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from lend_well import audit
from lend_well.problems import Problem
from lend_well.routers.auth import start_session
from lend_well.security.dependencies import DbSession
from lend_well.services import users
from lend_well.settings import Settings

with warnings.catch_warnings():
    # Authlib warns that it prefers httpx2 when it finds httpx; the project pins
    # httpx (Starlette's TestClient would switch to httpx2 if it were installed),
    # and the served app writes only JSON lines, never a warning.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import (  # type: ignore[import-untyped]
        OAuth,
        OAuthError,
    )

API_PREFIX = "/api"
# The role of the accounts this integration creates (a signup role).
DEFAULT_ROLE = "applicant"
SCOPE = "openid email profile"
# The signed cookie that carries state, nonce and the PKCE verifier.
STATE_COOKIE = "oidc_state"
STATE_MAX_AGE = 600
# Whatever a failed exchange or verification raises.
REFUSALS = (OAuthError, JoseError, httpx.HTTPError, ValueError, KeyError)


class OidcSettings(BaseSettings):
    """What the integration reads from the environment."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_uri: str = ""
    oidc_redirect_after_login: str = "/"

    @property
    def configured(self) -> bool:
        """Whether the provider and this client are named."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_redirect_uri)


class Refused(Exception):
    """A sign-in the callback refuses, with the code the answer carries."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


router = APIRouter(prefix="/auth/oidc", tags=["auth"])


def _client(request: Request) -> Any:
    """The provider's client, or 503 while the integration is not configured."""
    client = getattr(request.app.state, "oidc", None)
    if client is None:
        raise Problem(503, "Sign-in with the identity provider is not configured.")
    return client


@router.get("/login", status_code=302)
async def login(request: Request) -> Response:
    """Redirects to the provider with state, nonce and a PKCE (S256) challenge."""
    client = _client(request)
    settings = cast(OidcSettings, request.app.state.oidc_settings)
    try:
        answer = await client.authorize_redirect(request, settings.oidc_redirect_uri)
    except (httpx.HTTPError, OAuthError, ValueError, KeyError):
        raise Problem(503, "The identity provider cannot be reached; try again later.") from None
    return cast(Response, answer)


def _refuse(db: Session, refusal: Refused) -> Problem:
    """Audits a refused sign-in and makes its 400."""
    db.rollback()
    audit.record(db, "login_failed", None, "oidc", None, [refusal.code])
    db.commit()
    return Problem(400, refusal.detail, errors={"oidc": refusal.code})


def _sign_in(db: Session, claims: dict[str, Any], response: Response, settings: Settings) -> None:
    """Links or creates the account of a verified ID token and starts its session."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise Refused("no_email", "The identity provider gave no email address.")
    if claims.get("email_verified") is not True:
        raise Refused(
            "email_not_verified", "The identity provider has not verified this email address."
        )
    user = users.find_by_email(db, email)
    if user is None:
        # The account signs in through the provider: its password is random and never told.
        try:
            user = users.create_user(db, email, secrets.token_urlsafe(32), DEFAULT_ROLE)
            db.flush()
        except users.AccountError:
            raise Refused(
                "bad_email", "The identity provider's email address is not usable."
            ) from None
        except IntegrityError:
            raise Refused("conflict", "This account changed meanwhile; sign in again.") from None
        audit.record(db, "register", user, "account", user.id)
    # The provider vouches for the address, so the account's own verification is done.
    user.email_verified = True
    start_session(db, user, response, settings)


@router.get("/callback", status_code=302)
async def callback(request: Request, db: DbSession) -> Response:
    """Verifies the provider's answer and starts a session, or answers 400."""
    client = _client(request)
    oidc_settings = cast(OidcSettings, request.app.state.oidc_settings)
    settings = cast(Settings, request.app.state.oidc_app_settings)
    try:
        if "error" in request.query_params:
            raise Refused("provider_error", "The identity provider refused the sign-in.")
        try:
            token = await client.authorize_access_token(request)
        except REFUSALS:
            raise Refused(
                "invalid_response",
                "The sign-in could not be verified (a wrong or expired state, or an invalid ID token).",
            ) from None
        claims = token.get("userinfo") if isinstance(token, dict) else None
        if not isinstance(claims, dict):
            raise Refused("no_id_token", "The identity provider sent no ID token.")
        response = RedirectResponse(oidc_settings.oidc_redirect_after_login, status_code=302)
        await run_in_threadpool(_sign_in, db, dict(claims), response, settings)
    except Refused as refusal:
        raise await run_in_threadpool(_refuse, db, refusal) from None
    return response


def install(app: FastAPI) -> bool:
    """Adds the two routes, and the provider's client when configured; whether it is."""
    oidc_settings = OidcSettings()
    settings = cast(Settings, app.state.settings)
    app.state.oidc_settings = oidc_settings
    app.state.oidc_app_settings = settings
    app.state.oidc = None
    app.include_router(router, prefix=API_PREFIX)
    if not oidc_settings.configured:
        return False
    oauth = OAuth()
    app.state.oidc = oauth.register(
        "oidc",
        client_id=oidc_settings.oidc_client_id,
        client_secret=oidc_settings.oidc_client_secret or None,
        server_metadata_url=oidc_settings.oidc_issuer.rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=STATE_COOKIE,
        max_age=STATE_MAX_AGE,
        path=API_PREFIX + "/auth/oidc",
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    return True
