"""The database tables, as typed SQLAlchemy models.

The schema itself is created by the Alembic migrations, never at run time.
"""

import datetime as dt
import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lend_well.security.crypto import Encrypted

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
    email_verified: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())


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


class AuthEmailToken(Base):
    """A verification or password-reset token; only its SHA-256 hash is stored."""

    __tablename__ = "auth_email_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
        index=True,
    )
    purpose: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class MailOutbox(RecordMixin, Base):
    """A mail on its way (mail/outbox.py): pending, sent or failed, never deleted by sending."""

    __tablename__ = "mail_outbox"

    recipient: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    attempts: Mapped[int] = mapped_column(sa.Integer)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    provider: Mapped[str | None] = mapped_column(sa.String(32))
    sent_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.Text)


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


class Applicant(RecordMixin, Base):
    """A person applying for credit"""

    __tablename__ = "applicants"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.UniqueConstraint(
            "email",
            name="uq_applicants_email",
        ),
        sa.Index(
            "ix_applicants_owner_id",
            "owner_id",
            "created_at",
            "id",
        ),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
    )

    full_name: Mapped[str] = mapped_column(
        sa.String(255),
    )
    email: Mapped[str] = mapped_column(
        sa.String(255),
    )
    date_of_birth: Mapped[dt.date | None] = mapped_column(
        sa.Date(),
        nullable=True,
    )
    phone: Mapped[str | None] = mapped_column(
        sa.String(16),
        nullable=True,
    )
    annual_income: Mapped[Decimal | None] = mapped_column(
        Encrypted("decimal"),
        nullable=True,
    )


class LoanApplication(RecordMixin, Base):
    """A request for a personal loan"""

    __tablename__ = "loan_applications"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.Index(
            "ix_loan_applications_owner_id",
            "owner_id",
            "created_at",
            "id",
        ),
        sa.Index(
            "ix_loan_applications_applicant_id",
            "applicant_id",
        ),
        sa.CheckConstraint(
            "amount >= 500",
            name="ck_loan_applications_amount_min",
        ),
        sa.CheckConstraint(
            "amount <= 50000",
            name="ck_loan_applications_amount_max",
        ),
        sa.CheckConstraint(
            "term_months >= 6",
            name="ck_loan_applications_term_months_min",
        ),
        sa.CheckConstraint(
            "term_months <= 84",
            name="ck_loan_applications_term_months_max",
        ),
        sa.CheckConstraint(
            "purpose IN ('car', 'home_improvement', 'education', 'debt_consolidation', 'other')",
            name="ck_loan_applications_purpose_enum",
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'declined', 'withdrawn')",
            name="ck_loan_applications_status_enum",
        ),
        sa.CheckConstraint(
            "risk_score >= 0",
            name="ck_loan_applications_risk_score_min",
        ),
        sa.CheckConstraint(
            "risk_score <= 1000",
            name="ck_loan_applications_risk_score_max",
        ),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
    )

    amount: Mapped[Decimal] = mapped_column(
        sa.Numeric(10, 2),
    )
    term_months: Mapped[int] = mapped_column(
        sa.Integer(),
    )
    purpose: Mapped[str] = mapped_column(
        sa.String(18),
    )
    status: Mapped[str] = mapped_column(
        sa.String(9),
    )
    risk_score: Mapped[int | None] = mapped_column(
        sa.Integer(),
        nullable=True,
    )

    applicant_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("applicants.id", ondelete="CASCADE"),
    )


class Repayment(RecordMixin, Base):
    """One instalment of an approved loan, paid by card through Stripe once it falls due"""

    __tablename__ = "repayments"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.Index(
            "ix_repayments_owner_id",
            "owner_id",
            "created_at",
            "id",
        ),
        sa.Index(
            "ix_repayments_loan_id",
            "loan_id",
        ),
        sa.CheckConstraint(
            "amount_cents >= 100",
            name="ck_repayments_amount_cents_min",
        ),
        sa.CheckConstraint(
            "amount_cents <= 5000000",
            name="ck_repayments_amount_cents_max",
        ),
        sa.CheckConstraint(
            "state IN ('scheduled', 'due', 'paid', 'waived')",
            name="ck_repayments_state_enum",
        ),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
    )

    due_on: Mapped[dt.date] = mapped_column(
        sa.Date(),
    )
    amount_cents: Mapped[int] = mapped_column(
        sa.Integer(),
    )
    state: Mapped[str] = mapped_column(
        sa.String(9),
    )
    paid_at: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True),
        nullable=True,
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("loan_applications.id", ondelete="CASCADE"),
    )
