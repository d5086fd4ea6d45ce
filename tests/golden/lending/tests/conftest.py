"""Fixtures: a migrated database emptied before every test, and signed-in clients."""

import itertools
import os
import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough")
os.environ.setdefault("COOKIE_SECURE", "false")
# A fixed test key (base64url of 32 bytes); never use it outside tests.
os.environ.setdefault("ENCRYPTION_KEYS", "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy1sb24")
# The suite sends many requests from one client in a minute; the rate-limit
# tests set small limits of their own.
os.environ["RATE_LIMIT_CLIENT"] = "1000000"
os.environ["RATE_LIMIT_USER"] = "1000000"

from lend_well.db import get_engine, get_sessionmaker
from lend_well.main import create_app
from lend_well.models import Base
from lend_well.security import passwords
from lend_well.services.users import create_user
from lend_well.settings import PROJECT_ROOT, get_settings

PASSWORD = "a-long-enough-test-password"
ROLES: tuple[str, ...] = ("applicant", "underwriter", "admin")
ADMIN_ROLE = "admin"
_numbers = itertools.count(1)

# Hashing stays argon2id, only cheaper, so the suite runs fast.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def alembic_config() -> Config:
    """Alembic's configuration for this project."""
    return Config(str(PROJECT_ROOT / "alembic.ini"))


@pytest.fixture(scope="session", autouse=True)
def migrated() -> None:
    """The schema at the newest revision."""
    command.upgrade(alembic_config(), "heads")


@pytest.fixture(autouse=True)
def clean_tables(migrated: None) -> Iterator[None]:
    """Every test starts from empty tables, except the append-only audit log."""
    preparer = get_engine().dialect.identifier_preparer
    names = ", ".join(
        preparer.quote(table.name)
        for table in Base.metadata.sorted_tables
        if table.name != "audit_events"
    )
    with get_engine().begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {names} CASCADE"))
    yield


@pytest.fixture(scope="session")
def app() -> FastAPI:
    """The app, configured from the environment."""
    return create_app(get_settings())


class Api:
    """A client with its own cookies that sends the CSRF header once signed in."""

    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app, raise_server_exceptions=False)
        self.csrf = ""
        self.user_id = ""
        self.email = ""

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if self.csrf and "X-CSRF-Token" not in headers:
            headers["X-CSRF-Token"] = self.csrf
        url = "/api" + path
        response: httpx.Response = self.client.request(method, url, headers=headers, **kwargs)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        response = self.post("/auth/login", json={"email": email, "password": password})
        if response.status_code == 200:
            body = response.json()
            self.csrf = body["csrf_token"]
            self.user_id = body["user_id"]
            self.email = email
        return response


def make_user(role: str, email: str | None = None, password: str = PASSWORD) -> str:
    """Adds an account directly in the database and returns its email."""
    email = email or f"{role}-{next(_numbers)}@example.com"
    with get_sessionmaker()() as db:
        create_user(db, email, password, role)
        db.commit()
    return email


@pytest.fixture
def anonymous(app: FastAPI) -> Api:
    """A client without a session."""
    return Api(app)


@pytest.fixture
def as_role(app: FastAPI) -> Any:
    """Signs in a new user of a role: `as_role("admin")`."""

    def sign_in(role: str) -> Api:
        api = Api(app)
        response = api.login(make_user(role))
        assert response.status_code == 200, response.text
        return api

    return sign_in


@pytest.fixture
def admin(as_role: Any) -> Api:
    """A signed-in administrator."""
    api: Api = as_role(ADMIN_ROLE)
    return api


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis of the suite's own: a `redis-server` on a free loopback port.

    Without the `redis-server` program, `REDIS_URL` names one to use; with
    neither, the Redis tests are skipped.
    """
    from tests.servers import running_redis

    if shutil.which("redis-server") is None:
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("no redis-server program and no REDIS_URL")
        yield url
        return
    with running_redis() as url:
        yield url
