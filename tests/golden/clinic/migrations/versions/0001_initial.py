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
        IF OLD.at < now() - make_interval(days => 2192) THEN
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
        "patients",
        *_record_columns(),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("insurance_number", sa.Text(), nullable=True),
        sa.UniqueConstraint(
            "email",
            name="uq_patients_email",
        ),
    )
    op.create_index(
        "ix_patients_owner_id",
        "patients",
        ["owner_id", "created_at", "id"],
    )
    op.create_table(
        "clinicians",
        *_record_columns(),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("specialty", sa.String(11), nullable=True),
        sa.Column("accepting_patients", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "specialty IN ('general', 'cardiology', 'dermatology', 'pediatrics')",
            name="ck_clinicians_specialty_enum",
        ),
    )
    op.create_table(
        "appointments",
        *_record_columns(),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("deposit_cents", sa.Integer(), nullable=False),
        sa.Column("deposit_paid", sa.Boolean(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "duration_minutes >= 5",
            name="ck_appointments_duration_minutes_min",
        ),
        sa.CheckConstraint(
            "duration_minutes <= 240",
            name="ck_appointments_duration_minutes_max",
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'confirmed', 'cancelled', 'completed')",
            name="ck_appointments_status_enum",
        ),
        sa.CheckConstraint(
            "deposit_cents >= 0",
            name="ck_appointments_deposit_cents_min",
        ),
        sa.CheckConstraint(
            "deposit_cents <= 100000",
            name="ck_appointments_deposit_cents_max",
        ),
    )
    op.create_index(
        "ix_appointments_owner_id",
        "appointments",
        ["owner_id", "created_at", "id"],
    )
    op.create_index(
        "ix_appointments_patient_id",
        "appointments",
        ["patient_id"],
    )
    op.create_index(
        "ix_appointments_clinician_id",
        "appointments",
        ["clinician_id"],
    )
    op.create_table(
        "visit_notes",
        *_record_columns(),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("diagnosis_code", sa.Text(), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
    )
    op.create_index(
        "ix_visit_notes_owner_id",
        "visit_notes",
        ["owner_id", "created_at", "id"],
    )
    op.create_index(
        "ix_visit_notes_appointment_id",
        "visit_notes",
        ["appointment_id"],
    )
    op.create_foreign_key(
        "fk_patients_owner_id_auth_users",
        "patients",
        "auth_users",
        ["owner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_appointments_owner_id_auth_users",
        "appointments",
        "auth_users",
        ["owner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_appointments_patient_id_patients",
        "appointments",
        "patients",
        ["patient_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_appointments_clinician_id_clinicians",
        "appointments",
        "clinicians",
        ["clinician_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    op.create_foreign_key(
        "fk_visit_notes_owner_id_auth_users",
        "visit_notes",
        "auth_users",
        ["owner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        "fk_visit_notes_appointment_id_appointments",
        "visit_notes",
        "appointments",
        ["appointment_id"],
        ["id"],
        ondelete="CASCADE",
    )


def downgrade() -> None:
    op.drop_constraint(
        "fk_patients_owner_id_auth_users",
        "patients",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_appointments_owner_id_auth_users",
        "appointments",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_appointments_patient_id_patients",
        "appointments",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_appointments_clinician_id_clinicians",
        "appointments",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_visit_notes_owner_id_auth_users",
        "visit_notes",
        type_="foreignkey",
    )
    op.drop_constraint(
        "fk_visit_notes_appointment_id_appointments",
        "visit_notes",
        type_="foreignkey",
    )
    op.drop_table("visit_notes")
    op.drop_table("appointments")
    op.drop_table("clinicians")
    op.drop_table("patients")
    op.drop_table("auth_idempotency_keys")
    op.drop_table("auth_rate_limits")
    op.drop_table("audit_events")
    op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("auth_login_attempts")
    op.drop_table("auth_sessions")
    op.drop_table("auth_users")
