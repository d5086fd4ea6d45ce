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
        IF OLD.at < now() - make_interval(days => 2192) THEN
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
  `CREATE TABLE patients (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    owner_id uuid NOT NULL,
    full_name varchar(255) NOT NULL,
    email varchar(255) NOT NULL,
    date_of_birth date,
    phone varchar(16),
    insurance_number text,
    CONSTRAINT pk_patients PRIMARY KEY (id),
    CONSTRAINT uq_patients_email UNIQUE (email)
)`,
  `CREATE TABLE clinicians (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    display_name varchar(255) NOT NULL,
    specialty varchar(11),
    accepting_patients boolean NOT NULL,
    CONSTRAINT pk_clinicians PRIMARY KEY (id),
    CONSTRAINT ck_clinicians_specialty_enum CHECK (specialty IN ('general', 'cardiology', 'dermatology', 'pediatrics'))
)`,
  `CREATE TABLE appointments (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    owner_id uuid NOT NULL,
    starts_at timestamptz NOT NULL,
    duration_minutes integer NOT NULL,
    status varchar(9) NOT NULL,
    reason text,
    deposit_cents integer NOT NULL,
    deposit_paid boolean NOT NULL,
    patient_id uuid NOT NULL,
    clinician_id uuid NOT NULL,
    CONSTRAINT pk_appointments PRIMARY KEY (id),
    CONSTRAINT ck_appointments_duration_minutes_min CHECK (duration_minutes >= 5),
    CONSTRAINT ck_appointments_duration_minutes_max CHECK (duration_minutes <= 240),
    CONSTRAINT ck_appointments_status_enum CHECK (status IN ('requested', 'confirmed', 'cancelled', 'completed')),
    CONSTRAINT ck_appointments_deposit_cents_min CHECK (deposit_cents >= 0),
    CONSTRAINT ck_appointments_deposit_cents_max CHECK (deposit_cents <= 100000)
)`,
  `CREATE TABLE visit_notes (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    owner_id uuid NOT NULL,
    body text NOT NULL,
    diagnosis_code text,
    appointment_id uuid NOT NULL,
    CONSTRAINT pk_visit_notes PRIMARY KEY (id)
)`,
  `CREATE INDEX ix_patients_owner_id ON patients (owner_id, created_at, id)`,
  `CREATE INDEX ix_appointments_owner_id ON appointments (owner_id, created_at, id)`,
  `CREATE INDEX ix_appointments_patient_id ON appointments (patient_id)`,
  `CREATE INDEX ix_appointments_clinician_id ON appointments (clinician_id)`,
  `CREATE INDEX ix_visit_notes_owner_id ON visit_notes (owner_id, created_at, id)`,
  `CREATE INDEX ix_visit_notes_appointment_id ON visit_notes (appointment_id)`,
  `ALTER TABLE patients ADD CONSTRAINT fk_patients_owner_id_auth_users FOREIGN KEY (owner_id) REFERENCES auth_users (id) ON DELETE CASCADE`,
  `ALTER TABLE appointments ADD CONSTRAINT fk_appointments_owner_id_auth_users FOREIGN KEY (owner_id) REFERENCES auth_users (id) ON DELETE CASCADE`,
  `ALTER TABLE appointments ADD CONSTRAINT fk_appointments_patient_id_patients FOREIGN KEY (patient_id) REFERENCES patients (id) ON DELETE CASCADE`,
  `ALTER TABLE appointments ADD CONSTRAINT fk_appointments_clinician_id_clinicians FOREIGN KEY (clinician_id) REFERENCES clinicians (id) ON DELETE RESTRICT`,
  `ALTER TABLE visit_notes ADD CONSTRAINT fk_visit_notes_owner_id_auth_users FOREIGN KEY (owner_id) REFERENCES auth_users (id) ON DELETE CASCADE`,
  `ALTER TABLE visit_notes ADD CONSTRAINT fk_visit_notes_appointment_id_appointments FOREIGN KEY (appointment_id) REFERENCES appointments (id) ON DELETE CASCADE`,
];

const DOWN: readonly string[] = [
  `ALTER TABLE visit_notes DROP CONSTRAINT fk_visit_notes_appointment_id_appointments`,
  `ALTER TABLE visit_notes DROP CONSTRAINT fk_visit_notes_owner_id_auth_users`,
  `ALTER TABLE appointments DROP CONSTRAINT fk_appointments_clinician_id_clinicians`,
  `ALTER TABLE appointments DROP CONSTRAINT fk_appointments_patient_id_patients`,
  `ALTER TABLE appointments DROP CONSTRAINT fk_appointments_owner_id_auth_users`,
  `ALTER TABLE patients DROP CONSTRAINT fk_patients_owner_id_auth_users`,
  `DROP TABLE visit_notes`,
  `DROP TABLE appointments`,
  `DROP TABLE clinicians`,
  `DROP TABLE patients`,
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
