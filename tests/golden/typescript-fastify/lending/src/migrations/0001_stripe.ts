/**
 * The `stripe` integration's tables: `payments` (a payment of a row:
 * Stripe's object for it, and what became of it) and `stripe_events` (the
 * events Stripe delivered, kept so a replay changes nothing).
 */
import { sql, type Kysely } from "kysely";

const UP: readonly string[] = [
  `CREATE TABLE payments (
    id uuid NOT NULL,
    created_at timestamptz DEFAULT now() NOT NULL,
    updated_at timestamptz DEFAULT now() NOT NULL,
    entity varchar(64) NOT NULL,
    row_id uuid NOT NULL,
    amount bigint NOT NULL,
    currency varchar(3) NOT NULL,
    idempotency_key varchar(128) NOT NULL,
    stripe_id varchar(255) NOT NULL,
    status varchar(32) NOT NULL,
    failure_code varchar(64),
    amount_refunded bigint DEFAULT '0' NOT NULL,
    CONSTRAINT pk_payments PRIMARY KEY (id),
    CONSTRAINT uq_payments_idempotency_key UNIQUE (idempotency_key)
)`,
  `CREATE INDEX ix_payments_row_id ON payments (row_id)`,
  `CREATE INDEX ix_payments_stripe_id ON payments (stripe_id)`,
  `CREATE TABLE stripe_events (
    id varchar(255) NOT NULL,
    type varchar(128) NOT NULL,
    received_at timestamptz DEFAULT now() NOT NULL,
    CONSTRAINT pk_stripe_events PRIMARY KEY (id)
)`,
];

const DOWN: readonly string[] = [`DROP TABLE stripe_events`, `DROP TABLE payments`];

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
