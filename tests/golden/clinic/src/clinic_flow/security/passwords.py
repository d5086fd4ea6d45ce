"""Password hashing with argon2id and the password policy (NIST SP 800-63B).

No composition rules and no forced rotation: a password is long enough, is
not the account's email and is not a commonly used password.
"""

import functools
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both cases cost the same time.

    Made on first use, not on import: every process that imports the app (the
    CLI, the migrations, each server worker) would otherwise pay a full hash.
    """
    return _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash (`None`: an unknown account)."""
    try:
        matched = _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and password_hash is not None


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of commonly used passwords, lowercased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def policy_error(password: str, email: str) -> str | None:
    """Why the password breaks the policy, or `None` when it meets it."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters long"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters long"
    if password.strip().lower() == email.strip().lower():
        return "must not be the email address"
    if password.lower() in common_passwords():
        return "is too common; choose another"
    return None
