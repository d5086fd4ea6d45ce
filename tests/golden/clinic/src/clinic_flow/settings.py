"""Configuration, read from the environment only."""

import functools
import sys
from pathlib import Path
from typing import Self, TypeVar

from fastapi import Request
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from clinic_flow.client import parse_trusted_proxies
from clinic_flow.security.crypto import parse_keys

PROJECT_ROOT = Path(__file__).resolve().parents[2]

SettingsT = TypeVar("SettingsT", bound=BaseSettings)

SECRET_KEY_MIN_LENGTH = 32
# Values a SECRET_KEY must never be, compared as whole values, case-insensitively:
# the one `.env.example` ships and the placeholders people paste.
SECRET_KEY_PLACEHOLDERS = frozenset(
    {
        "change-me-to-a-long-random-string-of-32-or-more-characters",
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "change-this",
        "change_this",
        "secret",
        "secretkey",
        "secret-key",
        "secret_key",
        "your-secret-key",
        "your_secret_key",
        "password",
        "default",
        "test",
        "example",
        "xxx",
    }
)


class DatabaseSettings(BaseSettings):
    """What the app, the migrations and the command line need to reach the database."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    database_url: str
    # The ceiling of connections per process (no overflow above it).
    db_pool_size: int = Field(default=5, ge=1, le=100)
    # Seconds a request waits for a pooled connection (and a new connection
    # for the server) before it is answered 503.
    db_pool_timeout: float = Field(default=5.0, gt=0)
    # The schema owner's URL, for migrations and the retention purge (default DATABASE_URL).
    migration_database_url: str | None = None
    # The role the app connects as; `make migrate` grants it DML only (grants.py).
    app_db_role: str | None = None
    # With APP_DB_ROLE: `make migrate` creates the role with this password when it is missing.
    app_db_password: str | None = None

    def as_owner(self) -> Self:
        """These settings with the schema owner's URL (`MIGRATION_DATABASE_URL` when set)."""
        if not self.migration_database_url:
            return self
        return self.model_copy(update={"database_url": self.migration_database_url})

    @property
    def sqlalchemy_url(self) -> str:
        """The URL with the psycopg 3 driver, whichever PostgreSQL scheme was given."""
        for scheme in ("postgresql+psycopg://", "postgresql://", "postgres://"):
            if self.database_url.startswith(scheme):
                return "postgresql+psycopg://" + self.database_url[len(scheme) :]
        return self.database_url


class Settings(DatabaseSettings):
    """Everything the web app reads from the environment."""

    secret_key: str
    port: int = 8000
    # Seconds a statement of the web app may run before the server cancels it (503).
    db_statement_timeout: float = Field(default=15.0, gt=0)
    cookie_secure: bool = True
    cors_origins: str = ""
    log_level: str = "INFO"
    redis_url: str | None = None
    rate_limit_client: int = Field(default=300, ge=1)
    rate_limit_user: int = Field(default=120, ge=1)
    openapi_path: Path = PROJECT_ROOT / "docs" / "openapi.json"
    # The admin app's build, served at /admin/ when it exists (admin_app.py).
    admin_dist_dir: Path = PROJECT_ROOT / "clients" / "admin" / "dist"
    # Comma-separated base64url 32-byte keys, newest first (security/crypto.py).
    encryption_keys: str
    # Comma-separated addresses or CIDRs of the proxies whose X-Forwarded-For
    # is believed (client.py); empty: the TCP peer is the client.
    trusted_proxies: str = ""
    # Mail: the sender, and the address of the app the mails' links open.
    email_from: str = "no-reply@example.com"
    app_base_url: str = "http://localhost:8000"

    @field_validator("secret_key")
    @classmethod
    def _secret_key_strong(cls, value: str) -> str:
        if value.strip().lower() in SECRET_KEY_PLACEHOLDERS:
            raise ValueError("is a placeholder; set a long random value")
        if len(value) < SECRET_KEY_MIN_LENGTH:
            raise ValueError(f"must have at least {SECRET_KEY_MIN_LENGTH} characters")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies_parse(cls, value: str) -> str:
        parse_trusted_proxies(value)
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _encryption_keys_parse(cls, value: str) -> str:
        parse_keys(value)
        return value


def load(cls: type[SettingsT]) -> SettingsT:
    """Reads settings, stopping the process with the names of missing or invalid variables."""
    try:
        return cls()
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]).upper() if item["loc"] else "?"
            reason = "missing" if item["type"] == "missing" else item["msg"]
            problems.append(f"{name} ({reason})")
        sys.exit("configuration error: set the environment variable(s) " + ", ".join(problems))


@functools.cache
def get_settings() -> Settings:
    """The app's settings, read once."""
    return load(Settings)


async def app_settings(request: Request) -> Settings:
    """The settings of the app serving `request`: those `create_app` was given.

    A dependency of its own rather than an override of `get_settings`: with
    any override FastAPI analyses every dependency's signature again on every
    request. `async`, as it does no I/O: it runs on the event loop, not in
    the thread pool.
    """
    settings: Settings = request.app.state.settings
    return settings
