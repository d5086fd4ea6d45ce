"""Real servers for the tests: the app in its own process, Redis, and a proxy to cut."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from lend_well.settings import PROJECT_ROOT


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(process: "subprocess.Popen[bytes]") -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_app(
    env: dict[str, str], log: Path | None = None, gunicorn: bool = False
) -> Iterator[str]:
    """Serves the app in a process of its own (uvicorn, or gunicorn as the image does).

    Yields its base URL.
    """
    # The test binds the port and hands the listening socket to the server,
    # so no other process can take the port between choosing and serving
    # it (a port chosen free and bound later can be, by a parallel test).
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port: int = listener.getsockname()[1]
    fd = listener.fileno()
    if gunicorn:
        command = ["-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"fd://{fd}"]
        command.append("lend_well.main:app")
        env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
        env["PYTHONPATH"] = str(PROJECT_ROOT / "src")
    else:
        command = ["-m", "uvicorn", "lend_well.main:app", "--app-dir", str(PROJECT_ROOT / "src")]
        command += ["--fd", str(fd), "--no-proxy-headers"]
    with open(log or os.devnull, "wb") as out:
        # The server's copy is the only one left: once it stops, the port refuses.
        with listener:
            process = subprocess.Popen(
                [sys.executable, *command],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(fd,),
            )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the app exited with {process.returncode}")
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the app did not come up in 60 s")
                time.sleep(0.1)
            yield base
        finally:
            _stop(process)


@contextmanager
def running_redis() -> Iterator[str]:
    """A throwaway `redis-server` on a free loopback port, without persistence."""
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {process.returncode}")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                        sock.sendall(b"PING\r\n")
                        if sock.recv(16).startswith(b"+PONG"):
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not come up in 20 s")
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            _stop(process)


def pin_window(app: FastAPI) -> FastAPI:
    """Stops the app's rate-limit clock now: all of a test's requests fall in one window.

    The window is the current one, as on an unpinned clock, however long the
    test takes: a test never waits for a minute to turn, nor sees one turn.
    """
    pinned = time.time()
    app.state.rate_limiter.clock = lambda: pinned
    return app


class CuttableProxy:
    """A TCP proxy to PostgreSQL that can be cut and restored, as a restart cuts and restores it.

    While cut, nothing listens on its port (connections are refused) and
    every connection it carried is closed. `peak` is the most connections
    it carried at once.
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._open = 0
        self.peak = 0
        self.port = free_port()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        """Listens again."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Stops listening and closes every connection."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            listener.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self._sockets.update((client, server))
                self._open += 1
                self.peak = max(self.peak, self._open)
            done = threading.Event()
            for source, target in ((client, server), (server, client)):
                threading.Thread(
                    target=self._pump, args=(source, target, done), daemon=True
                ).start()

    def _pump(self, source: socket.socket, target: socket.socket, done: threading.Event) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with self._lock:
            first = not done.is_set()
            if first:
                done.set()
                self._open -= 1
            self._sockets.discard(source)
            self._sockets.discard(target)
        if not first:
            source.close()
            target.close()
