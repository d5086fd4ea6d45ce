/** The tables' row types, for Kysely's typed queries. */
import type { Generated } from "kysely";

/** A value a `jsonb` column holds. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** An account. */
export interface AuthUsersTable {
  id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  email: string;
  password_hash: string;
  role: string;
  email_verified: Generated<boolean>;
}

/** A signed-in session: only its token's hash is stored. */
export interface AuthSessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

/** A failed sign-in, for the lockout. */
export interface AuthLoginAttemptsTable {
  id: string;
  email_key: string;
  client_key: string;
  attempted_at: Date;
}

/** An audit event (append-only). */
export interface AuditEventsTable {
  id: string;
  seq: Generated<string>;
  at: Generated<Date>;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity: string | null;
  entity_id: string | null;
  fields: Json | null;
  request_id: string | null;
}

/** A rate-limit counter of one window. */
export interface AuthRateLimitsTable {
  key: string;
  window_start: Date;
  hits: number;
}

/** A stored answer to an `Idempotency-Key`. */
export interface AuthIdempotencyKeysTable {
  user_id: string;
  key: string;
  request_hash: string;
  status: number | null;
  answer: string | null;
  created_at: Date;
}

/** A single-use token of a verification or reset link: only its hash is stored. */
export interface AuthEmailTokensTable {
  id: string;
  user_id: string;
  purpose: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** A mail on its way out, sent by the worker. */
export interface MailOutboxTable {
  id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  recipient: string;
  subject: string;
  body_text: string;
  body_html: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  provider: string | null;
  sent_at: Date | null;
  last_error: string | null;
}

/** A row of Applicant. */
export interface ApplicantsTable {
  id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  owner_id: string;
  full_name: string;
  email: string;
  date_of_birth: string | null;
  phone: string | null;
  annual_income: string | null;
}

/** A row of LoanApplication. */
export interface LoanApplicationsTable {
  id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  owner_id: string;
  amount: string;
  term_months: number;
  purpose: string;
  status: string;
  risk_score: number | null;
  applicant_id: string;
}

/** A row of Repayment. */
export interface RepaymentsTable {
  id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  owner_id: string;
  due_on: string;
  amount_cents: number;
  state: string;
  paid_at: Date | null;
  loan_id: string;
}

/** Every table, by name. */
export interface Database {
  auth_users: AuthUsersTable;
  auth_sessions: AuthSessionsTable;
  auth_login_attempts: AuthLoginAttemptsTable;
  audit_events: AuditEventsTable;
  auth_rate_limits: AuthRateLimitsTable;
  auth_idempotency_keys: AuthIdempotencyKeysTable;
  auth_email_tokens: AuthEmailTokensTable;
  mail_outbox: MailOutboxTable;
  applicants: ApplicantsTable;
  loan_applications: LoanApplicationsTable;
  repayments: RepaymentsTable;
}
