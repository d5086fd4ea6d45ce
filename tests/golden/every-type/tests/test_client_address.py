"""The client's address: the TCP peer unless it is a trusted proxy; never the client's say."""

import json
import os
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from every_type.client import client_address, parse_trusted_proxies
from every_type.main import create_app
from every_type.settings import Settings, get_settings
from tests.servers import pin_window, running_app

# Its writes must commit: servers of its own read the committed rows.
pytestmark = pytest.mark.committed

PROXIES = parse_trusted_proxies("10.0.0.0/8, 192.0.2.1")


def scope_of(peer: str, *forwarded: str) -> dict[str, object]:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"type": "http", "client": (peer, 1234), "headers": headers}


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address(scope_of("203.0.113.5", "1.2.3.4"), ()) == "203.0.113.5"


def test_an_untrusted_peer_cannot_choose_its_address() -> None:
    assert client_address(scope_of("203.0.113.5", "1.2.3.4"), PROXIES) == "203.0.113.5"


def test_behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client() -> None:
    scope = scope_of("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.1.2.3")
    assert client_address(scope, PROXIES) == "198.51.100.9"
    # Headers sent twice read as one list.
    scope = scope_of("192.0.2.1", "6.6.6.6", "198.51.100.10")
    assert client_address(scope, PROXIES) == "198.51.100.10"
    # Only trusted proxies: the peer.
    assert client_address(scope_of("10.0.0.2", "10.0.0.3"), PROXIES) == "10.0.0.2"
    assert client_address(scope_of("10.0.0.2"), PROXIES) == "10.0.0.2"


def test_trusted_proxies_must_be_addresses_or_cidrs() -> None:
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings(**{**get_settings().model_dump(), "trusted_proxies": "10.0.0.0/8, not-an-ip"})


def limited(client: int, trusted: str = "") -> FastAPI:
    settings = get_settings().model_copy(
        update={"rate_limit_client": client, "redis_url": None, "trusted_proxies": trusted}
    )
    return create_app(settings)


def test_rotating_x_forwarded_for_does_not_escape_the_rate_limit() -> None:
    limit = 3
    app = pin_window(limited(limit))
    statuses = []
    for n in range(limit + 2):
        client = TestClient(
            app,
            raise_server_exceptions=False,
            client=("198.51.100.33", 40000),
            headers={"X-Forwarded-For": f"10.20.30.{n}"},
        )
        statuses.append(client.get("/api/auth/me").status_code)
    assert statuses == [401] * limit + [429] * 2


def test_clients_behind_a_trusted_proxy_are_limited_one_by_one() -> None:
    limit = 2
    app = pin_window(limited(limit, trusted="10.0.0.0/8"))

    def call(address: str) -> int:
        client = TestClient(
            app,
            raise_server_exceptions=False,
            client=("10.0.0.9", 40000),
            headers={"X-Forwarded-For": address},
        )
        return int(client.get("/api/auth/me").status_code)

    first = [call("198.51.100.41") for _ in range(limit + 1)]
    assert first == [401] * limit + [429]
    assert call("198.51.100.42") == 401


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_the_servers_do_not_trust_loopback_proxies(tmp_path: Path, server: str) -> None:
    log = tmp_path / "server.log"
    env = dict(os.environ)
    env.update(LOG_LEVEL="INFO", TRUSTED_PROXIES="")
    with running_app(env, log, gunicorn=server == "gunicorn") as base:
        response = httpx.get(
            base + "/api/auth/me",
            headers={"X-Forwarded-For": "6.6.6.6", "X-Request-ID": "forwarded-1"},
        )
        assert response.status_code == 401
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    served = [e for e in entries if e.get("request_id") == "forwarded-1"]
    assert served
    assert served[0]["client"] == "127.0.0.1"
