"""Encryption at rest: keys, the cipher, and what the database sees."""

import base64
import os
import subprocess
import sys

import pytest

from team_tasks.security import crypto
from team_tasks.settings import PROJECT_ROOT

# Its writes must commit: stored columns are read on the engine's own connections.
pytestmark = pytest.mark.committed

OLD_KEY = base64.urlsafe_b64encode(b"o" * 32).decode()
NEW_KEY = base64.urlsafe_b64encode(b"n" * 32).decode()


def _starts_with(keys: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ENCRYPTION_KEYS"}
    if keys is not None:
        env["ENCRYPTION_KEYS"] = keys
    env["PYTHONPATH"] = str(PROJECT_ROOT / "src")
    return subprocess.run(
        [sys.executable, "-c", "import team_tasks.main"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("keys", [None, "", "not base64!", "c2hvcnQ"])
def test_a_missing_or_invalid_key_stops_start_up_naming_it(keys: str | None) -> None:
    result = _starts_with(keys)
    assert result.returncode != 0
    assert "ENCRYPTION_KEYS" in result.stderr


def test_values_round_trip_and_name_their_key() -> None:
    ring = crypto.Keyring.from_settings(f"{NEW_KEY},{OLD_KEY}", "a-secret-key-for-tests")
    stored = ring.encrypt(b"plain value")
    assert b"plain value" not in base64.b64decode(stored)
    assert crypto.stored_key_id(stored) == ring.current_id
    assert ring.decrypt(stored) == b"plain value"
    assert ring.encrypt(b"plain value") != stored  # a fresh nonce every time


def test_old_keys_still_decrypt_and_unknown_keys_do_not() -> None:
    old = crypto.Keyring.from_settings(OLD_KEY, "a-secret-key-for-tests")
    both = crypto.Keyring.from_settings(f"{NEW_KEY},{OLD_KEY}", "a-secret-key-for-tests")
    new = crypto.Keyring.from_settings(NEW_KEY, "a-secret-key-for-tests")
    stored = old.encrypt(b"value")
    assert both.decrypt(stored) == b"value"
    with pytest.raises(crypto.KeyringError):
        new.decrypt(stored)


def test_tampered_values_are_refused() -> None:
    ring = crypto.Keyring.from_settings(OLD_KEY, "a-secret-key-for-tests")
    data = bytearray(base64.b64decode(ring.encrypt(b"value")))
    data[-1] ^= 1
    with pytest.raises(crypto.KeyringError):
        ring.decrypt(base64.b64encode(bytes(data)).decode())


def test_blind_indexes_are_keyed_and_deterministic() -> None:
    one = crypto.Keyring.from_settings(OLD_KEY, "a-secret-key-for-tests")
    other = crypto.Keyring.from_settings(OLD_KEY, "another-secret-key-here")
    assert one.blind_index(b"x@example.com") == one.blind_index(b"x@example.com")
    assert one.blind_index(b"x@example.com") != one.blind_index(b"y@example.com")
    assert one.blind_index(b"x@example.com") != other.blind_index(b"x@example.com")
