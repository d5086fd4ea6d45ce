"""Accounts: creating users, changing roles, finding them."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from team_tasks.models import AuthUser
from team_tasks.security.passwords import hash_password, policy_error

ROLES: tuple[str, ...] = ("member", "manager", "admin")


def parse_role(raw: str) -> str:
    """A role name from a query string (ValueError for anything else)."""
    if raw not in ROLES:
        raise ValueError("must be one of: " + ", ".join(ROLES))
    return raw


class AccountError(ValueError):
    """Why an account could not be created or changed, by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k} {v}" for k, v in errors.items()))
        self.errors = errors


def normalize_email(email: str) -> str:
    """Emails compare without case and surrounding spaces."""
    return email.strip().lower()


def find_by_email(db: Session, email: str) -> AuthUser | None:
    """The account with this email, if any."""
    return db.scalars(sa.select(AuthUser).where(AuthUser.email == normalize_email(email))).first()


def create_user(db: Session, email: str, password: str, role: str) -> AuthUser:
    """Adds an account (not committed); the password must meet the policy."""
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = "must be one of: " + ", ".join(ROLES)
    reason = policy_error(password, email)
    if reason is not None:
        errors["password"] = reason
    if errors:
        raise AccountError(errors)
    user = AuthUser(email=normalize_email(email), password_hash=hash_password(password), role=role)
    db.add(user)
    return user


def set_role(user: AuthUser, role: str) -> None:
    """Changes an account's role, leaving its password alone."""
    if role not in ROLES:
        raise AccountError({"role": "must be one of: " + ", ".join(ROLES)})
    user.role = role
