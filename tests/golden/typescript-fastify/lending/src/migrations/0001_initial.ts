/**
 * Creates the whole schema: accounts, sessions, login attempts, the audit
 * log, rate-limit counters, idempotency keys, every entity.
 * Then what e-mail needs: the accounts' verification flag, the tokens of
 * the mailed links and the mail outbox. The audit log
 * is append-only, enforced by the database: its trigger refuses UPDATE and
 * DELETE of any row and TRUNCATE of the table, whoever asks (the retention
 * purge excepted, for rows older than the audit retention).
 */
import { sql, type Kysely } from "kysely";

const UP: readonly string[] = [
  `CREATE TABLE auth_users (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    email varchar(255) NOT NULL,
    password_hash varchar(255) NOT NULL,
    role varchar(64) NOT NULL,
    CONSTRAINT pk_auth_users PRIMARY KEY (id),
    CONSTRAINT uq_auth_users_email UNIQUE (email)
)`,
  `CREATE TABLE auth_sessions (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash varchar(64) NOT NULL,
    csrf_token varchar(64) NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT pk_auth_sessions PRIMARY KEY (id),
    CONSTRAINT uq_auth_sessions_token_hash UNIQUE (token_hash),
    CONSTRAINT fk_auth_sessions_user_id_auth_users FOREIGN KEY (user_id) REFERENCES auth_users (id) ON DELETE CASCADE
)`,
  `CREATE INDEX ix_auth_sessions_user_id ON auth_sessions (user_id)`,
  `CREATE TABLE auth_login_attempts (
    id uuid NOT NULL,
    email_key varchar(64) NOT NULL,
    client_key varchar(64) NOT NULL,
    attempted_at timestamptz NOT NULL,
    CONSTRAINT pk_auth_login_attempts PRIMARY KEY (id)
)`,
  `CREATE INDEX ix_auth_login_attempts_email_key ON auth_login_attempts (email_key)`,
  `CREATE TABLE audit_events (
    id uuid NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    actor_id uuid,
    actor_role varchar(64),
    action varchar(32) NOT NULL,
    entity varchar(128),
    entity_id varchar(64),
    fields jsonb,
    request_id varchar(128),
    CONSTRAINT pk_audit_events PRIMARY KEY (id),
    CONSTRAINT uq_audit_events_seq UNIQUE (seq)
)`,
  `CREATE INDEX ix_audit_events_actor_id ON audit_events (actor_id)`,
  `CREATE UNLOGGED TABLE auth_rate_limits (
    key varchar(64) NOT NULL,
    window_start timestamptz NOT NULL,
    hits integer NOT NULL,
    CONSTRAINT pk_auth_rate_limits PRIMARY KEY (key, window_start)
)`,
  `CREATE INDEX ix_auth_rate_limits_window_start ON auth_rate_limits (window_start)`,
  `CREATE TABLE auth_idempotency_keys (
    user_id uuid NOT NULL,
    key varchar(255) NOT NULL,
    request_hash varchar(64) NOT NULL,
    status integer,
    answer text,
    created_at timestamptz NOT NULL,
    CONSTRAINT pk_auth_idempotency_keys PRIMARY KEY (user_id, key),
    CONSTRAINT fk_auth_idempotency_keys_user_id_auth_users FOREIGN KEY (user_id) REFERENCES auth_users (id) ON DELETE CASCADE
)`,
  `CREATE INDEX ix_auth_idempotency_keys_created_at ON auth_idempotency_keys (created_at)`,
  `CREATE FUNCTION audit_events_append_only() RETURNS trigger
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
$$`,
  `CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
  `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,
  `ALTER TABLE auth_users ADD COLUMN email_verified boolean DEFAULT false NOT NULL`,
  `CREATE TABLE auth_email_tokens (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    purpose varchar(16) NOT NULL,
    token_hash varchar(64) NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    CONSTRAINT pk_auth_email_tokens PRIMARY KEY (id),
    CONSTRAINT uq_auth_email_tokens_token_hash UNIQUE (token_hash),
    CONSTRAINT fk_auth_email_tokens_user_id_auth_users FOREIGN KEY (user_id) REFERENCES auth_users (id) ON DELETE CASCADE
)`,
  `CREATE INDEX ix_auth_email_tokens_user_id ON auth_email_tokens (user_id)`,
  `CREATE TABLE mail_outbox (
    id uuid NOT NULL,
    created_at timestamptz DEFAULT now() NOT NULL,
    updated_at timestamptz DEFAULT now() NOT NULL,
    recipient varchar(255) NOT NULL,
    subject varchar(255) NOT NULL,
    body_text text NOT NULL,
    body_html text NOT NULL,
    status varchar(16) NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    provider varchar(32),
    sent_at timestamptz,
    last_error text,
    CONSTRAINT pk_mail_outbox PRIMARY KEY (id)
)`,
  `CREATE INDEX ix_mail_outbox_status ON mail_outbox (status)`,
  `CREATE TABLE applicants (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    owner_id uuid NOT NULL,
    full_name varchar(255) NOT NULL,
    email varchar(255) NOT NULL,
    date_of_birth date,
    phone varchar(16),
    annual_income text,
    CONSTRAINT pk_applicants PRIMARY KEY (id),
    CONSTRAINT uq_applicants_email UNIQUE (email)
)`,
  `CREATE TABLE loan_applications (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    owner_id uuid NOT NULL,
    amount numeric(10, 2) NOT NULL,
    term_months integer NOT NULL,
    purpose varchar(18) NOT NULL,
    status varchar(9) NOT NULL,
    risk_score integer,
    applicant_id uuid NOT NULL,
    CONSTRAINT pk_loan_applications PRIMARY KEY (id),
    CONSTRAINT ck_loan_applications_amount_min CHECK (amount >= 500),
    CONSTRAINT ck_loan_applications_amount_max CHECK (amount <= 50000),
    CONSTRAINT ck_loan_applications_term_months_min CHECK (term_months >= 6),
    CONSTRAINT ck_loan_applications_term_months_max CHECK (term_months <= 84),
    CONSTRAINT ck_loan_applications_purpose_enum CHECK (purpose IN ('car', 'home_improvement', 'education', 'debt_consolidation', 'other')),
    CONSTRAINT ck_loan_applications_status_enum CHECK (status IN ('draft', 'submitted', 'approved', 'declined', 'withdrawn')),
    CONSTRAINT ck_loan_applications_risk_score_min CHECK (risk_score >= 0),
    CONSTRAINT ck_loan_applications_risk_score_max CHECK (risk_score <= 1000)
)`,
  `CREATE TABLE repayments (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    owner_id uuid NOT NULL,
    due_on date NOT NULL,
    amount_cents integer NOT NULL,
    state varchar(9) NOT NULL,
    paid_at timestamptz,
    loan_id uuid NOT NULL,
    CONSTRAINT pk_repayments PRIMARY KEY (id),
    CONSTRAINT ck_repayments_amount_cents_min CHECK (amount_cents >= 100),
    CONSTRAINT ck_repayments_amount_cents_max CHECK (amount_cents <= 5000000),
    CONSTRAINT ck_repayments_state_enum CHECK (state IN ('scheduled', 'due', 'paid', 'waived'))
)`,
  `CREATE INDEX ix_applicants_owner_id ON applicants (owner_id, created_at, id)`,
  `CREATE INDEX ix_loan_applications_owner_id ON loan_applications (owner_id, created_at, id)`,
  `CREATE INDEX ix_loan_applications_applicant_id ON loan_applications (applicant_id)`,
  `CREATE INDEX ix_repayments_owner_id ON repayments (owner_id, created_at, id)`,
  `CREATE INDEX ix_repayments_loan_id ON repayments (loan_id)`,
  `ALTER TABLE applicants ADD CONSTRAINT fk_applicants_owner_id_auth_users FOREIGN KEY (owner_id) REFERENCES auth_users (id) ON DELETE CASCADE`,
  `ALTER TABLE loan_applications ADD CONSTRAINT fk_loan_applications_owner_id_auth_users FOREIGN KEY (owner_id) REFERENCES auth_users (id) ON DELETE CASCADE`,
  `ALTER TABLE loan_applications ADD CONSTRAINT fk_loan_applications_applicant_id_applicants FOREIGN KEY (applicant_id) REFERENCES applicants (id) ON DELETE CASCADE`,
  `ALTER TABLE repayments ADD CONSTRAINT fk_repayments_owner_id_auth_users FOREIGN KEY (owner_id) REFERENCES auth_users (id) ON DELETE CASCADE`,
  `ALTER TABLE repayments ADD CONSTRAINT fk_repayments_loan_id_loan_applications FOREIGN KEY (loan_id) REFERENCES loan_applications (id) ON DELETE CASCADE`,
];

const DOWN: readonly string[] = [
  `ALTER TABLE repayments DROP CONSTRAINT fk_repayments_loan_id_loan_applications`,
  `ALTER TABLE repayments DROP CONSTRAINT fk_repayments_owner_id_auth_users`,
  `ALTER TABLE loan_applications DROP CONSTRAINT fk_loan_applications_applicant_id_applicants`,
  `ALTER TABLE loan_applications DROP CONSTRAINT fk_loan_applications_owner_id_auth_users`,
  `ALTER TABLE applicants DROP CONSTRAINT fk_applicants_owner_id_auth_users`,
  `DROP TABLE repayments`,
  `DROP TABLE loan_applications`,
  `DROP TABLE applicants`,
  `DROP TABLE mail_outbox`,
  `DROP TABLE auth_email_tokens`,
  `ALTER TABLE auth_users DROP COLUMN email_verified`,
  `DROP TABLE auth_idempotency_keys`,
  `DROP TABLE auth_rate_limits`,
  `DROP TABLE audit_events`,
  `DROP FUNCTION audit_events_append_only()`,
  `DROP TABLE auth_login_attempts`,
  `DROP TABLE auth_sessions`,
  `DROP TABLE auth_users`,
];

async function run(db: Kysely<unknown>, list: readonly string[]): Promise<void> {
  for (const statement of list) {
    await sql.raw(statement).execute(db);
  }
}

/** Applies the migration. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await run(db, UP);
}

/** Undoes it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await run(db, DOWN);
}
