"""Real servers for the tests: the app under uvicorn in its own process, and Redis."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

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
    port = free_port()
    if gunicorn:
        command = ["-m", "gunicorn", "--config", "gunicorn.conf.py", "lend_well.main:app"]
        env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
        env["PYTHONPATH"] = str(PROJECT_ROOT / "src")
    else:
        command = ["-m", "uvicorn", "lend_well.main:app", "--app-dir", str(PROJECT_ROOT / "src")]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    with open(log or os.devnull, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, *command],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
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


def fresh_window(margin: float = 15.0) -> None:
    """Waits, if need be, so that the next `margin` seconds fall in one rate-limit minute."""
    into = time.time() % 60
    if into > 60 - margin:
        time.sleep(60 - into + 0.2)
