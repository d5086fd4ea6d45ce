"""Rate limits per client address and per user, in fixed one-minute windows.

The counters live in Redis when `REDIS_URL` is set, else in PostgreSQL
(the UNLOGGED table `auth_rate_limits`: counters need no crash safety, and
an unlogged table writes no WAL), so every replica of the app shares them;
nothing is counted in process. Keys are keyed hashes (HMAC-SHA256 under
SECRET_KEY): no address or user id is stored in the clear. Health probes
are never limited.

In PostgreSQL both counters cost one statement, in autocommit: the
middleware opens the request's session (the one db.get_db gives its
routes), sends the client's key and the hash of the session cookie, and the
statement finds the live session
and its user, computes the user's key and counts both (docs/adr, "rate
limits in one statement"). The session it found is the request's caller:
the session check (security/dependencies.py) takes it from the request's
scope and reads nothing more unless the session's activity is due to be
written, so an authenticated read costs one statement before its own. It
commits by itself, so no counter row stays locked while the request works
and a request answered 429 or with an error is counted all the same, and
nothing is pinged, so a request costs the count and its own transaction (none
for a read or a create that reads nothing else: they run in autocommit).
While the app serves, the statement is awaited on the event loop, on the
process's `db.LoopConnection` that the app's lifespan opens (`loop_counting`):
the count costs no trip through the thread pool. Without one (an app
driven by a test client outside its lifespan, or sessions bound to a
test's transaction) it runs in the thread pool, on a connection of the
session's pool, given back before the request takes one. The user's
verdict waits on the request's scope until the session is checked
(security/dependencies.py), so the order of answers is unchanged.
Redis cannot find the session: while the app serves, the middleware reads
the live session on the loop's connection, then counts the client and the
user in one script call on the process's asyncio client (both opened by
the lifespan, `loop_counting`), and the session check takes the session it
read, as with PostgreSQL; no trip through the thread pool. Without them
(an app driven outside its lifespan) the client is counted in the
middleware and the user after the session check, one script call each, in
the thread pool. When the counters cannot be reached the request is
answered 503 like any database fault (faults.py); when Redis cannot, the
request is let through.
"""

import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg
import redis
import redis.asyncio
import sqlalchemy as sa
from fastapi import FastAPI, Request
from redis.commands.core import AsyncScript
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from team_tasks.db import (
    REQUEST_SESSION,
    ConnectionGate,
    LoopConnection,
    close_after,
    get_engine,
    loop_connections,
)
from team_tasks.problems import Problem, problem_response
from team_tasks.security.sessions import IDLE_TIMEOUT, SESSION_COOKIE, LiveSession, token_hash
from team_tasks.settings import Settings, get_settings

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})
TOO_MANY = "Too many requests; try again later."
# Where the middleware leaves the user's verdict for the session check.
USER_VERDICT = "rate_limit_user_verdict"
# Where the middleware leaves the session cookie's token and the live session
# its count found, for the session check.
CALLER = "rate_limit_caller"
# HMAC-SHA256's block size: a key is padded (or first hashed) to it.
_BLOCK = 64

# Counts the client and, when the session behind the cookie is live, its user,
# in one statement, and returns the session with each count. The user's key is
# HMAC-SHA256(secret, "user:<id>"), computed from the key's inner and outer
# pads, equal to `RateLimiter._key`. `caller` is read once (PostgreSQL
# materializes a CTE named twice), so the counts and the session agree.
_COUNT_CLIENT_AND_USER = """
WITH caller AS (
    SELECT s.id, s.csrf_token, s.last_seen_at, s.user_id, u.email, u.role
    FROM auth_sessions AS s JOIN auth_users AS u ON u.id = s.user_id
    WHERE s.token_hash = %(token_hash)s AND s.expires_at > %(now)s AND s.last_seen_at > %(idle_since)s
),
counted AS (
    SELECT %(client_key)s AS key
    UNION ALL
    SELECT encode(
        sha256(%(outer_pad)s || sha256(%(inner_pad)s || convert_to('user:' || user_id::text, 'UTF8'))),
        'hex'
    )
    FROM caller
),
hits AS (
    INSERT INTO auth_rate_limits (key, window_start, hits)
    SELECT key, %(window_start)s, 1 FROM counted
    ON CONFLICT (key, window_start) DO UPDATE SET hits = auth_rate_limits.hits + 1
    RETURNING key, hits
)
SELECT hits.key, hits.hits,
    caller.id, caller.csrf_token, caller.last_seen_at, caller.user_id, caller.email, caller.role
FROM hits LEFT JOIN caller ON true
"""

# One key's hits in a window, counted: the client's alone when there is no session cookie.
_HIT = """
INSERT INTO auth_rate_limits (key, window_start, hits) VALUES (%(key)s, %(window_start)s, 1)
ON CONFLICT (key, window_start) DO UPDATE SET hits = auth_rate_limits.hits + 1
RETURNING key, hits
"""

# Up to 1,000 counters of windows that started before `before`, deleted;
# rows another transaction holds are left for the next purge.
_PURGE = """
DELETE FROM auth_rate_limits WHERE (key, window_start) IN (
    SELECT key, window_start FROM auth_rate_limits
    WHERE window_start < %(before)s
    LIMIT 1000 FOR UPDATE SKIP LOCKED
)
"""

# INCR and EXPIRE in one atomic step, for each key: a key never lives
# without its expiry. Returns each key's hits, in order.
_INCREMENT = """
local hits = {}
for i, key in ipairs(KEYS) do
  hits[i] = redis.call('INCR', key)
  if hits[i] == 1 then
    redis.call('EXPIRE', key, ARGV[1])
  end
end
return hits
"""

# The live session behind a session cookie and its user (counters in Redis,
# which cannot find it): the same conditions as `_COUNT_CLIENT_AND_USER`'s.
_FIND_CALLER = """
SELECT s.id, s.csrf_token, s.last_seen_at, s.user_id, u.email, u.role
FROM auth_sessions AS s JOIN auth_users AS u ON u.id = s.user_id
WHERE s.token_hash = %(token_hash)s AND s.expires_at > %(now)s AND s.last_seen_at > %(idle_since)s
"""


@dataclass(frozen=True)
class Hits:
    """A request's counts: its client's hits in the window, its user's, and its caller.

    `user` is `None` when the user was not counted here (no live session,
    or a store that cannot find it); `caller` is the live session the count
    found, when the store finds sessions.
    """

    client: int
    user: int | None = None
    caller: LiveSession | None = None


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go on, and else how many seconds until it may."""

    allowed: bool
    retry_after: int


@dataclass(frozen=True)
class Counted:
    """What counting a request decided: the client's verdict, the user's, and the caller.

    `user` is `None` when the user is still to be counted (no live session
    here, or a store that cannot find it); `caller` is the live session the
    count found, when it found one.
    """

    client: Verdict
    user: Verdict | None = None
    caller: LiveSession | None = None


class Counter(Protocol):
    """Shared counters: one per key and window."""

    def hit(self, key: str, window_start: int, db: Session | None = None) -> int:
        """Counts one request; returns the hits of the key in the window so far.

        `db` is the request's session, for a store in the same database.
        """
        ...

    def hit_client_and_user(
        self,
        client_key: str,
        token: str | None,
        pads: tuple[bytes, bytes],
        window_start: int,
        db: Session | None = None,
    ) -> Hits:
        """Counts a client and, when the store can find it, the user behind the session `token`.

        `pads` are the inner and outer HMAC pads of the secret; `db` is the
        request's session, for a store in the same database.
        """
        ...


class PostgresCounter:
    """Counters in `auth_rate_limits`, bumped with one atomic upsert that commits by itself."""

    def __init__(self, engine: Callable[[], sa.Engine] = get_engine) -> None:
        self._engine = engine
        # The serving event loop's connection, while the app's lifespan holds it (`loop_counting`).
        self.loop_connection: LoopConnection | None = None

    def hit(self, key: str, window_start: int, db: Session | None = None) -> int:
        if db is None:
            with self._engine().begin() as connection:
                return self._hit(connection, key, window_start)
        # The request's own connection; committed at once, so the counter's
        # row is not locked for the rest of the request.
        hits = self._hit(db.connection(), key, window_start)
        db.commit()
        return hits

    def hit_client_and_user(
        self,
        client_key: str,
        token: str | None,
        pads: tuple[bytes, bytes],
        window_start: int,
        db: Session | None = None,
    ) -> Hits:
        if db is None:
            with self._engine().connect() as connection, self._autocommit(connection):
                return self._count(connection, client_key, token, pads, window_start)
        return self._count_for(db, client_key, token, pads, window_start)

    async def hit_client_and_user_on_loop(
        self,
        client_key: str,
        token: str | None,
        pads: tuple[bytes, bytes],
        window_start: int,
    ) -> Hits:
        """`hit_client_and_user` awaited on `loop_connection`, which must be set."""
        connection = self.loop_connection
        if connection is None:
            raise RuntimeError("no connection on the event loop: the app's lifespan opens it")
        statement, params = _count_statement(client_key, token, pads, window_start)

        async def count(db: psycopg.AsyncConnection[Any]) -> Hits:
            cursor = await db.execute(statement, params)
            hits = _hits_of(await cursor.fetchall(), client_key)
            if hits.client == 1:
                # The first hit of a window clears out the windows that are over.
                await db.execute(_PURGE, {"before": params["window_start"]})
            return hits

        return await connection.run(count)

    def _count_for(
        self,
        db: Session,
        client_key: str,
        token: str | None,
        pads: tuple[bytes, bytes],
        window_start: int,
    ) -> Hits:
        """Counts for the request whose session is `db`, on a connection of its pool.

        The statement runs in autocommit, before the request's transaction
        begins: its row locks end with it. The connection goes back to the
        pool at once (no ping: the request's session takes it, or another,
        without a round trip), so the limiter never holds two and a request
        holds none while it hashes a password after a commit. A session
        factory bound to a connection (a test's transaction) counts in a
        savepoint of its own, committed at once.
        """
        bind = db.get_bind()
        if not isinstance(bind, sa.Engine):
            hits = self._count(db.connection(), client_key, token, pads, window_start)
            db.commit()
            return hits
        with bind.connect() as connection, self._autocommit(connection):
            return self._count(connection, client_key, token, pads, window_start)

    @staticmethod
    @contextlib.contextmanager
    def _autocommit(connection: sa.Connection) -> Iterator[sa.Connection]:
        """`connection` in autocommit (no BEGIN, no COMMIT sent), back to its own level after."""
        level = connection.default_isolation_level
        connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection
        # Ends SQLAlchemy's record of the statement's transaction; nothing is sent.
        # After an error the connection is closed instead, which resets it.
        connection.commit()
        connection.execution_options(isolation_level=level)

    def _count(
        self,
        connection: sa.Connection,
        client_key: str,
        token: str | None,
        pads: tuple[bytes, bytes],
        window_start: int,
    ) -> Hits:
        """Counts the client and the user behind `token` in one statement, and finds the session."""
        statement, params = _count_statement(client_key, token, pads, window_start)
        hits = _hits_of(connection.exec_driver_sql(statement, params).all(), client_key)
        if hits.client == 1:
            self._purge(connection, window_start)
        return hits

    def _hit(self, connection: sa.Connection, key: str, window_start: int) -> int:
        start = dt.datetime.fromtimestamp(window_start, dt.UTC)
        params = {"key": key, "window_start": start}
        hits = int(connection.exec_driver_sql(_HIT, params).one()[1])
        if hits == 1:
            # The first hit of a window clears out the windows that are over.
            self._purge(connection, window_start)
        return hits

    def purge(self, before: int) -> int:
        """Deletes the counters of windows that started before `before`; returns how many."""
        with self._engine().begin() as connection:
            return self._purge(connection, before)

    def _purge(self, connection: sa.Connection, before: int) -> int:
        cutoff = dt.datetime.fromtimestamp(before, dt.UTC)
        return connection.exec_driver_sql(_PURGE, {"before": cutoff}).rowcount


def _count_statement(
    client_key: str, token: str | None, pads: tuple[bytes, bytes], window_start: int
) -> tuple[str, dict[str, object]]:
    """The statement that counts a request, and its parameters (psycopg's style).

    With a session token: the client and the user behind it, and the live
    session, in one statement; without: the client alone.
    """
    start = dt.datetime.fromtimestamp(window_start, dt.UTC)
    if token is None:
        return _HIT, {"key": client_key, "window_start": start}
    current = dt.datetime.now(dt.UTC)
    inner, outer = pads
    return _COUNT_CLIENT_AND_USER, {
        "token_hash": token_hash(token),
        "now": current,
        "idle_since": current - IDLE_TIMEOUT,
        "client_key": client_key,
        "inner_pad": inner,
        "outer_pad": outer,
        "window_start": start,
    }


def _hits_of(rows: Sequence[Sequence[Any]], client_key: str) -> Hits:
    """The counts and the caller from the rows of `_count_statement`'s statement."""
    client_hits = next(int(row[1]) for row in rows if row[0] == client_key)
    user_hits = next((int(row[1]) for row in rows if row[0] != client_key), 0)
    found = rows[0]
    if len(found) == 2:
        # `_HIT`: the client alone, no session cookie.
        return Hits(client_hits)
    if found[2] is None:
        # No live session behind the cookie.
        return Hits(client_hits, 0)
    caller = LiveSession(
        id=found[2],
        csrf_token=found[3],
        last_seen_at=found[4],
        user_id=found[5],
        email=found[6],
        role=found[7],
    )
    return Hits(client_hits, user_hits, caller)


class RedisCounter:
    """Counters in Redis: INCR and EXPIRE in one Lua script, so they expire by themselves."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._increment = self._client.register_script(_INCREMENT)
        # The serving event loop's script and database connection, set by
        # `loop_counting` while the app serves.
        self.loop_increment: AsyncScript | None = None
        self.loop_connection: LoopConnection | None = None

    def hit(self, key: str, window_start: int, db: Session | None = None) -> int:
        name = f"ratelimit:{key}:{window_start}"
        hits = self._increment(keys=[name], args=[WINDOW_SECONDS + 5])
        return int(hits[0])

    def loop_client(self) -> redis.asyncio.Redis:
        """A client for the serving event loop, with the timeouts of this one."""
        return redis.asyncio.Redis.from_url(
            self.url, socket_timeout=2.0, socket_connect_timeout=2.0
        )

    @staticmethod
    async def hit_on_loop(
        increment: AsyncScript, keys: Sequence[str], window_start: int
    ) -> list[int]:
        """Counts each key in one script call on the serving event loop; their hits, in order."""
        names = [f"ratelimit:{key}:{window_start}" for key in keys]
        hits = await increment(keys=names, args=[WINDOW_SECONDS + 5])
        return [int(hit) for hit in hits]

    async def find_caller_on_loop(self, token: str) -> LiveSession | None:
        """The live session of `token` and its user, read on `loop_connection` (`None` without one)."""
        connection = self.loop_connection
        if connection is None:
            return None
        current = dt.datetime.now(dt.UTC)
        params = {
            "token_hash": token_hash(token),
            "now": current,
            "idle_since": current - IDLE_TIMEOUT,
        }

        async def find(db: psycopg.AsyncConnection[Any]) -> LiveSession | None:
            cursor = await db.execute(_FIND_CALLER, params)
            row = await cursor.fetchone()
            if row is None:
                return None
            return LiveSession(
                id=row[0],
                csrf_token=row[1],
                last_seen_at=row[2],
                user_id=row[3],
                email=row[4],
                role=row[5],
            )

        return await connection.run(find)

    def hit_client_and_user(
        self,
        client_key: str,
        token: str | None,
        pads: tuple[bytes, bytes],
        window_start: int,
        db: Session | None = None,
    ) -> Hits:
        # Redis cannot find the session: the user is counted once it is found.
        return Hits(self.hit(client_key, window_start))


class RateLimiter:
    """Decides per client address and per user whether a request may go on."""

    def __init__(
        self,
        counter: Counter,
        secret: str,
        client_limit: int,
        user_limit: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.counter = counter
        self._secret = secret.encode()
        key = self._secret if len(self._secret) <= _BLOCK else hashlib.sha256(self._secret).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._pads = (bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key))
        self.client_limit = client_limit
        self.user_limit = user_limit
        # The windows' time source, in unix seconds (a test can stop it).
        self.clock = clock

    def _key(self, kind: str, identity: str) -> str:
        message = f"{kind}:{identity}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _window(self) -> tuple[int, int]:
        """The current window's start and the seconds until the next (unix seconds)."""
        now = self.clock()
        window_start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        return window_start, max(1, math.ceil(window_start + WINDOW_SECONDS - now))

    def check(self, kind: str, identity: str, limit: int, db: Session | None = None) -> Verdict:
        """Counts a request of `identity` and compares the window's count with `limit`.

        A database error is raised (a fault is answered 503); a Redis error
        lets the request through.
        """
        window_start, retry_after = self._window()
        try:
            hits = self.counter.hit(self._key(kind, identity), window_start, db)
        except redis.RedisError as error:
            # Redis is down, the database may not be: serve rather than fail every request.
            logger.warning("rate limit counters unavailable; request let through", exc_info=error)
            return Verdict(True, 0)
        return Verdict(hits <= limit, retry_after)

    def check_request(self, address: str, token: str | None, db: Session | None = None) -> Counted:
        """Counts a request from a client address with the session cookie `token`, if any.

        `db` is the request's session, whose pool the count uses.
        """
        window_start, retry_after = self._window()
        try:
            hits = self.counter.hit_client_and_user(
                self._key("client", address), token, self._pads, window_start, db
            )
        except redis.RedisError as error:
            logger.warning("rate limit counters unavailable; request let through", exc_info=error)
            return Counted(Verdict(True, 0))
        return self._counted(hits, retry_after)

    async def check_request_on_loop(
        self, counter: PostgresCounter, address: str, token: str | None
    ) -> Counted:
        """`check_request` awaited on the event loop, on `counter`'s loop connection."""
        window_start, retry_after = self._window()
        hits = await counter.hit_client_and_user_on_loop(
            self._key("client", address), token, self._pads, window_start
        )
        return self._counted(hits, retry_after)

    async def check_on_loop(
        self, increment: AsyncScript, kind: str, identity: str, limit: int
    ) -> Verdict:
        """`check` awaited on the serving event loop (counters in Redis); Redis errors let it through."""
        window_start, retry_after = self._window()
        try:
            [hits] = await RedisCounter.hit_on_loop(
                increment, [self._key(kind, identity)], window_start
            )
        except redis.RedisError as error:
            logger.warning("rate limit counters unavailable; request let through", exc_info=error)
            return Verdict(True, 0)
        return Verdict(hits <= limit, retry_after)

    async def check_request_in_redis_on_loop(
        self, counter: RedisCounter, increment: AsyncScript, address: str, token: str | None
    ) -> Counted:
        """Counts a request in Redis on the serving event loop: the client and its caller's user.

        The live session behind `token` is read first, on the counter's
        loop connection when it has one, and its user is counted in the same
        script call as the client; the session check then takes that session.
        A Redis error lets the request through (its caller still found).
        """
        window_start, retry_after = self._window()
        caller = None if token is None else await counter.find_caller_on_loop(token)
        keys = [self._key("client", address)]
        if caller is not None:
            keys.append(self._key("user", str(caller.user_id)))
        try:
            hits = await RedisCounter.hit_on_loop(increment, keys, window_start)
        except redis.RedisError as error:
            logger.warning("rate limit counters unavailable; request let through", exc_info=error)
            through = Verdict(True, 0)
            return Counted(through, None if caller is None else through, caller)
        if caller is None:
            return Counted(Verdict(hits[0] <= self.client_limit, retry_after))
        return self._counted(Hits(hits[0], hits[1], caller), retry_after)

    def _counted(self, hits: Hits, retry_after: int) -> Counted:
        """The verdicts on a request's counts."""
        client = Verdict(hits.client <= self.client_limit, retry_after)
        if not hits.user:
            return Counted(client)
        return Counted(client, Verdict(hits.user <= self.user_limit, retry_after), hits.caller)

    def check_client(self, address: str) -> Verdict:
        """Counts a request from a client address."""
        return self.check("client", address, self.client_limit)

    def check_user(self, user_id: str, db: Session | None = None) -> Verdict:
        """Counts a request of a signed-in user, on the request's session `db` when given."""
        return self.check("user", user_id, self.user_limit, db)


def from_settings(settings: Settings) -> RateLimiter:
    """The limiter the settings ask for: Redis when `REDIS_URL` is set, else PostgreSQL."""
    counter: Counter = RedisCounter(settings.redis_url) if settings.redis_url else PostgresCounter()
    return RateLimiter(
        counter,
        settings.secret_key,
        client_limit=settings.rate_limit_client,
        user_limit=settings.rate_limit_user,
    )


@contextlib.asynccontextmanager
async def loop_counting(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan: counters are counted on the serving event loop.

    Gives the limiter's counter a `db.LoopConnection` while the app serves
    and closes it at shutdown; it is one of the process's `DB_POOL_SIZE`
    connections (`db.loop_connections`: none when the ceiling is 1, and the
    counts in PostgreSQL run in the thread pool). Counters in Redis find the
    caller's session on it, and also get an asyncio client of the process's
    own, closed at shutdown. It connects on the first request, so an app
    whose database is down still starts (and answers `/healthz`).
    """
    limiter: RateLimiter = app.state.rate_limiter
    counter = limiter.counter
    # The settings the app's engine was made from: the loop's connection is one of its ceiling.
    settings = get_settings()
    connection = (
        LoopConnection(settings, statement_timeout=settings.db_statement_timeout)
        if loop_connections(settings)
        else None
    )
    # Connects on first use: an app whose Redis is down still starts.
    client = counter.loop_client() if isinstance(counter, RedisCounter) else None
    if isinstance(counter, RedisCounter) and client is not None:
        counter.loop_increment = client.register_script(_INCREMENT)
    if isinstance(counter, (PostgresCounter, RedisCounter)):
        counter.loop_connection = connection
    try:
        yield
    finally:
        if isinstance(counter, (PostgresCounter, RedisCounter)):
            counter.loop_connection = None
        if isinstance(counter, RedisCounter):
            counter.loop_increment = None
        if client is not None:
            await client.aclose()
        if connection is not None:
            await connection.close()


def too_many_requests(verdict: Verdict) -> Problem:
    """429 with `Retry-After`."""
    return Problem(429, TOO_MANY, headers={"Retry-After": str(verdict.retry_after)})


class ClientRateLimitMiddleware:
    """Limits requests per client address before anything else runs."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        if isinstance(self.limiter.counter, PostgresCounter):
            # Counted on the database: the request waits for its turn first (db.py).
            gate: ConnectionGate = scope["app"].state.connection_gate
            async with gate.turn():
                await self._limit(scope, receive, send, address)
        else:
            await self._limit(scope, receive, send, address)

    async def _limit(self, scope: Scope, receive: Receive, send: Send, address: str) -> None:
        db: Session | None = None
        if isinstance(self.limiter.counter, PostgresCounter):
            # The request's session: counted on, then used by its routes (db.get_db).
            sessions: sessionmaker[Session] = scope["app"].state.sessions
            db = sessions()
        try:
            token = _session_token(scope)
            counter = self.limiter.counter
            if (
                isinstance(counter, PostgresCounter)
                and counter.loop_connection is not None
                and db is not None
                and isinstance(db.get_bind(), sa.Engine)
            ):
                # The app is serving: counted on the event loop, no trip through the pool.
                counted = await self.limiter.check_request_on_loop(counter, address, token)
            elif isinstance(counter, RedisCounter) and counter.loop_increment is not None:
                # In Redis, on the event loop too: the caller found, then both counted.
                counted = await self.limiter.check_request_in_redis_on_loop(
                    counter, counter.loop_increment, address, token
                )
            else:
                counted = await run_in_threadpool(self.limiter.check_request, address, token, db)
            state = scope.setdefault("state", {})
            if db is not None:
                state[REQUEST_SESSION] = db
            if counted.user is not None:
                state[USER_VERDICT] = counted.user
            if counted.caller is not None:
                state[CALLER] = (token, counted.caller)
            if not counted.client.allowed:
                response = problem_response(
                    429, TOO_MANY, headers={"Retry-After": str(counted.client.retry_after)}
                )
                await response(scope, receive, send)
                return
            await self.app(scope, receive, send)
        finally:
            if db is not None:
                await close_after(db)


def _session_token(scope: Scope) -> str | None:
    """The session cookie of a request, if any."""
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, token = part.strip().partition("=")
                if key == SESSION_COOKIE and token:
                    return token
    return None


def counted_caller(request: Request, token: str) -> LiveSession | None:
    """The live session the middleware's count found for the session cookie `token`, if any."""
    found: tuple[str, LiveSession] | None = getattr(request.state, CALLER, None)
    if found is None or found[0] != token:
        return None
    return found[1]


async def enforce_user_limit(request: Request, user_id: str, db: Session) -> None:
    """429 past the user's limit: the middleware's count, else one of its own (counters in Redis).

    That one is awaited on the event loop while the app serves, else run in the thread pool.
    """
    verdict: Verdict | None = getattr(request.state, USER_VERDICT, None)
    if verdict is None:
        limiter: RateLimiter = request.app.state.rate_limiter
        counter = limiter.counter
        if isinstance(counter, RedisCounter) and counter.loop_increment is not None:
            verdict = await limiter.check_on_loop(
                counter.loop_increment, "user", user_id, limiter.user_limit
            )
        else:
            verdict = await run_in_threadpool(limiter.check_user, user_id, db)
    if not verdict.allowed:
        raise too_many_requests(verdict)
