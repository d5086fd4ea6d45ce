"""The database engine and sessions (SQLAlchemy 2 with psycopg 3).

`DB_POOL_SIZE` is the ceiling of connections per process: the pool (less
the event loop's one connection for the rate-limit counts, see
`loop_connections`) has no overflow, and a request that cannot get a connection within
`DB_POOL_TIMEOUT` seconds is answered 503 (faults.py), as is one whose
statement runs past `DB_STATEMENT_TIMEOUT`.

Connections are not pinged before use (a ping is a round trip and a
transaction). Instead each checkout looks, without a round trip, whether the
server has closed the connection while it sat in the pool (a restart: the
server ends every session and its socket reads end-of-file); such a
connection is discarded and a new one opened, so a worker that was idle
through a restart serves its next request as usual. A connection cut without
a word (a network fault) fails its next statement, the request is answered
503, and the error invalidates the whole pool, so every connection opened
before it is replaced on its next checkout.

A request takes as few trips through the thread pool as it can: each costs
two thread switches and a hand-over of the interpreter lock, about as much
as a short statement. The rate-limit count runs on the event loop, on a
`LoopConnection` of its own (one per process, beside the pool), and a read
runs on a connection in autocommit in its endpoint's thread (`reading`), so
its session, never used, closes after the response without another trip.
"""

import asyncio
import contextlib
import functools
import logging
import math
import select
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import anyio.to_thread
import psycopg
import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from every_type.settings import DatabaseSettings, Settings, get_settings

logger = logging.getLogger(__name__)

# libpq's shortest connect timeout.
MIN_CONNECT_TIMEOUT = 2
# Where the rate limiter leaves the session it opened for a request (ratelimit.py).
REQUEST_SESSION = "db_session"
# The most turns a ConnectionGate gives, whatever the thread pool says (it may be unbounded).
MAX_TURNS = 1000
T = TypeVar("T")
# SQLSTATEs of a server that ended or refuses the connection: admin or crash
# shutdown, starting up; class 08 is every connection exception.
_DISCONNECTS = frozenset({"57P01", "57P02", "57P03"})


def connect_args(
    settings: DatabaseSettings, statement_timeout: float | None = None
) -> dict[str, Any]:
    """libpq's connection parameters beside the URL: the connect and statement timeouts."""
    args: dict[str, Any] = {
        "connect_timeout": max(MIN_CONNECT_TIMEOUT, math.ceil(settings.db_pool_timeout)),
    }
    if statement_timeout is not None:
        args["options"] = f"-c statement_timeout={math.ceil(statement_timeout * 1000)}"
    return args


def create_engine(
    settings: DatabaseSettings, *, statement_timeout: float | None = None
) -> sa.Engine:
    """An engine whose pool never grows past `DB_POOL_SIZE` and is renewed after a disconnect.

    `statement_timeout` (seconds) makes the server cancel longer statements.
    """
    engine = sa.create_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout,
        connect_args=connect_args(settings, statement_timeout),
    )
    sa.event.listen(engine, "handle_error", _invalidate_on_disconnect)
    sa.event.listen(engine, "checkout", _discard_if_closed_by_server)
    return engine


def closed_by_server(
    dbapi_connection: psycopg.Connection[Any] | psycopg.AsyncConnection[Any],
) -> bool:
    """Whether an idle connection was closed by the server, asked of the socket only.

    An idle connection's socket has nothing to read (the app never
    `LISTEN`s); a readable one holds the server's goodbye or its end of file,
    or, rarely, a message the server sends unasked (a setting changed by a
    reload): that connection is replaced too, which costs one connect.
    """
    if dbapi_connection.closed:
        return True
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError, psycopg.Error):
        return True


def _discard_if_closed_by_server(
    dbapi_connection: psycopg.Connection[Any], _record: object, _proxy: object
) -> None:
    """Makes the pool replace a connection the server closed while it was idle."""
    if closed_by_server(dbapi_connection):
        raise sa.exc.DisconnectionError("the server closed this pooled connection")


def _invalidate_on_disconnect(context: sa.engine.ExceptionContext) -> None:
    """Treats a server that ended the connection as a disconnect, whatever psycopg noticed.

    SQLAlchemy then discards the connection and invalidates the pool
    (`invalidate_pool_on_disconnect`): connections checked out before the
    error are replaced when next checked out, instead of each failing once.
    """
    state = getattr(context.original_exception, "sqlstate", None) or ""
    if state.startswith("08") or state in _DISCONNECTS:
        context.is_disconnect = True


def loop_connections(settings: Settings) -> int:
    """How many of the `DB_POOL_SIZE` connections the event loop keeps, the pool the rest.

    One (a `LoopConnection` on which the rate limiter counts in PostgreSQL,
    or finds the caller's session when it counts in Redis) when the pool
    keeps at least one; else none, and that work runs in the thread pool.
    """
    return 1 if settings.db_pool_size >= 2 else 0


@functools.cache
def get_engine() -> sa.Engine:
    """The app's engine, created on first use: `DB_POOL_SIZE` less the loop's connection."""
    settings = get_settings()
    pooled = settings.model_copy(
        update={"db_pool_size": settings.db_pool_size - loop_connections(settings)}
    )
    return create_engine(pooled, statement_timeout=settings.db_statement_timeout)


@functools.cache
def get_sessionmaker() -> sessionmaker[Session]:
    """The app's session factory."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


# What a read runs its statements on: a connection in autocommit (`reading`), or a session.
Reader = Session | sa.Connection


@contextlib.contextmanager
def reading(db: Session) -> Iterator[Reader]:
    """What a read runs on: a pooled connection in autocommit, returned when the block ends.

    A read needs no transaction: at PostgreSQL's READ COMMITTED each
    statement sees the rows committed when it starts, in a transaction or
    not. So a read sends no `BEGIN` or `ROLLBACK`, and it leaves the
    request's session untouched: the session holds no connection and closes
    after the response on the event loop (`close_after`), and the read does
    not pay for a session's transaction (its bookkeeping took about a tenth
    of a list's time). The connection comes from the same pool (so
    `DB_POOL_SIZE` bounds it) and goes back to it, switched back to its own
    isolation level (psycopg sends nothing for either switch), in the
    endpoint's thread. A session already in a transaction, or bound to an
    outer one (tests), is yielded itself and rolled back when the block ends;
    a block that raises leaves it as it is: `close_after` rolls it back.
    """
    bind = db.get_bind()
    if db.in_transaction() or not isinstance(bind, sa.Engine):
        yield db
        db.rollback()
        return
    with bind.connect() as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")


class LoopConnection:
    """One autocommit connection used on the event loop: statements awaited, no thread.

    The rate limiter counts every request on it (ratelimit.py) before the
    request takes a connection from the pool, so the count costs no trip
    through the thread pool. It belongs to the loop that serves the app: the
    app's lifespan makes it and closes it (main.py). Requests take turns on
    it; one that gets no turn within `DB_POOL_TIMEOUT` fails as one that
    gets no pooled connection does (503). It connects on first use, and
    again whenever the server closed it (a restart: seen on the socket,
    without a round trip) or a statement broke it, so the next request after
    a fault is served as usual. One connection is enough: a count is one
    short statement, far quicker than the request it guards.
    """

    def __init__(self, settings: DatabaseSettings, statement_timeout: float | None = None) -> None:
        url = sa.make_url(settings.sqlalchemy_url).set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._connect_args = connect_args(settings, statement_timeout)
        self._timeout = settings.db_pool_timeout
        self._turn = asyncio.Lock()
        self._connection: psycopg.AsyncConnection[Any] | None = None

    async def run(self, work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]]) -> T:
        """Awaits `work` on the connection, in this request's turn."""
        if self._turn.locked():
            try:
                await asyncio.wait_for(self._turn.acquire(), self._timeout)
            except TimeoutError:
                raise sa.exc.TimeoutError(
                    f"the counters' connection was not free within DB_POOL_TIMEOUT "
                    f"({self._timeout} s)"
                ) from None
        else:
            # A free turn is taken at once: nothing is awaited.
            await self._turn.acquire()
        try:
            connection = await self._live()
            try:
                return await work(connection)
            except psycopg.Error:
                if connection.broken or connection.closed:
                    self._connection = None
                raise
        finally:
            self._turn.release()

    async def _live(self) -> psycopg.AsyncConnection[Any]:
        """The open connection, made anew when there is none or the server closed it."""
        connection = self._connection
        if connection is not None and (connection.broken or closed_by_server(connection)):
            self._connection = None
            with contextlib.suppress(psycopg.Error):
                await connection.close()
            connection = None
        if connection is None:
            connection = await psycopg.AsyncConnection.connect(
                self._conninfo, autocommit=True, **self._connect_args
            )
            self._connection = connection
        return connection

    async def close(self) -> None:
        """Closes the connection, if open."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(psycopg.Error):
                await connection.close()


def close_quietly(session: Session) -> None:
    """Closes a session, rolling back what was not committed; never raises.

    A request's session closes after its response has started; an error
    then (the database went away) is logged, not raised into the server,
    which would cut the client's connection.
    """
    try:
        session.close()
    except Exception:
        logger.warning("closing a database session failed", exc_info=True)
        # Whatever connection it still holds goes back to the pool, discarded.
        with contextlib.suppress(Exception):
            session.invalidate()


class ConnectionGate:
    """Lets at most as many requests of this process use the database at once as
    the thread pool has threads (anyio's default limiter: 40).

    A request holds its pooled connection across several trips through the
    thread pool (its session check, its endpoint, its close). Were more
    requests waiting for a connection in threads than the thread pool has
    threads, the requests holding the connections would wait for a thread,
    and every request would stall until `DB_POOL_TIMEOUT`. A request first
    waits here, on the event loop, for a turn, and gives it back once its
    session is closed: a request in its turn uses one thread at a time, so
    a request holding a connection always finds a thread. The turns exceed
    `DB_POOL_SIZE` on purpose: a sign-in hashes its password in its turn
    without a connection. A request that gets no turn within
    `DB_POOL_TIMEOUT` is answered 503 (faults.py), as one that gets no
    connection is.
    """

    def __init__(self, timeout: float, size: int | None = None) -> None:
        self._timeout = timeout
        self._size = size
        self._turns: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        """The turns, sized on first use (the thread pool is known inside the event loop)."""
        if self._turns is None:
            size = self._size
            if size is None:
                threads = anyio.to_thread.current_default_thread_limiter().total_tokens
                size = int(min(threads, MAX_TURNS))
            self._turns = asyncio.Semaphore(max(1, size))
        return self._turns

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Holds one turn for the body of the `async with`."""
        turns = self._semaphore()
        if turns.locked():
            await self._wait(turns)
        else:
            # A free turn is taken at once: nothing is awaited.
            await turns.acquire()
        try:
            yield
        finally:
            turns.release()

    async def _wait(self, turns: asyncio.Semaphore) -> None:
        waiting = asyncio.ensure_future(turns.acquire())
        try:
            await asyncio.wait({waiting}, timeout=self._timeout)
        except BaseException:
            _abandon(turns, waiting)
            raise
        if not waiting.done():
            _abandon(turns, waiting)
            raise sa.exc.TimeoutError(
                f"no database turn was free within DB_POOL_TIMEOUT ({self._timeout} s)"
            )


def _abandon(turns: asyncio.Semaphore, waiting: asyncio.Future[Any]) -> None:
    """Stops waiting for a turn, giving it back if it was granted meanwhile."""
    if not waiting.cancel() and not waiting.cancelled():
        turns.release()


async def close_after(session: Session) -> None:
    """Closes a request's session once its response is sent.

    A session still in a transaction (a read) rolls it back, a round trip,
    so it closes in the thread pool. One that committed or never touched
    the database holds no connection and sends nothing, so it closes here,
    on the event loop, without a trip through the pool.
    """
    if session.in_transaction():
        await run_in_threadpool(close_quietly, session)
    else:
        close_quietly(session)


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's session; whatever was not committed is rolled back.

    It is the session the rate limiter opened for the request and closes
    after the response (ratelimit.py); else (probes, or counters in Redis)
    a new one from the app's `state.sessions`, closed here. A dependency on
    the event loop: opening a session touches no connection, so handing it
    over costs no trip through the thread pool; only closing one does I/O.
    """
    opened: Session | None = getattr(request.state, REQUEST_SESSION, None)
    if opened is not None:
        yield opened
        return
    factory: sessionmaker[Session] = request.app.state.sessions
    gate: ConnectionGate = request.app.state.connection_gate
    async with gate.turn():
        session = factory()
        try:
            yield session
        finally:
            await close_after(session)
