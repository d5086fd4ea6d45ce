"""Database faults: 503 with Retry-After, never a 500 or a dropped connection.

A database that is down, too slow (the statement timeout) or out of pooled
connections is answered 503 with `Retry-After`; `/readyz` says so while
`/healthz` stays up; the pool never grows past `DB_POOL_SIZE`; errors after
a response are logged, not raised; repeated errors are counted, not
written; and a database cut and restored under load loses nothing.
"""

import asyncio
import collections
import contextlib
import io
import json
import logging
import os
import threading
import time
import uuid
from typing import Any, cast

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker
from starlette.types import Receive, Scope, Send

from clinic_flow import faults, ratelimit
from clinic_flow.db import (
    ConnectionGate,
    close_quietly,
    closed_by_server,
    create_engine,
    get_engine,
    get_sessionmaker,
)
from clinic_flow.logs import RepeatFilter, configure_logging
from clinic_flow.main import create_app
from clinic_flow.middleware import RequestContextMiddleware
from clinic_flow.settings import DatabaseSettings, get_settings
from tests.conftest import ADMIN_ROLE, PASSWORD, Api, make_user
from tests.factories import BODIES, PARENTS, PATHS, body_for
from tests.servers import CuttableProxy, free_port, running_app

# Its writes must commit: servers and engines of its own read the committed rows.
pytestmark = pytest.mark.committed

# The entity the fault tests create and list.
ENTITY = "Patient"
# The API's base path.
API = "/api"


def database_settings(**changes: Any) -> DatabaseSettings:
    """The test database's settings, with changes."""
    return DatabaseSettings(**({"database_url": get_settings().database_url} | changes))


def unreachable_url() -> str:
    """A URL of the test database on a port nothing listens on."""
    url = sa.make_url(get_settings().sqlalchemy_url)
    return url.set(host="127.0.0.1", port=free_port()).render_as_string(hide_password=False)


def use_engine(app: FastAPI, engine: sa.Engine) -> None:
    """Makes the app's requests and rate-limit counters use `engine`."""
    app.state.sessions = sessionmaker(bind=engine, expire_on_commit=False)
    app.state.rate_limiter.counter = ratelimit.PostgresCounter(lambda: engine)


def signed_in_app() -> tuple[FastAPI, Api]:
    """A fresh app and an administrator signed in to it."""
    app = create_app(get_settings())
    api = Api(app)
    assert api.login(make_user(ADMIN_ROLE)).status_code == 200
    return app, api


def assert_unavailable(response: httpx.Response) -> None:
    """503 problem+json with a `Retry-After` in whole seconds, and nothing internal."""
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["status"] == 503
    for leak in ("Traceback", "psycopg", "SELECT", "sqlalchemy"):
        assert leak not in response.text


def test_a_database_that_is_down_is_503_and_healthz_stays_up() -> None:
    app, api = signed_in_app()
    down = create_engine(database_settings(database_url=unreachable_url(), db_pool_timeout=1))
    use_engine(app, down)
    try:
        assert_unavailable(api.get(PATHS[ENTITY]))
        assert_unavailable(api.post(PATHS[ENTITY], json={}))
        assert_unavailable(api.get("/auth/me"))
        assert_unavailable(api.client.get("/readyz"))
        assert api.client.get("/healthz").status_code == 200
        # The database is back: served again, without a restart.
        use_engine(app, get_engine())
        assert api.get(PATHS[ENTITY]).status_code == 200
        assert api.client.get("/readyz").status_code == 200
    finally:
        down.dispose()


def test_a_statement_past_the_statement_timeout_is_503() -> None:
    app, api = signed_in_app()
    slow = create_engine(get_settings(), statement_timeout=0.2)
    use_engine(app, slow)
    try:
        with get_engine().connect() as holder:
            holder.execute(sa.text("LOCK TABLE auth_sessions IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            assert_unavailable(api.get("/auth/me"))
            assert time.monotonic() - started < 5
        assert api.get("/auth/me").status_code == 200
    finally:
        slow.dispose()


def test_an_exhausted_pool_is_503_within_the_pool_timeout() -> None:
    app, api = signed_in_app()
    small = create_engine(database_settings(db_pool_size=1, db_pool_timeout=0.5))
    use_engine(app, small)
    try:
        with small.connect():
            started = time.monotonic()
            assert_unavailable(api.get(PATHS[ENTITY]))
            assert time.monotonic() - started < 3
            assert_unavailable(api.client.get("/readyz"))
        assert api.get(PATHS[ENTITY]).status_code == 200
        assert api.client.get("/readyz").status_code == 200
    finally:
        small.dispose()


def test_db_pool_size_is_the_ceiling() -> None:
    engine = create_engine(database_settings(db_pool_size=2, db_pool_timeout=0.2))
    try:
        with engine.connect(), engine.connect():
            with pytest.raises(sa.exc.TimeoutError) as raised, engine.connect():
                pass
            assert faults.is_unavailable(raised.value)
    finally:
        engine.dispose()


def backend_pid(connection: sa.Connection) -> int:
    """The server process behind a connection."""
    return int(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def test_a_pooled_connection_the_server_ended_is_replaced_not_answered_503() -> None:
    """A restart ends the sessions of idle pooled connections; the next request is served."""
    app, api = signed_in_app()
    engine = create_engine(database_settings(db_pool_size=1))
    use_engine(app, engine)
    try:
        with engine.connect() as pooled:
            ended = backend_pid(pooled)
        with get_engine().connect() as other:
            terminate = sa.text("SELECT pg_terminate_backend(:pid)")
            assert other.execute(terminate, {"pid": ended}).scalar_one()
            other.commit()
            alive = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
            deadline = time.monotonic() + 5
            while other.execute(alive, {"pid": ended}).scalar_one():
                other.commit()
                assert time.monotonic() < deadline, "the server did not end the session"
                time.sleep(0.05)
        assert api.get(PATHS[ENTITY]).status_code == 200
        with engine.connect() as replaced:
            assert backend_pid(replaced) != ended
    finally:
        engine.dispose()


def test_an_idle_pooled_connection_counts_as_open() -> None:
    with get_engine().connect() as connection:
        raw = connection.connection.dbapi_connection
        assert not closed_by_server(cast("psycopg.Connection[Any]", raw))


def test_a_signed_in_request_needs_one_connection(admin: Api) -> None:
    # The rate limits count on the request's own connection, so a pool of
    # one serves a signed-in write.
    app, api = signed_in_app()
    one = create_engine(database_settings(db_pool_size=1, db_pool_timeout=1))
    body = body_for(admin, ENTITY)
    use_engine(app, one)
    try:
        assert api.get(PATHS[ENTITY]).status_code == 200
        response = api.post(PATHS[ENTITY], json=body)
        assert response.status_code == 201, response.text
    finally:
        one.dispose()


def test_a_session_that_fails_to_close_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = get_sessionmaker()()

    def broken() -> None:
        raise sa.exc.OperationalError("ROLLBACK", {}, Exception("the server went away"))

    monkeypatch.setattr(session, "close", broken)
    close_quietly(session)


def _app_that_fails(after_response: bool, error: Exception) -> TestClient:
    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        if after_response:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})
        raise error

    return TestClient(RequestContextMiddleware(inner))


def test_an_error_after_the_response_is_swallowed() -> None:
    client = _app_that_fails(True, RuntimeError("cleaning up failed"))
    response = client.get("/anything")
    assert response.status_code == 200
    assert response.content == b"{}"


def test_a_database_fault_outside_the_routes_is_503() -> None:
    fault = sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert_unavailable(_app_that_fails(False, fault).get("/anything"))
    bug = _app_that_fails(False, ValueError("a bug")).get("/anything")
    assert bug.status_code == 500


def test_repeated_errors_are_counted_not_written() -> None:
    buffer = io.StringIO()
    app, api = signed_in_app()
    configure_logging("INFO", stream=buffer)
    down = create_engine(database_settings(database_url=unreachable_url(), db_pool_timeout=1))
    use_engine(app, down)
    try:
        for _ in range(30):
            assert api.get(PATHS[ENTITY]).status_code == 503
    finally:
        down.dispose()
    entries = [json.loads(line) for line in buffer.getvalue().splitlines()]
    warnings = [e for e in entries if e["level"] in ("WARNING", "ERROR")]
    assert 1 <= len(warnings) <= 3, warnings
    assert sum(1 for e in warnings if "exception" in e) <= 3
    assert len([e for e in entries if e.get("status") == 503]) == 30


def test_the_repeat_filter_reports_what_it_left_out() -> None:
    now = [0.0]
    repeat = RepeatFilter(interval=60, clock=lambda: now[0])

    def record() -> logging.LogRecord:
        return logging.LogRecord("db", logging.ERROR, __file__, 1, "down", None, None)

    assert repeat.filter(record())
    assert not any(repeat.filter(record()) for _ in range(9))
    now[0] = 61.0
    written = record()
    assert repeat.filter(written)
    assert getattr(written, "repeated", None) == 9


def test_the_connection_gate_gives_at_most_its_size_of_turns() -> None:
    async def scenario() -> None:
        # A timeout the queue of 20 never meets, however loaded the machine:
        # this part is about how many are inside at once, not about time.
        gate = ConnectionGate(timeout=30, size=2)
        inside = 0
        most = 0

        async def request() -> None:
            nonlocal inside, most
            async with gate.turn():
                inside += 1
                most = max(most, inside)
                await asyncio.sleep(0.01)
                inside -= 1

        await asyncio.gather(*(request() for _ in range(20)))
        assert most == 2
        # Both turns held past the timeout: the third request is refused as a
        # pool timeout is, and gets a turn once one is given back.
        short = ConnectionGate(timeout=0.2, size=2)
        async with short.turn(), short.turn():
            with pytest.raises(sa.exc.TimeoutError):
                async with short.turn():
                    pass
        async with short.turn(), short.turn():
            pass
        # A request cancelled while it waits (its client went away) leaves no turn taken.
        async with gate.turn(), gate.turn():
            waiting = asyncio.ensure_future(gate.turn().__aenter__())
            await asyncio.sleep(0)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
        async with gate.turn(), gate.turn():
            pass

    asyncio.run(scenario())


def test_the_connection_gate_gives_as_many_turns_as_the_thread_pool_has_threads() -> None:
    async def turns() -> int:
        gate = ConnectionGate(timeout=0.1)
        taken = 0
        with pytest.raises(sa.exc.TimeoutError):
            async with contextlib.AsyncExitStack() as stack:
                while True:
                    await stack.enter_async_context(gate.turn())
                    taken += 1
        return taken

    assert asyncio.run(turns()) == 40


def test_more_clients_than_threads_are_all_served_none_stalls() -> None:
    """60 clients at once, more than the thread pool's 40 threads, on a pool of 2 connections.

    The pool's wait is long enough for a busy machine (a stall, not a slow
    turn, is what fails), and shorter than the clients' own timeout.
    """
    env = {**os.environ, "DB_POOL_SIZE": "2", "DB_POOL_TIMEOUT": "20"}
    email = make_user(ADMIN_ROLE)
    statuses: collections.Counter[int | str] = collections.Counter()
    lock = threading.Lock()
    with running_app(env) as base:
        login = httpx.post(
            base + API + "/auth/login", json={"email": email, "password": PASSWORD}, timeout=30
        )
        assert login.status_code == 200, login.text
        # Read once, here: httpx builds a response's cookies on first use, and
        # threads racing to build them could start with an empty jar.
        cookies = login.cookies

        def work() -> None:
            with httpx.Client(base_url=base, cookies=cookies, timeout=30) as client:
                for _ in range(5):
                    try:
                        status: int | str = client.get(API + PATHS[ENTITY]).status_code
                    except httpx.TransportError as error:
                        status = repr(error)
                    with lock:
                        statuses[status] += 1

        clients = [threading.Thread(target=work) for _ in range(60)]
        started = time.monotonic()
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        took = time.monotonic() - started
    assert statuses == {200: 300}, f"{dict(statuses)} in {took:.1f} s"


@pytest.mark.parametrize("gunicorn", [False, True], ids=["uvicorn", "gunicorn"])
def test_a_database_cut_under_load_loses_nothing(admin: Api, gunicorn: bool) -> None:
    """The database connection is cut for 2 s (as a restart cuts it) under concurrent writes."""
    url = sa.make_url(get_settings().sqlalchemy_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    through_proxy = url.set(host="127.0.0.1", port=proxy.port)
    env = {
        **os.environ,
        "DATABASE_URL": through_proxy.render_as_string(hide_password=False),
        "DB_POOL_SIZE": "2",
        "DB_POOL_TIMEOUT": "1",
    }
    links = {
        key: value for key, value in body_for(admin, ENTITY).items() if key in dict(PARENTS[ENTITY])
    }
    email = make_user(ADMIN_ROLE)
    seen: list[tuple[float, str, int | str, str | None, str | None]] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        with running_app(env, gunicorn=gunicorn) as base:
            login = httpx.post(
                base + API + "/auth/login", json={"email": email, "password": PASSWORD}, timeout=30
            )
            assert login.status_code == 200, login.text
            headers = {"X-CSRF-Token": login.json()["csrf_token"]}
            # Read once, here: httpx builds a response's cookies on first use.
            cookies = login.cookies

            def work(worker: int) -> None:
                with httpx.Client(
                    base_url=base, cookies=cookies, headers=headers, timeout=30
                ) as client:
                    n = 0
                    while not stop.is_set():
                        n += 1
                        body = BODIES[ENTITY](10_000_000 + worker * 100_000 + n) | links
                        key = {"Idempotency-Key": str(uuid.uuid4())}
                        for method, sent in (("POST", body), ("GET", None)):
                            at = time.monotonic()
                            try:
                                r = client.request(
                                    method,
                                    API + PATHS[ENTITY],
                                    json=sent,
                                    headers=key if sent is not None else None,
                                )
                            except httpx.TransportError as error:
                                with lock:
                                    seen.append((at, method, "dropped", None, repr(error)))
                                continue
                            created = r.json().get("id") if r.status_code == 201 else None
                            with lock:
                                seen.append(
                                    (
                                        at,
                                        method,
                                        r.status_code,
                                        r.headers.get("retry-after"),
                                        created,
                                    )
                                )
                        time.sleep(0.01)

            workers = [threading.Thread(target=work, args=(i,)) for i in range(4)]
            for thread in workers:
                thread.start()
            time.sleep(1.5)
            cut_at = time.monotonic()
            proxy.cut()
            time.sleep(2.0)
            proxy.restore()
            restored_at = time.monotonic()
            deadline = restored_at + 30
            recovered_at = None
            while recovered_at is None and time.monotonic() < deadline:
                time.sleep(0.1)
                with lock:
                    served = [s[0] for s in seen if s[0] > restored_at and s[2] in (200, 201)]
                recovered_at = min(served) if served else None
            time.sleep(1.0)
            stop.set()
            for thread in workers:
                thread.join(timeout=60)
    finally:
        stop.set()
        proxy.cut()
    statuses = collections.Counter(str(s[2]) for s in seen)
    recovery = f"{recovered_at - restored_at:.2f} s" if recovered_at else "never"
    server = "gunicorn" if gunicorn else "uvicorn"
    print(
        f"\n{server}: statuses {dict(sorted(statuses.items()))}; served again {recovery} "
        f"after a 2 s cut; at most {proxy.peak} connections (DB_POOL_SIZE=2)"
    )
    assert recovered_at is not None, "no request was served after the database came back"
    dropped = [s for s in seen if s[2] == "dropped"]
    assert not dropped, dropped[:5]
    errors = [s for s in seen if isinstance(s[2], int) and s[2] >= 500 and s[2] != 503]
    assert not errors, errors[:5]
    unavailable = [s for s in seen if s[2] == 503]
    assert unavailable, f"the cut was not noticed: {statuses}"
    assert all(s[3] and int(s[3]) >= 1 for s in unavailable)
    assert any(cut_at <= s[0] for s in unavailable)
    assert proxy.peak <= 2
    # Every 201 is a row with its audit event.
    created = [str(s[4]) for s in seen if s[2] == 201]
    assert created
    for item_id in created:
        assert admin.get(f"{PATHS[ENTITY]}/{item_id}").status_code == 200, item_id
    with get_engine().connect() as connection:
        audited = connection.execute(
            sa.text(
                "SELECT count(DISTINCT entity_id) FROM audit_events "
                "WHERE action = 'create' AND entity_id::text = ANY(:ids)"
            ),
            {"ids": created},
        ).scalar_one()
    assert audited == len(created)
