"""Create the whole schema: accounts, sessions, login attempts, the audit log, every entity.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
    ]


# The audit log is append-only, enforced by the database: the trigger below
# refuses UPDATE and DELETE of any row and TRUNCATE of the table, whoever
# asks. The one exception is the retention purge (`make retention`): a
# DELETE passes only when the transaction has set
# `archgen.audit_purge = 'on'` (transaction-local, like SET LOCAL, so it
# ends with the transaction) AND the row is older than the audit retention. Any session can set that
# flag, so it is not a secret; what guards the log is the age check: nothing
# younger than the retention can be deleted, so recent evidence cannot be
# erased through the app's connection. Without an audit retention there is
# no exception at all. Limits, stated plainly: a role that owns the table
# (or a superuser) can still drop or disable the trigger; production should
# run the app under a role that does not own the tables (migrations under
# the owner), which the trigger then binds completely.
AUDIT_GUARD = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('archgen.audit_purge', true) = 'on' THEN
        IF OLD.at < now() - make_interval(days => 366) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def _create_audit_events() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(64), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("entity", sa.String(128), nullable=True),
        sa.Column("entity_id", sa.String(64), nullable=True),
        sa.Column("fields", postgresql.JSONB(), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.UniqueConstraint("seq", name="uq_audit_events_seq"),
    )
    op.create_index("ix_audit_events_actor_id", "audit_events", ["actor_id"])
    op.execute(AUDIT_GUARD)
    op.execute(
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events"
        " FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
    )


def upgrade() -> None:
    op.create_table(
        "auth_users",
        *_record_columns(),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.UniqueConstraint("email", name="uq_auth_users_email"),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_auth_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_auth_sessions_token_hash"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_users.id"],
            name="fk_auth_sessions_user_id_auth_users",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_auth_sessions_user_id", "auth_sessions", ["user_id"])
    op.create_table(
        "auth_login_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email_key", sa.String(64), nullable=False),
        sa.Column("client_key", sa.String(64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_auth_login_attempts"),
    )
    op.create_index("ix_auth_login_attempts_email_key", "auth_login_attempts", ["email_key"])
    _create_audit_events()
    op.create_table(
        "auth_rate_limits",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name="pk_auth_rate_limits"),
        # Counters need no crash safety: an unlogged table writes no WAL.
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_auth_rate_limits_window_start", "auth_rate_limits", ["window_start"])
    op.create_table(
        "auth_idempotency_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_auth_idempotency_keys"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_users.id"],
            name="fk_auth_idempotency_keys_user_id_auth_users",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_auth_idempotency_keys_created_at", "auth_idempotency_keys", ["created_at"])
    op.create_table(
        "gadgets",
        *_record_columns(),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("opt_string", sa.String(255), nullable=True),
        sa.Column("req_string", sa.String(255), nullable=False),
        sa.Column("opt_text", sa.Text(), nullable=True),
        sa.Column("req_text", sa.Text(), nullable=False),
        sa.Column("opt_integer", sa.Integer(), nullable=True),
        sa.Column("req_integer", sa.Integer(), nullable=False),
        sa.Column("opt_bigint", sa.BigInteger(), nullable=True),
        sa.Column("req_bigint", sa.BigInteger(), nullable=False),
        sa.Column("opt_decimal", sa.Numeric(12, 2), nullable=True),
        sa.Column("req_decimal", sa.Numeric(12, 2), nullable=False),
        sa.Column("opt_boolean", sa.Boolean(), nullable=True),
        sa.Column("req_boolean", sa.Boolean(), nullable=False),
        sa.Column("opt_date", sa.Date(), nullable=True),
        sa.Column("req_date", sa.Date(), nullable=False),
        sa.Column("opt_datetime", sa.DateTime(timezone=True), nullable=True),
        sa.Column("req_datetime", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opt_uuid", sa.Uuid(), nullable=True),
        sa.Column("req_uuid", sa.Uuid(), nullable=False),
        sa.Column("opt_email", sa.String(255), nullable=True),
        sa.Column("req_email", sa.String(255), nullable=False),
        sa.Column("opt_url", sa.String(255), nullable=True),
        sa.Column("req_url", sa.String(255), nullable=False),
        sa.Column("opt_phone", sa.String(16), nullable=True),
        sa.Column("req_phone", sa.String(16), nullable=False),
        sa.Column("opt_json", postgresql.JSONB(), nullable=True),
        sa.Column("req_json", postgresql.JSONB(), nullable=False),
        sa.Column("kind", sa.String(5), nullable=False),
        sa.Column("code", sa.String(255), nullable=True),
        sa.Column("mark", sa.String(11), nullable=False),
        sa.CheckConstraint(
            "kind IN ('small', 'large')",
            name="ck_gadgets_kind_enum",
        ),
        sa.CheckConstraint(
            "mark IN ('say\"hi\"', 'it''s', 'back\\slash', '{{x}}', 'a|b', '<b>&amp;', 'constructor', '100%')",
            name="ck_gadgets_mark_enum",
        ),
    )
    op.create_index(
        "ix_gadgets_owner_id",
        "gadgets",
        ["owner_id", "created_at", "id"],
    )
    op.create_table(
        "parts",
        *_record_columns(),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(30), nullable=False),
        sa.Column("weight", sa.Numeric(8, 3), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("secret_text", sa.Text(), nullable=True),
        sa.Column("secret_count", sa.Text(), nullable=True),
        sa.Column("secret_amount", sa.Text(), nullable=True),
        sa.Column("secret_flag", sa.Text(), nullable=True),
        sa.Column("secret_on", sa.Text(), nullable=True),
        sa.Column("secret_at", sa.Text(), nullable=False),
        sa.Column("secret_ref", sa.Text(), nullable=True),
        sa.Column("secret_data", sa.Text(), nullable=True),
        sa.Column("secret_code", sa.Text(), nullable=True),
        sa.Column("secret_code_bidx", sa.String(64), nullable=True),
        sa.Column("gadget_this_part_is_fitted_to_id", sa.Uuid(), nullable=False),
        sa.Column("spare_for_id", sa.Uuid(), nullable=True),
        sa.UniqueConstraint(
            "secret_code_bidx",
            name="uq_parts_secret_code",
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
    op.create_index(
        "ix_parts_owner_id",
        "parts",
        ["owner_id", "created_at", "id"],
    )
    op.create_index(
        "ix_parts_gadget_this_part_is_fitted_to_id",
        "parts",
        ["gadget_this_part_is_fitted_to_id"],
    )
    op.create_index(
        "ix_parts_spare_for_id",
        "parts",
        ["spare_for_id"],
    )
    op.create_foreign_key(
        "fk_gadgets_owner_id_auth_users",
        "gadgets",
        "auth_users",
        ["owner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_parts_owner_id_auth_users",
        "parts",
        "auth_users",
        ["owner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_parts_gadget_this_part_is_fitted_to_id_gadgets",
        "parts",
        "gadgets",
        ["gadget_this_part_is_fitted_to_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_parts_spare_for_id_gadgets",
        "parts",
        "gadgets",
        ["spare_for_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        "fk_gadgets_owner_id_auth_users",
        "gadgets",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_parts_owner_id_auth_users",
        "parts",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_parts_gadget_this_part_is_fitted_to_id_gadgets",
        "parts",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_parts_spare_for_id_gadgets",
        "parts",
        type_="foreignkey",
    )
    op.drop_table("parts")
    op.drop_table("gadgets")
    op.drop_table("auth_idempotency_keys")
    op.drop_table("auth_rate_limits")
    op.drop_table("audit_events")
    op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("auth_login_attempts")
    op.drop_table("auth_sessions")
    op.drop_table("auth_users")
