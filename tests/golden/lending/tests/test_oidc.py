"""The `oidc` integration, against a local OpenID provider.

A loopback HTTP server plays the provider: it publishes a discovery
document and a JWKS, and its token endpoint checks the client's secret, the
redirect URI and the PKCE verifier before it answers an RS256 ID token
signed with its key. The tests play the browser: they follow the login
redirect to learn state, nonce and the challenge, have the provider issue a
code for them, and bring the code back to the callback.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from lend_well.db import get_sessionmaker
from lend_well.integrations import oidc
from lend_well.main import create_app
from lend_well.models import AuditEvent, AuthUser
from lend_well.services.users import create_user
from lend_well.settings import get_settings

CLIENT_ID = "archgen-test-client"
CLIENT_SECRET = "client-secret-for-tests"
REDIRECT_URI = "http://testserver" + oidc.API_PREFIX + "/auth/oidc/callback"
AFTER_LOGIN = "/signed-in"
LOGIN = oidc.API_PREFIX + "/auth/oidc/login"
CALLBACK = oidc.API_PREFIX + "/auth/oidc/callback"
KEY_ID = "provider-key"
PASSWORD = "a-long-enough-test-password"


@dataclass
class Grant:
    """What the provider remembers about a code until it is redeemed."""

    challenge: str
    redirect_uri: str
    claims: dict[str, Any]
    key: RSAKey


@dataclass
class Provider:
    """The provider's state: its signing key and the codes it issued."""

    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": KEY_ID}))
    grants: dict[str, Grant] = field(default_factory=dict)
    issuer: str = ""

    def grant(
        self,
        query: dict[str, str],
        email: str,
        *,
        verified: bool = True,
        nonce: str | None = None,
        audience: str = CLIENT_ID,
        key: RSAKey | None = None,
    ) -> str:
        """A code for the authorization request `query`, as if the user had approved it."""
        assert query["code_challenge_method"] == "S256"
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "subject-" + email,
            "aud": audience,
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"] if nonce is None else nonce,
            "email": email,
            "email_verified": verified,
        }
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            query["code_challenge"], query["redirect_uri"], claims, key or self.key
        )
        return code


class ProviderServer(ThreadingHTTPServer):
    def __init__(self, provider: Provider) -> None:
        super().__init__(("127.0.0.1", 0), ProviderHandler)
        self.provider = provider
        provider.issuer = f"http://127.0.0.1:{self.server_address[1]}"


class ProviderHandler(BaseHTTPRequestHandler):
    server: ProviderServer

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        provider = self.server.provider
        if self.path == "/.well-known/openid-configuration":
            self._answer(
                200,
                {
                    "issuer": provider.issuer,
                    "authorization_endpoint": provider.issuer + "/authorize",
                    "token_endpoint": provider.issuer + "/token",
                    "jwks_uri": provider.issuer + "/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        elif self.path == "/jwks":
            self._answer(200, {"keys": [provider.key.as_dict(private=False)]})
        else:
            self._answer(404, {"error": "not_found"})

    def do_POST(self) -> None:
        provider = self.server.provider
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if self.path != "/token" or self.headers.get("Authorization") != "Basic " + expected:
            self._answer(401, {"error": "invalid_client"})
            return
        grant = provider.grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant.redirect_uri
            or challenge != grant.challenge
        ):
            self._answer(400, {"error": "invalid_grant"})
            return
        id_token = jwt.encode({"alg": "RS256", "kid": KEY_ID}, grant.claims, grant.key)
        self._answer(
            200,
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
        )

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def provider() -> Iterator[Provider]:
    state = Provider()
    server = ProviderServer(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(provider: Provider, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """A client of an app configured for the local provider."""
    monkeypatch.setenv("OIDC_ISSUER", provider.issuer)
    monkeypatch.setenv("OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("OIDC_REDIRECT_URI", REDIRECT_URI)
    monkeypatch.setenv("OIDC_REDIRECT_AFTER_LOGIN", AFTER_LOGIN)
    return TestClient(create_app(get_settings()), raise_server_exceptions=False)


def begin(browser: TestClient, provider: Provider) -> dict[str, str]:
    """Follows the login route; the authorization request's parameters."""
    answer = browser.get(LOGIN, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == provider.issuer + "/authorize"
    query = dict(parse_qsl(location.query))
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == REDIRECT_URI
    assert "openid" in query["scope"].split()
    assert query["state"] and query["nonce"] and query["code_challenge"]
    assert query["code_challenge_method"] == "S256"
    state_cookie = answer.headers["set-cookie"]
    assert state_cookie.startswith(oidc.STATE_COOKIE + "=")
    assert "httponly" in state_cookie.lower()
    assert query["state"] not in state_cookie
    return query


def finish(browser: TestClient, query: dict[str, str], code: str) -> httpx.Response:
    """Brings the provider's code back to the callback, as the browser would."""
    answer: httpx.Response = browser.get(
        CALLBACK, params={"code": code, "state": query["state"]}, follow_redirects=False
    )
    return answer


def make_user(role: str, email: str) -> None:
    """An account with a password, added directly in the database."""
    with get_sessionmaker()() as db:
        create_user(db, email, PASSWORD, role)
        db.commit()


def failures() -> int:
    """How many refused sign-ins through the provider the audit log holds."""
    with get_sessionmaker()() as db:
        count = db.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "login_failed", AuditEvent.entity == "oidc")
        )
    return count or 0


def test_unconfigured_routes_answer_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OIDC_ISSUER", "")
    client = TestClient(create_app(get_settings()), raise_server_exceptions=False)
    answer = client.get(LOGIN, follow_redirects=False)
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_new_person_gets_an_account_in_the_default_role_and_a_session(
    browser: TestClient, provider: Provider
) -> None:
    query = begin(browser, provider)
    answer = finish(browser, query, provider.grant(query, "new.person@example.com"))
    assert answer.status_code == 302, answer.text
    assert answer.headers["location"] == AFTER_LOGIN
    cookies = answer.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("session="))
    assert "httponly" in session.lower() and "samesite=lax" in session.lower()
    assert any(c.startswith("csrf_token=") for c in cookies)
    me = browser.get(oidc.API_PREFIX + "/auth/me")
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "new.person@example.com"
    assert me.json()["role"] == oidc.DEFAULT_ROLE
    # The provider vouched for the address: no verification mail is needed.
    assert me.json()["email_verified"] is True
    # The state is spent: the same answer cannot sign in twice.
    again = finish(browser, query, provider.grant(query, "new.person@example.com"))
    assert again.status_code == 400


def test_a_verified_email_links_the_existing_account(
    browser: TestClient, provider: Provider
) -> None:
    make_user(oidc.DEFAULT_ROLE, "Existing.Person@example.com")
    with get_sessionmaker()() as db:
        user_id = str(db.scalars(sa.select(AuthUser.id)).one())
    query = begin(browser, provider)
    answer = finish(browser, query, provider.grant(query, "existing.person@example.com"))
    assert answer.status_code == 302, answer.text
    me = browser.get(oidc.API_PREFIX + "/auth/me")
    assert me.json()["user_id"] == user_id
    assert me.json()["email_verified"] is True
    with get_sessionmaker()() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(AuthUser)) == 1
    # The password still signs in: linking changed nothing else.
    password = browser.post(
        oidc.API_PREFIX + "/auth/login",
        json={"email": "existing.person@example.com", "password": PASSWORD},
    )
    assert password.status_code == 200


def test_an_unverified_email_never_takes_over_an_account(
    browser: TestClient, provider: Provider
) -> None:
    make_user(oidc.DEFAULT_ROLE, "victim@example.com")
    before = failures()
    query = begin(browser, provider)
    answer = finish(browser, query, provider.grant(query, "victim@example.com", verified=False))
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"] == {"oidc": "email_not_verified"}
    assert "session=" not in answer.headers.get("set-cookie", "")
    assert browser.get(oidc.API_PREFIX + "/auth/me").status_code == 401
    assert failures() == before + 1


def test_a_wrong_state_is_refused(browser: TestClient, provider: Provider) -> None:
    before = failures()
    query = begin(browser, provider)
    code = provider.grant(query, "someone@example.com")
    answer = browser.get(
        CALLBACK, params={"code": code, "state": "not-the-state"}, follow_redirects=False
    )
    assert answer.status_code == 400
    assert failures() == before + 1
    # Without the state cookie at all (another browser), the same.
    stranger = TestClient(browser.app, raise_server_exceptions=False)
    assert finish(stranger, query, code).status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        {"nonce": "not-the-nonce"},
        {"audience": "another-client"},
        {"key": RSAKey.generate_key(2048, {"kid": KEY_ID})},
    ],
    ids=["wrong nonce", "wrong audience", "another key"],
)
def test_an_id_token_that_fails_a_check_is_refused(
    browser: TestClient, provider: Provider, change: dict[str, Any]
) -> None:
    before = failures()
    query = begin(browser, provider)
    answer = finish(browser, query, provider.grant(query, "someone@example.com", **change))
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"] == {"oidc": "invalid_response"}
    assert browser.get(oidc.API_PREFIX + "/auth/me").status_code == 401
    with get_sessionmaker()() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(AuthUser)) == 0
    assert failures() == before + 1


def test_an_error_from_the_provider_is_refused(browser: TestClient, provider: Provider) -> None:
    query = begin(browser, provider)
    answer = browser.get(
        CALLBACK,
        params={"error": "access_denied", "state": query["state"]},
        follow_redirects=False,
    )
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"oidc": "provider_error"}
