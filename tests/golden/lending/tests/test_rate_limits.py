"""Rate limits per client and per user, in PostgreSQL and in Redis, shared across processes."""

import asyncio
import datetime as dt
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import fastapi.dependencies.utils
import fastapi.routing
import httpx
import pytest
import sqlalchemy as sa
import starlette.concurrency
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lend_well import db, ratelimit
from lend_well.db import create_engine, get_engine, loop_connections
from lend_well.main import create_app
from lend_well.models import AuthRateLimit, AuthSession
from lend_well.security import dependencies
from lend_well.security.sessions import token_hash
from lend_well.settings import get_settings
from tests.conftest import ADMIN_ROLE, Api, make_user
from tests.factories import PATHS, body_for
from tests.servers import pin_window, running_app

# Its writes must commit: counters are shared by processes and connections of their own.
pytestmark = pytest.mark.committed

CLIENT_PER_MINUTE = 300
USER_PER_MINUTE = 120
# The entity whose list a signed-in read reads.
ENTITY = "Applicant"


@pytest.fixture(params=["postgres", "redis"])
def backend(request: pytest.FixtureRequest) -> str | None:
    """`None` for the PostgreSQL counters, else the URL of a Redis."""
    if request.param == "postgres":
        return None
    url: str = request.getfixturevalue("redis_url")
    return url


def limited_app(redis_url: str | None, client: int = 1000, user: int = 1000) -> FastAPI:
    settings = get_settings().model_copy(
        update={"rate_limit_client": client, "rate_limit_user": user, "redis_url": redis_url}
    )
    return create_app(settings)


def client_of(app: FastAPI) -> Api:
    """A client with an address of its own, so no other test shares its counters."""
    api = Api(app)
    api.client = TestClient(
        app, raise_server_exceptions=False, client=(f"client-{uuid.uuid4().hex}", 50000)
    )
    return api


def test_defaults_come_from_the_blueprint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RATE_LIMIT_CLIENT")
    monkeypatch.delenv("RATE_LIMIT_USER")
    settings = type(get_settings())()
    assert settings.rate_limit_client == CLIENT_PER_MINUTE
    assert settings.rate_limit_user == USER_PER_MINUTE


def test_a_burst_past_the_client_limit_is_429_with_retry_after(backend: str | None) -> None:
    limit = 5
    api = client_of(pin_window(limited_app(backend, client=limit)))
    statuses = [api.get("/auth/me").status_code for _ in range(limit + 3)]
    assert statuses == [401] * limit + [429] * 3
    response = api.get("/auth/me")
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    # Health probes are never limited.
    for _ in range(3):
        assert api.client.get("/healthz").status_code == 200
        assert api.client.get("/readyz").status_code == 200


def test_a_user_is_limited_whichever_address_they_call_from(backend: str | None) -> None:
    limit = 3
    app = pin_window(limited_app(backend, user=limit))
    email = make_user(ADMIN_ROLE)
    first = client_of(app)
    assert first.login(email).status_code == 200
    statuses = [first.get("/auth/me").status_code for _ in range(limit + 2)]
    assert statuses == [200] * limit + [429] * 2
    limited = first.get("/auth/me")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # Another address, same user: still limited.
    second = client_of(app)
    assert second.login(email).status_code == 200
    assert second.get("/auth/me").status_code == 429
    # Another user is not.
    other = client_of(app)
    assert other.login(make_user(ADMIN_ROLE)).status_code == 200
    assert other.get("/auth/me").status_code == 200


def test_two_processes_share_the_limit(backend: str | None) -> None:
    limit = 12
    env = dict(os.environ)
    env.update(
        RATE_LIMIT_CLIENT=str(limit),
        RATE_LIMIT_USER="1000",
        REDIS_URL=backend or "",
        LOG_LEVEL="WARNING",
        # Loopback is trusted here, so each attempt is a client of its own.
        TRUSTED_PROXIES="127.0.0.1",
    )
    with running_app(env) as first, running_app(env) as second:
        urls = [first, second] * (limit + 4)
        # A minute that ends mid-attempt splits its count: then once more,
        # as another client, inside the next minute.
        for _ in range(2):
            minute = int(time.time()) // 60
            address = ".".join(str(b) for b in (10, *uuid.uuid4().bytes[:3]))

            def call(base: str, address: str = address) -> int:
                headers = {"X-Forwarded-For": address}
                return httpx.get(base + "/api/auth/me", headers=headers, timeout=30).status_code

            with ThreadPoolExecutor(max_workers=8) as pool:
                statuses = list(pool.map(call, urls))
            if int(time.time()) // 60 == minute:
                break
    assert set(statuses) <= {401, 429}
    assert statuses.count(401) == limit
    assert statuses.count(429) == len(urls) - limit


def test_postgres_counters_are_upserted_and_stale_windows_purged() -> None:
    counter = ratelimit.PostgresCounter()
    now = int(time.time()) // 60 * 60
    old = now - 600
    assert counter.hit("k" * 64, old) == 1
    assert counter.hit("k" * 64, old) == 2
    assert counter.hit("j" * 64, old) == 1
    # The first hit of a new window clears out the windows that are over.
    assert counter.hit("k" * 64, now) == 1
    with get_engine().connect() as connection:
        rows = connection.execute(sa.select(AuthRateLimit.key, AuthRateLimit.window_start)).all()
    assert rows == [("k" * 64, dt.datetime.fromtimestamp(now, dt.UTC))]


def test_postgres_counts_client_and_user_and_finds_the_caller_in_one_statement() -> None:
    app = pin_window(limited_app(None))
    api = client_of(app)
    email = make_user(ADMIN_ROLE)
    assert api.login(email).status_code == 200
    token = api.client.cookies.get("session")
    limiter: ratelimit.RateLimiter = app.state.rate_limiter
    address = f"client-{uuid.uuid4().hex}"
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    # The first hit of a window may purge stale windows; the second is the steady state.
    limiter.check_request(address, token)
    sa.event.listen(get_engine(), "before_cursor_execute", record)
    try:
        counted = limiter.check_request(address, token)
    finally:
        sa.event.remove(get_engine(), "before_cursor_execute", record)
    assert [s for s in statements if "auth_rate_limits" in s] == statements
    assert len(statements) == 1
    assert counted.client.allowed
    assert counted.user is not None and counted.user.allowed
    # The same statement found the caller: the session check reads nothing more.
    assert counted.caller is not None
    assert (counted.caller.email, counted.caller.role) == (email, ADMIN_ROLE)
    # The user's key computed in SQL is the keyed hash the Python side computes.
    with get_engine().connect() as connection:
        user_id = connection.execute(
            sa.select(AuthSession.user_id).where(AuthSession.token_hash == token_hash(token or ""))
        ).scalar_one()
        hits = connection.execute(
            sa.select(AuthRateLimit.hits).where(
                AuthRateLimit.key == limiter._key("user", str(user_id))
            )
        ).scalar_one()
    # The two requests counted here; the login itself had no session yet.
    assert hits == 2
    # A request without a live session counts the client alone.
    counted = limiter.check_request(address, "not-a-session")
    assert counted.client.allowed and counted.user is None and counted.caller is None


def test_a_request_counts_in_autocommit_then_reads_in_autocommit() -> None:
    # The count commits by itself first, on a connection returned before the
    # request takes one, and the request's own statements never touch the
    # counters, so no counter row is locked while the request works: a read,
    # and a route that is not found. A read needs no transaction either.
    app = limited_app(None)
    api = client_of(app)
    assert api.login(make_user(ADMIN_ROLE)).status_code == 200
    probe = create_engine(get_settings())
    pool: list[str] = []
    statements: list[tuple[bool, str]] = []
    locked: list[int] = []

    def on_checkout(*args: Any) -> None:
        pool.append("checkout")

    def on_checkin(*args: Any) -> None:
        pool.append("checkin")

    def on_execute(connection: sa.Connection, cursor: Any, statement: str, *args: Any) -> None:
        driver = connection.connection.driver_connection
        autocommit = bool(getattr(driver, "autocommit", False))
        statements.append((autocommit, statement))
        if "auth_rate_limits" not in statement:
            # Counter rows another transaction could not lock right now.
            with probe.connect() as other:
                free = "SELECT 1 FROM auth_rate_limits FOR UPDATE SKIP LOCKED"
                total = other.execute(sa.text("SELECT count(*) FROM auth_rate_limits")).scalar_one()
                unlocked = other.execute(
                    sa.text(f"SELECT count(*) FROM ({free}) AS f")
                ).scalar_one()
                locked.append(total - unlocked)

    engine = get_engine()
    sa.event.listen(engine, "checkout", on_checkout)
    sa.event.listen(engine, "checkin", on_checkin)
    sa.event.listen(engine, "after_cursor_execute", on_execute)
    try:
        # A list always reads rows (the caller's own account may come whole
        # from the count's statement, so `/auth/me` may read nothing).
        for path, status in ((PATHS[ENTITY], 200), ("/no-such-route", 404)):
            pool.clear()
            statements.clear()
            locked.clear()
            assert api.get(path).status_code == status
            # One connection at a time: the count's, then (for the read) the request's.
            held = 2 if status == 200 else 1
            assert pool == ["checkout", "checkin"] * held, (path, pool)
            assert statements[0][0] and "auth_rate_limits" in statements[0][1], path
            assert all(auto for auto, sql in statements if "auth_rate_limits" in sql), path
            assert not any(locked), (path, locked)
            if status == 200:
                # The read's own statements ran after the count, in autocommit too.
                own = [auto for auto, sql in statements[1:] if "auth_sessions" not in sql]
                assert own and all(own), (path, statements)
    finally:
        sa.event.remove(engine, "checkout", on_checkout)
        sa.event.remove(engine, "checkin", on_checkin)
        sa.event.remove(engine, "after_cursor_execute", on_execute)
        probe.dispose()


def served(app: FastAPI, address: str) -> TestClient:
    """A client of `app` from `address` that runs its lifespan, as a server does."""
    settings = get_settings()
    if settings.redis_url or not loop_connections(settings):
        pytest.skip("the counters are in Redis, or DB_POOL_SIZE leaves the loop no connection")
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000))


def client_hits(app: FastAPI, address: str) -> int:
    """The hits counted so far for a client address (every window)."""
    limiter: ratelimit.RateLimiter = app.state.rate_limiter
    key = limiter._key("client", address)
    with get_engine().connect() as connection:
        hits = connection.execute(
            sa.select(sa.func.coalesce(sa.func.sum(AuthRateLimit.hits), 0)).where(
                AuthRateLimit.key == key
            )
        ).scalar_one()
    return int(hits)


def test_a_served_app_counts_on_the_event_loop_and_serves_in_one_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # While the app serves, the count is awaited on the event loop, on the
    # connection its lifespan keeps; a read ends its transaction in its
    # endpoint's thread, and the endpoint writes its own answer. A read and a
    # create each take one trip through the thread pool: the endpoint's.
    app = limited_app(None)
    address = f"client-{uuid.uuid4().hex}"
    with served(app, address) as client:
        counter = app.state.rate_limiter.counter
        assert isinstance(counter, ratelimit.PostgresCounter)
        assert counter.loop_connection is not None
        api = Api(app)
        api.client = client
        assert api.login(make_user(ADMIN_ROLE)).status_code == 200
        body = body_for(api, ENTITY)
        trips: list[str] = []
        for module in (ratelimit, db, fastapi.routing, fastapi.dependencies.utils):
            original = module.run_in_threadpool

            async def spy(
                func: Any,
                *args: Any,
                _original: Any = original,
                _module: str = module.__name__,
                **kwargs: Any,
            ) -> Any:
                trips.append(_module)
                return await _original(func, *args, **kwargs)

            monkeypatch.setattr(module, "run_in_threadpool", spy)
        before = client_hits(app, address)
        created = api.post(PATHS[ENTITY], json=body)
        assert created.status_code == 201, created.text
        assert api.get(PATHS[ENTITY]).status_code == 200
        assert api.get(f"{PATHS[ENTITY]}/{created.json()['id']}").status_code == 200
        assert trips == ["fastapi.routing"] * 3
        # All three were counted, on the loop's connection.
        assert client_hits(app, address) == before + 3
    # The lifespan closed it.
    assert counter.loop_connection is None


def test_a_served_app_counts_in_redis_on_the_event_loop(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the counters in Redis, the lifespan gives the limiter an asyncio
    # client: the client and the user are counted on the event loop, never
    # in the thread pool, and the user's limit holds.
    limit = 3
    app = pin_window(limited_app(redis_url, user=limit))
    address = f"client-{uuid.uuid4().hex}"
    if not loop_connections(get_settings()):
        pytest.skip("DB_POOL_SIZE leaves the loop no connection to find the session on")
    with TestClient(app, raise_server_exceptions=False, client=(address, 50000)) as client:
        counter = app.state.rate_limiter.counter
        assert isinstance(counter, ratelimit.RedisCounter)
        assert counter.loop_increment is not None
        assert counter.loop_connection is not None
        api = Api(app)
        api.client = client
        assert api.login(make_user(ADMIN_ROLE)).status_code == 200
        trips: list[str] = []

        async def spy(func: Any, *args: Any, **kwargs: Any) -> Any:
            trips.append(getattr(func, "__name__", repr(func)))
            return await starlette.concurrency.run_in_threadpool(func, *args, **kwargs)

        monkeypatch.setattr(ratelimit, "run_in_threadpool", spy)
        monkeypatch.setattr(dependencies, "run_in_threadpool", spy)
        statuses = [api.get("/auth/me").status_code for _ in range(limit + 1)]
        assert statuses == [200] * limit + [429]
        # Neither count nor the session check went through the thread pool:
        # the middleware found the session on the loop's connection.
        assert trips == []
    # The lifespan closed its client and its connection.
    closed = app.state.rate_limiter.counter
    assert isinstance(closed, ratelimit.RedisCounter)
    assert closed.loop_increment is None
    assert closed.loop_connection is None


def test_a_redis_that_is_down_lets_requests_through_on_the_event_loop() -> None:
    app = limited_app("redis://127.0.0.1:1/0", client=1, user=1)
    limiter: ratelimit.RateLimiter = app.state.rate_limiter

    async def twice() -> list[bool]:
        async with ratelimit.loop_counting(app):
            counter = limiter.counter
            assert isinstance(counter, ratelimit.RedisCounter)
            assert counter.loop_increment is not None
            verdicts = [
                await limiter.check_on_loop(counter.loop_increment, "client", "192.0.2.1", 1)
                for _ in range(2)
            ]
        return [verdict.allowed for verdict in verdicts]

    assert asyncio.run(twice()) == [True, True]


# Entities whose create from `body_for` reads and writes nothing but its row and its event.
CREATES_ALONE: list[str] = [
    "Applicant",
]


def test_a_create_that_reads_nothing_else_is_one_statement_outside_a_transaction() -> None:
    # Its row and its audit event are one statement in autocommit: one round
    # trip, no BEGIN or COMMIT, and the two are written or refused together.
    app = limited_app(None)
    api = client_of(app)
    assert api.login(make_user(ADMIN_ROLE)).status_code == 200
    statements: list[tuple[bool, str]] = []

    def on_execute(connection: sa.Connection, cursor: Any, statement: str, *args: Any) -> None:
        driver = connection.connection.driver_connection
        statements.append((bool(getattr(driver, "autocommit", False)), statement))

    engine = get_engine()
    sa.event.listen(engine, "after_cursor_execute", on_execute)
    try:
        for entity in CREATES_ALONE:
            body = body_for(api, entity)
            statements.clear()
            created = api.post(PATHS[entity], json=body)
            assert created.status_code == 201, created.text
            # The count and the session's activity are the limiter's and the session's own.
            own = [
                (auto, sql)
                for auto, sql in statements
                if "auth_rate_limits" not in sql and "auth_sessions" not in sql
            ]
            assert len(own) == 1, (entity, own)
            auto, sql = own[0]
            assert auto and "INSERT INTO audit_events" in sql, (entity, sql)
            with engine.connect() as connection:
                events = connection.execute(
                    sa.text(
                        "SELECT count(*) FROM audit_events "
                        "WHERE action = 'create' AND entity = :entity AND entity_id = :id"
                    ),
                    {"entity": entity, "id": created.json()["id"]},
                ).scalar_one()
            assert events == 1, entity
    finally:
        sa.event.remove(engine, "after_cursor_execute", on_execute)


def test_the_loop_connection_is_replaced_after_the_server_closed_it() -> None:
    # A database restart ends every session; the next request is served,
    # not answered 503: the count sees the closed socket and connects again.
    app = limited_app(None)
    with served(app, f"client-{uuid.uuid4().hex}") as client:
        api = Api(app)
        api.client = client
        assert api.login(make_user(ADMIN_ROLE)).status_code == 200
        assert api.get(PATHS[ENTITY]).status_code == 200
        with get_engine().connect() as connection:
            ended = connection.execute(
                sa.text(
                    "WITH others AS MATERIALIZED (SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()) "
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM others"
                )
            ).scalar_one()
        assert ended >= 1
        assert api.get(PATHS[ENTITY]).status_code == 200


def test_a_signed_in_request_reads_its_session_in_the_count_alone() -> None:
    # The count's statement found the caller, so the session check sends
    # nothing of its own to auth_sessions until the session's activity is
    # due to be written; then it writes it, once.
    app = limited_app(None)
    api = client_of(app)
    assert api.login(make_user(ADMIN_ROLE)).status_code == 200
    token = api.client.cookies.get("session") or ""
    engine = get_engine()
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    def sent_for_me() -> list[str]:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            assert api.get("/auth/me").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        return [s for s in statements if "auth_sessions" in s]

    read = sent_for_me()
    assert len(read) == 1 and "auth_rate_limits" in read[0], read
    with engine.begin() as connection:
        connection.execute(
            sa.update(AuthSession)
            .where(AuthSession.token_hash == token_hash(token))
            .values(last_seen_at=sa.func.now() - dt.timedelta(minutes=2))
        )
    due = sent_for_me()
    assert len([s for s in due if s.lstrip().startswith("UPDATE auth_sessions")]) == 1, due
    # Written: the next request is back to the count alone.
    assert len(sent_for_me()) == 1


def test_counters_hold_no_address_or_user_id_in_the_clear() -> None:
    api = Api(pin_window(limited_app(None)))
    api.get("/auth/me")
    with get_engine().connect() as connection:
        keys = connection.execute(sa.select(AuthRateLimit.key)).scalars().all()
    assert keys
    assert all(len(key) == 64 and "testclient" not in key for key in keys)


def test_a_store_that_is_down_lets_requests_through() -> None:
    limiter = ratelimit.RateLimiter(
        ratelimit.RedisCounter("redis://127.0.0.1:1/0"), "secret", client_limit=1, user_limit=1
    )
    assert limiter.check_client("192.0.2.1").allowed
    assert limiter.check_client("192.0.2.1").allowed
