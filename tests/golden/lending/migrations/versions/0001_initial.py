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
        "applicants",
        *_record_columns(),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("annual_income", sa.Text(), nullable=True),
        sa.UniqueConstraint(
            "email",
            name="uq_applicants_email",
        ),
    )
    op.create_index(
        "ix_applicants_owner_id",
        "applicants",
        ["owner_id", "created_at", "id"],
    )
    op.create_table(
        "loan_applications",
        *_record_columns(),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(18), nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=True),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
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
    op.create_index(
        "ix_loan_applications_owner_id",
        "loan_applications",
        ["owner_id", "created_at", "id"],
    )
    op.create_index(
        "ix_loan_applications_applicant_id",
        "loan_applications",
        ["applicant_id"],
    )
    op.create_table(
        "repayments",
        *_record_columns(),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(9), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
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
    op.create_index(
        "ix_repayments_owner_id",
        "repayments",
        ["owner_id", "created_at", "id"],
    )
    op.create_index(
        "ix_repayments_loan_id",
        "repayments",
        ["loan_id"],
    )
    op.create_foreign_key(
        "fk_applicants_owner_id_auth_users",
        "applicants",
        "auth_users",
        ["owner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_loan_applications_owner_id_auth_users",
        "loan_applications",
        "auth_users",
        ["owner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_loan_applications_applicant_id_applicants",
        "loan_applications",
        "applicants",
        ["applicant_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_repayments_owner_id_auth_users",
        "repayments",
        "auth_users",
        ["owner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_repayments_loan_id_loan_applications",
        "repayments",
        "loan_applications",
        ["loan_id"],
        ["id"],
        ondelete="CASCADE",
    )


def downgrade() -> None:
    op.drop_constraint(
        "fk_applicants_owner_id_auth_users",
        "applicants",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_loan_applications_owner_id_auth_users",
        "loan_applications",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_loan_applications_applicant_id_applicants",
        "loan_applications",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_repayments_owner_id_auth_users",
        "repayments",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_repayments_loan_id_loan_applications",
        "repayments",
        type_="foreignkey",
    )
    op.drop_table("repayments")
    op.drop_table("loan_applications")
    op.drop_table("applicants")
    op.drop_table("auth_idempotency_keys")
    op.drop_table("auth_rate_limits")
    op.drop_table("audit_events")
    op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("auth_login_attempts")
    op.drop_table("auth_sessions")
    op.drop_table("auth_users")
