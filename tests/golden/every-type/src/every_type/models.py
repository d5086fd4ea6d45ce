"""The database tables, as typed SQLAlchemy models.

The schema itself is created by the Alembic migrations, never at run time.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from every_type.security.crypto import Encrypted, blind_index

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every table."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class RecordMixin:
    """The id and timestamps every table has."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True),
        server_default=sa.func.now(),
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True),
        server_default=sa.func.now(),
        onupdate=sa.func.now(),
    )


class AuthUser(RecordMixin, Base):
    """An account: email, password hash and role."""

    __tablename__ = "auth_users"

    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(64))


class AuthSession(Base):
    """A signed-in session; only the token's SHA-256 hash is stored."""

    __tablename__ = "auth_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
        index=True,
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class AuthLoginAttempt(Base):
    """A failed login, counted for the lockout; keyed by hashes of the email and the address."""

    __tablename__ = "auth_login_attempts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    client_key: Mapped[str] = mapped_column(sa.String(64))
    attempted_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class AuditEvent(Base):
    """An audited action (see `audit.py`); append-only, enforced by a trigger.

    `actor_id` is a bare user id without a foreign key, so events outlive an
    erased account, pseudonymized. `seq` orders events as they happened.
    """

    __tablename__ = "audit_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(
        sa.BigInteger(),
        sa.Identity(always=True),
        unique=True,
    )
    at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True),
        server_default=sa.func.now(),
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), index=True)
    actor_role: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(32))
    entity: Mapped[str | None] = mapped_column(sa.String(128))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    fields: Mapped[list[str] | None] = mapped_column(postgresql.JSONB())
    request_id: Mapped[str | None] = mapped_column(sa.String(128))


class AuthRateLimit(Base):
    """Requests of one client or user (a keyed hash) in one rate-limit window."""

    __tablename__ = "auth_rate_limits"
    # Counters need no crash safety: an unlogged table writes no WAL.
    __table_args__ = {"prefixes": ["UNLOGGED"]}

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True),
        primary_key=True,
        index=True,
    )
    hits: Mapped[int] = mapped_column(sa.Integer)


class AuthIdempotencyKey(Base):
    """A POST's `Idempotency-Key`, its request's hash and its first answer (idempotency.py)."""

    __tablename__ = "auth_idempotency_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
        primary_key=True,
    )
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    # SHA-256 of the method, path and body the key was first used with.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    # The first answer: its status and its body, encrypted (it may hold
    # sensitive fields); stored in the same commit as what it created.
    status: Mapped[int | None] = mapped_column(sa.Integer)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), index=True)


class Gadget(RecordMixin, Base):
    """A row of gadgets."""

    __tablename__ = "gadgets"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.Index(
            "ix_gadgets_owner_id",
            "owner_id",
            "created_at",
            "id",
        ),
        sa.CheckConstraint(
            "kind IN ('small', 'large')",
            name="ck_gadgets_kind_enum",
        ),
        sa.CheckConstraint(
            "mark IN ('say\"hi\"', 'it''s', 'back\\slash', '{{x}}', 'a|b', '<b>&amp;', 'constructor', '100%')",
            name="ck_gadgets_mark_enum",
        ),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
    )

    opt_string: Mapped[str | None] = mapped_column(
        sa.String(255),
        nullable=True,
    )
    req_string: Mapped[str] = mapped_column(
        sa.String(255),
    )
    opt_text: Mapped[str | None] = mapped_column(
        sa.Text(),
        nullable=True,
    )
    req_text: Mapped[str] = mapped_column(
        sa.Text(),
    )
    opt_integer: Mapped[int | None] = mapped_column(
        sa.Integer(),
        nullable=True,
    )
    req_integer: Mapped[int] = mapped_column(
        sa.Integer(),
    )
    opt_bigint: Mapped[int | None] = mapped_column(
        sa.BigInteger(),
        nullable=True,
    )
    req_bigint: Mapped[int] = mapped_column(
        sa.BigInteger(),
    )
    opt_decimal: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(12, 2),
        nullable=True,
    )
    req_decimal: Mapped[Decimal] = mapped_column(
        sa.Numeric(12, 2),
    )
    opt_boolean: Mapped[bool | None] = mapped_column(
        sa.Boolean(),
        nullable=True,
    )
    req_boolean: Mapped[bool] = mapped_column(
        sa.Boolean(),
    )
    opt_date: Mapped[dt.date | None] = mapped_column(
        sa.Date(),
        nullable=True,
    )
    req_date: Mapped[dt.date] = mapped_column(
        sa.Date(),
    )
    opt_datetime: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True),
        nullable=True,
    )
    req_datetime: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True),
    )
    opt_uuid: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(),
        nullable=True,
    )
    req_uuid: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
    )
    opt_email: Mapped[str | None] = mapped_column(
        sa.String(255),
        nullable=True,
    )
    req_email: Mapped[str] = mapped_column(
        sa.String(255),
    )
    opt_url: Mapped[str | None] = mapped_column(
        sa.String(255),
        nullable=True,
    )
    req_url: Mapped[str] = mapped_column(
        sa.String(255),
    )
    opt_phone: Mapped[str | None] = mapped_column(
        sa.String(16),
        nullable=True,
    )
    req_phone: Mapped[str] = mapped_column(
        sa.String(16),
    )
    opt_json: Mapped[Any] = mapped_column(
        postgresql.JSONB(),
        nullable=True,
    )
    req_json: Mapped[Any] = mapped_column(
        postgresql.JSONB(),
    )
    kind: Mapped[str] = mapped_column(
        sa.String(5),
    )
    code: Mapped[str | None] = mapped_column(
        sa.String(255),
        nullable=True,
    )
    mark: Mapped[str] = mapped_column(
        sa.String(11),
    )


class Part(RecordMixin, Base):
    """A row of parts."""

    __tablename__ = "parts"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.UniqueConstraint(
            "secret_code_bidx",
            name="uq_parts_secret_code",
        ),
        sa.Index(
            "ix_parts_owner_id",
            "owner_id",
            "created_at",
            "id",
        ),
        sa.Index(
            "ix_parts_gadget_this_part_is_fitted_to_id",
            "gadget_this_part_is_fitted_to_id",
        ),
        sa.Index(
            "ix_parts_spare_for_id",
            "spare_for_id",
        ),
        sa.CheckConstraint(
            "char_length(name) >= 2",
            name="ck_parts_name_min_length",
        ),
        sa.CheckConstraint(
            "weight >= 0.5",
            name="ck_parts_weight_min",
        ),
        sa.CheckConstraint(
            "weight <= 1000",
            name="ck_parts_weight_max",
        ),
        sa.CheckConstraint(
            "count >= -5",
            name="ck_parts_count_min",
        ),
        sa.CheckConstraint(
            "count <= 5",
            name="ck_parts_count_max",
        ),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
    )

    name: Mapped[str] = mapped_column(
        sa.String(30),
    )
    weight: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(8, 3),
        nullable=True,
    )
    count: Mapped[int | None] = mapped_column(
        sa.Integer(),
        nullable=True,
    )
    secret_text: Mapped[str | None] = mapped_column(
        Encrypted("text"),
        nullable=True,
    )
    secret_count: Mapped[int | None] = mapped_column(
        Encrypted("integer"),
        nullable=True,
    )
    secret_amount: Mapped[Decimal | None] = mapped_column(
        Encrypted("decimal"),
        nullable=True,
    )
    secret_flag: Mapped[bool | None] = mapped_column(
        Encrypted("boolean"),
        nullable=True,
    )
    secret_on: Mapped[dt.date | None] = mapped_column(
        Encrypted("date"),
        nullable=True,
    )
    secret_at: Mapped[dt.datetime] = mapped_column(
        Encrypted("datetime"),
    )
    secret_ref: Mapped[uuid.UUID | None] = mapped_column(
        Encrypted("uuid"),
        nullable=True,
    )
    secret_data: Mapped[Any] = mapped_column(
        Encrypted("json"),
        nullable=True,
    )
    secret_code: Mapped[str | None] = mapped_column(
        Encrypted("text"),
        nullable=True,
    )
    secret_code_bidx: Mapped[str | None] = mapped_column(
        "secret_code_bidx",
        sa.String(64),
        nullable=True,
    )

    @validates("secret_code")
    def _index_secret_code(self, key: str, value: str | None) -> str | None:
        """Keeps the blind index in step with the value."""
        self.secret_code_bidx = blind_index("text", value)
        return value

    gadget_this_part_is_fitted_to_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("gadgets.id", ondelete="CASCADE"),
    )
    spare_for_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("gadgets.id", ondelete="SET NULL"),
        nullable=True,
    )
