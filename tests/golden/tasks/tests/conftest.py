"""Fixtures: a migrated database, each test's writes undone after it, and signed-in clients.

A test runs inside one transaction on one connection, which is rolled back
after it: the app's sessions and the test's own (`get_sessionmaker()`) are
bound to that connection and commit to savepoints within it. A test whose
writes must really commit, to be seen by other connections (a server it
starts, the engine's own connections, concurrent requests, migrations, a
backup), is marked `committed`: it starts from emptied tables instead (TRUNCATE), and
so does the first test after it. Either way every test starts from empty tables
(but the append-only audit log).
"""

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

from tests.workers import drop_worker_database, worker_database_env

os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough")
os.environ.setdefault("COOKIE_SECURE", "false")
# A fixed test key (base64url of 32 bytes); never use it outside tests.
os.environ.setdefault("ENCRYPTION_KEYS", "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy1sb24")
# The suite sends many requests from one client in a minute; the rate-limit
# tests set small limits of their own.
os.environ["RATE_LIMIT_CLIENT"] = "1000000"
os.environ["RATE_LIMIT_USER"] = "1000000"
# Under pytest-xdist each worker runs on a database of its own (tests/workers.py),
# chosen before the app is imported.
os.environ.update(worker_database_env())

from team_tasks.db import get_engine, get_sessionmaker
from team_tasks.main import create_app
from team_tasks.models import Base
from team_tasks.security import passwords
from team_tasks.services.users import create_user
from team_tasks.settings import PROJECT_ROOT, get_settings

PASSWORD = "a-long-enough-test-password"
ROLES: tuple[str, ...] = ("member", "manager", "admin")
ADMIN_ROLE = "admin"
_numbers = itertools.count(1)

# Hashing stays argon2id, only cheaper, so the suite runs fast.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def alembic_config() -> Config:
    """Alembic's configuration for this project."""
    return Config(str(PROJECT_ROOT / "alembic.ini"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "committed: the test's writes commit; tables are emptied before and after it"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    """A pytest-xdist worker drops its database once the suite's connections are closed."""
    get_engine().dispose()
    drop_worker_database()


# Whether a `committed` test may have left rows behind.
_tables = {"dirty": False}


def empty_tables() -> None:
    """Empties every table except the append-only audit log."""
    preparer = get_engine().dialect.identifier_preparer
    names = ", ".join(
        preparer.quote(table.name)
        for table in Base.metadata.sorted_tables
        if table.name != "audit_events"
    )
    with get_engine().begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {names} CASCADE"))
    _tables["dirty"] = False


@pytest.fixture(scope="session", autouse=True)
def migrated() -> None:
    """The schema at the newest revision, with empty tables."""
    command.upgrade(alembic_config(), "heads")
    empty_tables()


@pytest.fixture(autouse=True)
def isolated(request: pytest.FixtureRequest, migrated: None) -> Iterator[None]:
    """Undoes each test's writes: a rolled-back transaction, or for `committed` tests, TRUNCATE.

    A `committed` test starts from emptied tables; the first test after it
    that is not empties them too.
    """
    committed = request.node.get_closest_marker("committed") is not None
    if committed or _tables["dirty"]:
        empty_tables()
    if committed:
        _tables["dirty"] = True
        yield
        return
    engine = get_engine()
    sessions = get_sessionmaker()
    with engine.connect() as connection:
        outer = connection.begin()
        sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            sessions.configure(bind=engine, join_transaction_mode="conditional_savepoint")
            outer.rollback()


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
    """Signs in a new user of a role: `as_role(ADMIN_ROLE)`."""

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
