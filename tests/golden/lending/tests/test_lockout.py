"""The lockout: per email and client address, per email across addresses, atomic."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lend_well.security import passwords
from lend_well.services.auth import MAX_EMAIL_FAILURES, MAX_FAILURES
from tests.conftest import ADMIN_ROLE, PASSWORD, Api, make_user

# Its writes must commit: concurrent guesses wait on each other's locks.
pytestmark = pytest.mark.committed

WRONG = "wrong-password-here"


def from_address(app: FastAPI, address: str, headers: dict[str, str] | None = None) -> Api:
    """A client whose TCP peer is `address`."""
    api = Api(app)
    api.client = TestClient(
        app, raise_server_exceptions=False, client=(address, 50000), headers=headers
    )
    return api


class CountingHasher(PasswordHasher):
    """Argon2id as the suite configures it, counting the passwords it checks."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.checked = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.checked += 1
        return super().verify(hash, password)


def test_the_numbers_come_from_the_model() -> None:
    assert MAX_FAILURES == 5
    assert MAX_EMAIL_FAILURES == 50


def test_a_locked_address_gets_429_even_with_the_right_password(app: FastAPI) -> None:
    email = make_user(ADMIN_ROLE)
    attacker = from_address(app, "198.51.100.1")
    for _ in range(MAX_FAILURES):
        assert attacker.login(email, WRONG).status_code == 401
    locked = attacker.login(email, PASSWORD)
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 30 * 60


def test_another_address_may_still_sign_in_and_that_resets_the_counts(app: FastAPI) -> None:
    email = make_user(ADMIN_ROLE)
    attacker = from_address(app, "198.51.100.2")
    for _ in range(MAX_FAILURES):
        attacker.login(email, WRONG)
    assert attacker.login(email, PASSWORD).status_code == 429
    assert from_address(app, "198.51.100.3").login(email, PASSWORD).status_code == 200
    # The success reset the email's counts for every address.
    assert attacker.login(email, PASSWORD).status_code == 200


def test_many_addresses_lock_the_email_out_everywhere(app: FastAPI) -> None:
    email = make_user(ADMIN_ROLE)
    addresses = [f"203.0.113.{n}" for n in range(1, MAX_EMAIL_FAILURES // MAX_FAILURES + 2)]
    failures = 0
    for address in addresses:
        client = from_address(app, address)
        for _ in range(MAX_FAILURES):
            if failures == MAX_EMAIL_FAILURES:
                break
            assert client.login(email, WRONG).status_code == 401
            failures += 1
    assert failures == MAX_EMAIL_FAILURES
    fresh = from_address(app, "192.0.2.200")
    locked = fresh.login(email, PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0


def test_concurrent_guesses_check_no_more_passwords_than_the_limit(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = make_user(ADMIN_ROLE)
    hasher = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    address = f"198.51.100.{uuid.uuid4().int % 200 + 10}"

    def guess(_: int) -> int:
        return from_address(app, address).login(email, WRONG).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(guess, range(20)))
    assert hasher.checked <= MAX_FAILURES
    assert statuses.count(401) <= MAX_FAILURES
    assert statuses.count(401) + statuses.count(429) == 20


def test_rotating_x_forwarded_for_does_not_escape_the_lockout(app: FastAPI) -> None:
    email = make_user(ADMIN_ROLE)
    for n in range(MAX_FAILURES):
        spoofed = {"X-Forwarded-For": f"10.9.8.{n}"}
        client = from_address(app, "198.51.100.77", headers=spoofed)
        assert client.login(email, WRONG).status_code == 401
    client = from_address(app, "198.51.100.77", headers={"X-Forwarded-For": "10.9.8.99"})
    assert client.login(email, PASSWORD).status_code == 429
