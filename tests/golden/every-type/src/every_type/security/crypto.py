"""Encryption at rest of sensitive fields: AES-256-GCM under `ENCRYPTION_KEYS`.

A stored value is `base64(version byte | key id (4 bytes) | nonce (12 bytes) |
ciphertext and tag)` in a text column. The key id is the first four bytes of
SHA-256 over the key, so every value names the key that can open it: the
newest key (the first in `ENCRYPTION_KEYS`) encrypts, every listed key
decrypts, and `make rotate-keys` re-encrypts old values under the newest key.
The version and key id are authenticated with the value; the row and column
are not, so a value copied into another encrypted column still opens. This
protects data at rest (dumps, backups, disks, a read-only SQL leak), not
against whoever runs the app or SQL through it (see docs/SECURITY.md).

Sensitive unique fields also get a blind index: HMAC-SHA256 of the value
under a key derived from `SECRET_KEY`, so the database can enforce
uniqueness without seeing the value. Changing `SECRET_KEY` therefore needs a
`make rotate-keys` run, which recomputes the blind indexes as well.
"""

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
KEY_ID_SIZE = 4
NONCE_SIZE = 12
HEADER_SIZE = 1 + KEY_ID_SIZE + NONCE_SIZE


class KeyringError(ValueError):
    """`ENCRYPTION_KEYS` is missing or malformed, or a value names an unknown key."""


def parse_keys(raw: str) -> list[bytes]:
    """The keys of `ENCRYPTION_KEYS`: comma-separated base64url, 32 bytes each, newest first."""
    keys = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            key = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            raise KeyringError("each key must be base64url") from None
        if len(key) != 32:
            raise KeyringError("each key must be 32 bytes (base64url of 32 random bytes)")
        keys.append(key)
    if not keys:
        raise KeyringError("at least one key is required")
    return keys


def key_id(key: bytes) -> bytes:
    """The 4-byte id a ciphertext carries to name its key."""
    return hashlib.sha256(b"archgen-key-id:" + key).digest()[:KEY_ID_SIZE]


@dataclass(frozen=True)
class Keyring:
    """The keys in use: the first encrypts, all decrypt; and the blind index key."""

    keys: tuple[bytes, ...]
    index_key: bytes

    @classmethod
    def from_settings(cls, encryption_keys: str, secret_key: str) -> "Keyring":
        """A keyring from the values of `ENCRYPTION_KEYS` and `SECRET_KEY`."""
        index_key = hmac.new(secret_key.encode(), b"archgen-blind-index", hashlib.sha256).digest()
        return cls(keys=tuple(parse_keys(encryption_keys)), index_key=index_key)

    @property
    def current_id(self) -> bytes:
        """The id of the key new values are encrypted under."""
        return key_id(self.keys[0])

    def encrypt(self, plaintext: bytes) -> str:
        """Encrypts under the newest key."""
        key = self.keys[0]
        nonce = os.urandom(NONCE_SIZE)
        header = bytes([VERSION]) + key_id(key) + nonce
        sealed = AESGCM(key).encrypt(nonce, plaintext, header[: 1 + KEY_ID_SIZE])
        return base64.b64encode(header + sealed).decode()

    def decrypt(self, stored: str) -> bytes:
        """Opens a stored value with the key it names (KeyringError if none matches)."""
        try:
            data = base64.b64decode(stored, validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError("not a value this app encrypted") from None
        if len(data) < HEADER_SIZE or data[0] != VERSION:
            raise KeyringError("not a value this app encrypted")
        wanted = data[1 : 1 + KEY_ID_SIZE]
        for key in self.keys:
            if hmac.compare_digest(key_id(key), wanted):
                nonce = data[1 + KEY_ID_SIZE : HEADER_SIZE]
                try:
                    return AESGCM(key).decrypt(nonce, data[HEADER_SIZE:], data[: 1 + KEY_ID_SIZE])
                except InvalidTag:
                    raise KeyringError("the value was altered or the key is wrong") from None
        raise KeyringError("the value was encrypted under a key not in ENCRYPTION_KEYS")

    def blind_index(self, plaintext: bytes) -> str:
        """A keyed hash of a value: equal values, equal hashes; nothing else leaks."""
        return hmac.new(self.index_key, plaintext, hashlib.sha256).hexdigest()


def stored_key_id(stored: str) -> bytes:
    """The key id a stored value carries."""
    return base64.b64decode(stored)[1 : 1 + KEY_ID_SIZE]


@functools.cache
def keyring() -> Keyring:
    """The app's keyring, from the settings."""
    # Imported here: settings checks keys with `parse_keys`.
    from every_type.settings import get_settings

    settings = get_settings()
    return Keyring.from_settings(settings.encryption_keys, settings.secret_key)


def _json_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


ENCODERS: dict[str, Callable[[Any], bytes]] = {
    "text": lambda v: str(v).encode(),
    "integer": lambda v: str(int(v)).encode(),
    "decimal": lambda v: str(v).encode(),
    "boolean": lambda v: b"true" if v else b"false",
    "date": lambda v: v.isoformat().encode(),
    "datetime": lambda v: v.isoformat().encode(),
    "uuid": lambda v: str(v).encode(),
    "json": _json_dumps,
}
DECODERS: dict[str, Callable[[str], Any]] = {
    "text": lambda s: s,
    "integer": int,
    "decimal": Decimal,
    "boolean": lambda s: s == "true",
    "date": dt.date.fromisoformat,
    "datetime": dt.datetime.fromisoformat,
    "uuid": uuid.UUID,
    "json": json.loads,
}


def blind_index(codec: str, value: Any) -> str | None:
    """The blind index of a value (`None` for `None`)."""
    if value is None:
        return None
    return keyring().blind_index(ENCODERS[codec](value))


class Encrypted(sa.types.TypeDecorator[Any]):
    """A column stored encrypted; the app reads and writes plain values.

    `codec` says how a value of the field's type turns into bytes and back.
    """

    impl = sa.Text
    cache_ok = True

    def __init__(self, codec: str) -> None:
        super().__init__()
        self.codec = codec

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(ENCODERS[self.codec](value))

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return DECODERS[self.codec](keyring().decrypt(value).decode())
