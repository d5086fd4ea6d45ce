"""Security: sessions, CSRF, cookie flags, lockout, rows of other users, problem documents."""

import datetime as dt
import json
import os
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import ValidationError

from rich_catalog import cli
from rich_catalog.db import get_sessionmaker
from rich_catalog.main import create_app
from rich_catalog.models import AuthSession, AuthUser
from rich_catalog.security.sessions import IDLE_TIMEOUT, TOUCH_INTERVAL, token_hash
from rich_catalog.settings import PROJECT_ROOT, Settings, get_settings
from tests.conftest import ADMIN_ROLE, PASSWORD, ROLES, Api, make_user

# Its writes must commit: stored rows are read on the engine's own connections.
pytestmark = pytest.mark.committed

MAX_FAILURES = 5


def test_session_cookie_flags(anonymous: Api) -> None:
    anonymous.login(make_user(ADMIN_ROLE))
    cookies = anonymous.client.cookies
    assert cookies.get("session")
    assert cookies.get("csrf_token")


def test_session_cookie_is_http_only_lax_and_secure_by_default() -> None:
    settings = get_settings().model_copy(update={"cookie_secure": True})
    api = Api(create_app(settings))
    response = api.login(make_user(ADMIN_ROLE))
    assert response.status_code == 200
    set_cookies = response.headers.get_list("set-cookie")
    session = next(c for c in set_cookies if c.startswith("session="))
    csrf = next(c for c in set_cookies if c.startswith("csrf_token="))
    lowered = session.lower()
    assert "httponly" in lowered
    assert "samesite=lax" in lowered
    assert "path=/" in lowered
    assert "secure" in lowered
    assert "httponly" not in csrf.lower()


def test_cookies_are_not_secure_when_configured_off(app: FastAPI) -> None:
    api = Api(app)
    response = api.login(make_user(ADMIN_ROLE))
    session = next(c for c in response.headers.get_list("set-cookie") if c.startswith("session="))
    assert "secure" not in session.lower()


def test_only_the_token_hash_is_stored(anonymous: Api) -> None:
    anonymous.login(make_user(ADMIN_ROLE))
    token = anonymous.client.cookies.get("session") or ""
    with get_sessionmaker()() as db:
        hashes = db.scalars(sa.select(AuthSession.token_hash)).all()
    assert token not in hashes
    assert token_hash(token) in hashes


def test_state_changes_need_the_csrf_header(admin: Api) -> None:
    response = admin.post("/auth/logout", headers={"X-CSRF-Token": "wrong"})
    assert response.status_code == 403
    assert admin.get("/auth/me").status_code == 200


def test_a_stale_cookie_never_blocks_login(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE)
    anonymous.client.cookies.set("session", "stale")
    assert anonymous.login(email).status_code == 200


def test_lockout_after_repeated_failures(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE)
    for _ in range(MAX_FAILURES):
        assert anonymous.login(email, "wrong-password-here").status_code == 401
    locked = anonymous.login(email)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert locked.headers["content-type"] == "application/problem+json"


def test_a_successful_login_resets_the_failures(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE)
    for _ in range(MAX_FAILURES - 1):
        anonymous.login(email, "wrong-password-here")
    assert anonymous.login(email, PASSWORD).status_code == 200
    for _ in range(MAX_FAILURES - 1):
        anonymous.login(email, "wrong-password-here")
    assert anonymous.login(email, PASSWORD).status_code == 200


def test_unknown_routes_answer_with_a_problem(anonymous: Api) -> None:
    response = anonymous.get("/no-such-route")
    assert response.status_code == 404
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["status"] == 404
    assert {"type", "title", "status", "detail"} <= set(body)


def test_lists_need_a_session(anonymous: Api) -> None:
    response = anonymous.get("/products")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_malformed_bodies_are_422_without_a_trace(admin: Api) -> None:
    response = admin.post(
        "/products",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code in (403, 422)
    assert "Traceback" not in response.text


def test_a_body_is_read_only_after_the_access_checks(anonymous: Api, admin: Api) -> None:
    """The order of answers: a body that is not even JSON is 422 only once the
    session (401) and the row (404) have been checked."""
    headers = {"content-type": "application/json"}
    created = anonymous.post("/products", content=b"{not json", headers=headers)
    assert created.status_code == 401
    path = "/products"
    missing = f"{path}/{uuid.uuid4()}"
    changed = admin.patch(missing, content=b"{not json", headers=headers)
    assert changed.status_code == 404


def test_a_nul_in_a_query_is_422_naming_the_parameter(admin: Api) -> None:
    response = admin.get("/products", params={"sort": "a\x00b"})
    assert response.status_code == 422
    assert "sort" in response.json()["errors"]


def test_an_unpaired_surrogate_in_a_body_is_422_never_500(admin: Api) -> None:
    response = admin.post(
        "/products",
        content=b'{"anything": "\\ud800"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_a_row_id_that_is_no_uuid_is_422(admin: Api) -> None:
    response = admin.get("/products" + "/not-a-uuid")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_a_method_a_path_does_not_serve_is_405_with_allow(admin: Api) -> None:
    response = admin.request("PUT", "/products" + "/" + str(uuid.uuid4()), json={})
    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert {"GET", "PATCH", "DELETE"} <= allowed
    assert "PUT" not in allowed


@pytest.mark.parametrize("email", ["nul\x00@example.com", "surrogate\ud800@example.com"])
def test_text_postgresql_cannot_hold_is_422_naming_the_field(anonymous: Api, email: str) -> None:
    body = json.dumps({"email": email, "password": "a password of some length"})
    response = anonymous.post(
        "/auth/login", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "email" in response.json()["errors"]


def test_a_body_that_is_not_utf8_is_422(anonymous: Api) -> None:
    response = anonymous.post(
        "/auth/login", content=b'{"email": "\xff"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_idle_sessions_expire(admin: Api) -> None:
    token = admin.client.cookies.get("session") or ""
    with get_sessionmaker()() as db:
        db.execute(
            sa.update(AuthSession)
            .where(AuthSession.token_hash == token_hash(token))
            .values(last_seen_at=sa.func.now() - IDLE_TIMEOUT - dt.timedelta(seconds=1))
        )
        db.commit()
    assert admin.get("/auth/me").status_code == 401


def _last_seen(token: str) -> dt.datetime:
    with get_sessionmaker()() as db:
        return db.execute(
            sa.select(AuthSession.last_seen_at).where(AuthSession.token_hash == token_hash(token))
        ).scalar_one()


def test_reads_record_session_activity_at_most_once_a_minute(admin: Api) -> None:
    token = admin.client.cookies.get("session") or ""
    started = _last_seen(token)
    updates: list[str] = []

    def count_updates(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("UPDATE auth_sessions"):
            updates.append(statement)

    engine = get_sessionmaker().kw["bind"]
    sa.event.listen(engine, "before_cursor_execute", count_updates)
    try:
        for _ in range(3):
            assert admin.get("/auth/me").status_code == 200
        assert updates == []
        assert _last_seen(token) == started
        # Once the recorded activity is a minute old, the next request records it again.
        with get_sessionmaker()() as db:
            db.execute(
                sa.update(AuthSession)
                .where(AuthSession.token_hash == token_hash(token))
                .values(last_seen_at=sa.func.now() - TOUCH_INTERVAL)
            )
            db.commit()
        updates.clear()
        assert admin.get("/auth/me").status_code == 200
        assert admin.get("/auth/me").status_code == 200
        assert len(updates) == 1
        assert _last_seen(token) > started - TOUCH_INTERVAL
    finally:
        sa.event.remove(engine, "before_cursor_execute", count_updates)


def test_a_missing_setting_stops_start_up_naming_it() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["PYTHONPATH"] = str(PROJECT_ROOT / "src")
    result = subprocess.run(
        [sys.executable, "-c", "import rich_catalog.main"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "value",
    [
        "changeme",
        "CHANGEME",
        "changethis",
        "secret",
        "change-me-to-a-long-random-string-of-32-or-more-characters",
        "s" * 31,
    ],
)
def test_a_weak_secret_key_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="secret_key"):
        Settings(**{**get_settings().model_dump(), "secret_key": value})


def test_a_placeholder_secret_key_stops_start_up_naming_it() -> None:
    env = {**os.environ, "SECRET_KEY": "ChangeThis"}
    env["PYTHONPATH"] = str(PROJECT_ROOT / "src")
    result = subprocess.run(
        [sys.executable, "-c", "import rich_catalog.main"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_command_line_creates_users_and_changes_roles() -> None:
    email = "operator@example.com"
    create = ["user", "--email", email, "--password", PASSWORD, "--role", ADMIN_ROLE]
    assert cli.main(create) == 0
    assert cli.main(["user", "--email", email, "--role", ROLES[0]]) == 0
    with get_sessionmaker()() as db:
        roles = db.scalars(sa.select(AuthUser.role).where(AuthUser.email == email)).all()
    assert roles == [ROLES[0]]
    weak = ["user", "--email", "weak@example.com", "--password", "x", "--role", ROLES[0]]
    assert cli.main(weak) == 1
