"""Encryption at rest: keys, the cipher, and what the database sees."""

import base64
import itertools
import os
import subprocess
import sys
from typing import Any

import pytest
import sqlalchemy as sa

from every_type import backup, cli, models
from every_type.db import get_engine, get_sessionmaker
from every_type.security import crypto
from every_type.settings import PROJECT_ROOT, get_settings
from tests.conftest import Api
from tests.factories import PATHS, SAMPLES, body_for

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
        [sys.executable, "-c", "import every_type.main"],
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


ENTITY = "Part"
FIELD = "secret_text"
PATH = PATHS[ENTITY]


_numbers = itertools.count(1)


def _body(api: Api, entity: str, field: str) -> dict[str, Any]:
    """A valid body carrying `field`, which an admin sets where only some roles may."""
    body = body_for(api, entity)
    sample = SAMPLES.get((entity, field))
    if sample is not None:
        body[field] = sample(next(_numbers))
    return body


def _stored(item_id: str) -> str:
    """The column as the database holds it."""
    table = models.Part.__table__
    column = sa.type_coerce(table.c[FIELD], sa.Text())
    with get_engine().connect() as connection:
        value = connection.execute(sa.select(column).where(table.c.id == item_id)).scalar_one()
    assert isinstance(value, str)
    return value


def test_a_direct_sql_read_shows_no_plaintext(admin: Api) -> None:
    body = _body(admin, ENTITY, FIELD)
    created = admin.post(PATH, json=body)
    assert created.status_code == 201, created.text
    item = created.json()
    stored = _stored(item["id"])
    plain = str(body[FIELD])
    assert plain not in stored
    assert plain.encode() not in base64.b64decode(stored)
    read = admin.get(f"{PATH}/{item['id']}")
    assert read.json()[FIELD] == item[FIELD]
    assert read.json()[FIELD] is not None


def test_a_database_dump_shows_no_plaintext(admin: Api) -> None:
    """What `pg_dump` sees of the row (plain SQL, so nothing is hidden by compression)."""
    body = _body(admin, ENTITY, FIELD)
    created = admin.post(PATH, json=body)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    url, env = backup._connection(get_settings())
    dumped = subprocess.run(
        [backup._tool("pg_dump"), "--format=plain", "--data-only", f"--dbname={url}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    # The row itself (its id first); the audit event about it names only fields.
    rows = [line for line in dumped.stdout.splitlines() if line.startswith(f"{item_id}\t")]
    assert len(rows) == 1, "the row is in the dump once"
    plain = str(body[FIELD])
    assert plain not in rows[0].split("\t")
    assert plain not in rows[0]


def test_rotation_re_encrypts_under_the_newest_key(
    admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = crypto.keyring()
    body = _body(admin, ENTITY, FIELD)
    created = admin.post(PATH, json=body)
    assert created.status_code == 201, created.text
    item = created.json()
    assert crypto.stored_key_id(_stored(item["id"])) == old.current_id

    new_key = base64.urlsafe_b64encode(b"r" * 32).decode()
    keys = ",".join([new_key, *(base64.urlsafe_b64encode(k).decode() for k in old.keys)])
    rotated = crypto.Keyring(
        keys=crypto.Keyring.from_settings(keys, "unused").keys,
        index_key=old.index_key,
    )
    monkeypatch.setattr(crypto, "keyring", lambda: rotated)
    with get_sessionmaker()() as db:
        counts = cli.rotate(db, rotated, batch=1)
    assert counts[ENTITY] >= 1
    assert crypto.stored_key_id(_stored(item["id"])) == rotated.current_id
    with get_sessionmaker()() as db:
        # Nothing is left under the old key.
        assert cli.rotate(db, rotated) == dict.fromkeys(cli.ENCRYPTED, 0)

    # Only the new key is needed now.
    only_new = crypto.Keyring.from_settings(new_key, "unused")
    monkeypatch.setattr(crypto, "keyring", lambda: crypto.Keyring(only_new.keys, old.index_key))
    read = admin.get(f"{PATH}/{item['id']}")
    assert read.status_code == 200
    assert read.json() == item | {"updated_at": read.json()["updated_at"]}
    assert read.json()["updated_at"] == item["updated_at"]


def test_rotation_recomputes_blind_indexes_after_a_secret_key_change(
    admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    entity = "Part"
    field = "secret_code"
    path = PATHS[entity]
    body = _body(admin, entity, field)
    created = admin.post(path, json=body)
    assert created.status_code == 201, created.text
    item = created.json()
    value = item["secret_code"]
    assert value is not None
    table = models.Part.__table__

    def stored_index() -> str:
        column = table.c["secret_code_bidx"]
        statement = sa.select(column).where(table.c.id == item["id"])
        with get_engine().connect() as connection:
            found = connection.execute(statement).scalar_one()
        assert isinstance(found, str)
        return found

    old = crypto.keyring()
    assert stored_index() == crypto.blind_index("text", value)
    changed = crypto.Keyring.from_settings(
        ",".join(base64.urlsafe_b64encode(k).decode() for k in old.keys),
        "a-new-secret-key-after-rotation",
    )
    monkeypatch.setattr(crypto, "keyring", lambda: changed)
    with get_sessionmaker()() as db:
        assert cli.rotate(db, changed)["Part"] >= 1
    assert stored_index() == crypto.blind_index("text", value)
    assert stored_index() != old.blind_index(str(value).encode())
    # The unique field is still enforced under the new index key.
    duplicate = body_for(admin, "Part")
    duplicate["secret_code"] = value
    assert admin.post(path, json=duplicate).status_code == 409
