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

from rich_catalog.security.crypto import Encrypted, blind_index

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


class Category(RecordMixin, Base):
    """A row of categories."""

    __tablename__ = "categories"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.UniqueConstraint(
            "name",
            name="uq_categories_name",
        ),
        sa.Index(
            "ix_categories_parent_id",
            "parent_id",
        ),
        sa.CheckConstraint(
            '"order" >= 0',
            name="ck_categories_order_min",
        ),
        sa.CheckConstraint(
            "type IN ('physical', 'digital')",
            name="ck_categories_type_enum",
        ),
    )

    name: Mapped[str] = mapped_column(
        sa.String(80),
    )
    order: Mapped[int] = mapped_column(
        sa.Integer(),
    )
    type_: Mapped[str] = mapped_column(
        "type",
        sa.String(8),
    )

    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="SET NULL"),
        nullable=True,
    )


class Product(RecordMixin, Base):
    """A row of products."""

    __tablename__ = "products"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.UniqueConstraint(
            "sku",
            name="uq_products_sku",
        ),
        sa.Index(
            "ix_products_owner_id",
            "owner_id",
            "created_at",
            "id",
        ),
        sa.Index(
            "ix_products_class",
            "class",
        ),
        sa.Index(
            "ix_products_category_id",
            "category_id",
        ),
        sa.CheckConstraint(
            "price >= 0",
            name="ck_products_price_min",
        ),
        sa.CheckConstraint(
            "stock >= 0",
            name="ck_products_stock_min",
        ),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
    )

    title: Mapped[str] = mapped_column(
        sa.String(120),
    )
    class_: Mapped[str | None] = mapped_column(
        "class",
        sa.String(20),
        nullable=True,
    )
    sku: Mapped[str] = mapped_column(
        sa.String(255),
    )
    price: Mapped[Decimal] = mapped_column(
        sa.Numeric(10, 2),
    )
    stock: Mapped[int | None] = mapped_column(
        sa.BigInteger(),
        nullable=True,
    )
    homepage: Mapped[str | None] = mapped_column(
        sa.String(255),
        nullable=True,
    )
    support_phone: Mapped[str | None] = mapped_column(
        sa.String(16),
        nullable=True,
    )
    released_at: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True),
        nullable=True,
    )
    available: Mapped[bool] = mapped_column(
        sa.Boolean(),
    )
    external_ref: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(),
        nullable=True,
    )
    attributes: Mapped[Any] = mapped_column(
        postgresql.JSONB(),
        nullable=True,
    )

    category_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="RESTRICT"),
    )


class WishList(RecordMixin, Base):
    """A row of wish lists."""

    __tablename__ = "wish_lists"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.UniqueConstraint(
            "gift_email_bidx",
            name="uq_wish_lists_gift_email",
        ),
        sa.Index(
            "ix_wish_lists_owner_id",
            "owner_id",
            "created_at",
            "id",
        ),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
    )

    label: Mapped[str] = mapped_column(
        sa.String(60),
    )
    notes: Mapped[str | None] = mapped_column(
        sa.Text(),
        nullable=True,
    )
    gift_email: Mapped[str | None] = mapped_column(
        Encrypted("text"),
        nullable=True,
    )
    gift_email_bidx: Mapped[str | None] = mapped_column(
        "gift_email_bidx",
        sa.String(64),
        nullable=True,
    )

    @validates("gift_email")
    def _index_gift_email(self, key: str, value: str | None) -> str | None:
        """Keeps the blind index in step with the value."""
        self.gift_email_bidx = blind_index("text", value)
        return value


class Review(RecordMixin, Base):
    """A row of reviews."""

    __tablename__ = "reviews"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.UniqueConstraint(
            "wish_list_id",
            name="uq_reviews_wish_list_id",
        ),
        sa.Index(
            "ix_reviews_owner_id",
            "owner_id",
            "created_at",
            "id",
        ),
        sa.Index(
            "ix_reviews_product_id",
            "product_id",
        ),
        sa.CheckConstraint(
            "rating >= 1",
            name="ck_reviews_rating_min",
        ),
        sa.CheckConstraint(
            "rating <= 5",
            name="ck_reviews_rating_max",
        ),
        sa.CheckConstraint(
            "char_length(body) <= 2000",
            name="ck_reviews_body_max_length",
        ),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
    )

    rating: Mapped[int] = mapped_column(
        sa.Integer(),
    )
    body: Mapped[str | None] = mapped_column(
        sa.Text(),
        nullable=True,
    )
    visited_on: Mapped[dt.date | None] = mapped_column(
        sa.Date(),
        nullable=True,
    )

    product_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"),
    )
    wish_list_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("wish_lists.id", ondelete="SET NULL"),
        nullable=True,
    )


class Promotion(RecordMixin, Base):
    """A product on offer; it blocks the erasure of the product's owner (restrict)."""

    __tablename__ = "promotions"
    # As the migration creates them, so `alembic check` finds nothing to do.
    __table_args__ = (
        sa.Index(
            "ix_promotions_owner_id",
            "owner_id",
            "created_at",
            "id",
        ),
        sa.Index(
            "ix_promotions_product_id",
            "product_id",
        ),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auth_users.id", ondelete="CASCADE"),
    )

    headline: Mapped[str] = mapped_column(
        sa.String(80),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("products.id", ondelete="RESTRICT"),
    )


product_related = sa.Table(
    "product_related",
    Base.metadata,
    sa.Column(
        "source_id",
        sa.Uuid(),
        sa.ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "target_id",
        sa.Uuid(),
        sa.ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Index(
        "ix_product_related_target_id",
        "target_id",
    ),
)


wish_list_products = sa.Table(
    "wish_list_products",
    Base.metadata,
    sa.Column(
        "source_id",
        sa.Uuid(),
        sa.ForeignKey("wish_lists.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "target_id",
        sa.Uuid(),
        sa.ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Index(
        "ix_wish_list_products_target_id",
        "target_id",
    ),
)
