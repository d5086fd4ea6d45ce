"""Configuration, read from the environment only."""

import functools
import sys
from pathlib import Path
from typing import TypeVar

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lend_well.security.crypto import parse_keys

PROJECT_ROOT = Path(__file__).resolve().parents[2]

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class DatabaseSettings(BaseSettings):
    """What the app, the migrations and the command line need to reach the database."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    database_url: str
    db_pool_size: int = Field(default=5, ge=1, le=100)
    db_pool_timeout: float = Field(default=30.0, gt=0)

    @property
    def sqlalchemy_url(self) -> str:
        """The URL with the psycopg 3 driver, whichever PostgreSQL scheme was given."""
        for scheme in ("postgresql+psycopg://", "postgresql://", "postgres://"):
            if self.database_url.startswith(scheme):
                return "postgresql+psycopg://" + self.database_url[len(scheme) :]
        return self.database_url


class Settings(DatabaseSettings):
    """Everything the web app reads from the environment."""

    secret_key: str = Field(min_length=16)
    port: int = 8000
    cookie_secure: bool = True
    cors_origins: str = ""
    log_level: str = "INFO"
    redis_url: str | None = None
    rate_limit_client: int = Field(default=300, ge=1)
    rate_limit_user: int = Field(default=120, ge=1)
    openapi_path: Path = PROJECT_ROOT / "docs" / "openapi.json"
    # Comma-separated base64url 32-byte keys, newest first (security/crypto.py).
    encryption_keys: str

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
