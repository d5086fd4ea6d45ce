/**
 * The app's database role (C-RUN-5): `make migrate`, as the schema owner,
 * grants it what the app does.
 *
 * With `APP_DB_ROLE` set, migrations run as the owner
 * (`MIGRATION_DATABASE_URL`, default `DATABASE_URL`) and then give that
 * role DML on the entity and `auth_` tables, only INSERT and SELECT on
 * `audit_events`, USAGE on the schema and its sequences, and nothing else:
 * the app, connecting as that role, cannot alter tables, disable the audit
 * trigger or change audit rows. With `APP_DB_PASSWORD` also set, a missing
 * role is created (LOGIN, that password).
 */
import { sql, type Kysely } from "kysely";

/** The append-only audit log: the app may only add and read rows. */
export const AUDIT_TABLE = "audit_events";

/** Tables of the migration tool itself: the app needs none of them. */
const MIGRATION_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);

/** Creates the role when it does not exist and a password is given. */
export async function ensureRole(
  db: Kysely<unknown>,
  role: string,
  password: string | undefined,
): Promise<void> {
  const found = await sql`SELECT 1 FROM pg_roles WHERE rolname = ${role}`.execute(db);
  if (found.rows.length > 0) {
    return;
  }
  if (password === undefined) {
    throw new Error(
      `APP_DB_ROLE names "${role}", which does not exist: create it, or set APP_DB_PASSWORD`,
    );
  }
  await sql`CREATE ROLE ${sql.id(role)} LOGIN PASSWORD ${sql.lit(password)}`.execute(db);
}

/** Gives the role exactly what the app needs on this schema's tables, revoking the rest. */
export async function grantAppRole(db: Kysely<unknown>, role: string): Promise<void> {
  const who = sql.id(role);
  const current = await sql<{ name: string }>`SELECT current_schema() AS name`.execute(db);
  const schemaName = current.rows[0]?.name ?? "public";
  const schema = sql.id(schemaName);
  // PostgreSQL before 15 lets every role create tables in `public`; not the app.
  await sql`REVOKE CREATE ON SCHEMA ${schema} FROM PUBLIC`.execute(db);
  await sql`REVOKE ALL ON SCHEMA ${schema} FROM ${who}`.execute(db);
  await sql`GRANT USAGE ON SCHEMA ${schema} TO ${who}`.execute(db);
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = ${schemaName} AND table_type = 'BASE TABLE'
    ORDER BY table_name
  `.execute(db);
  for (const { name } of tables.rows) {
    if (MIGRATION_TABLES.has(name)) {
      continue;
    }
    const table = sql.id(schemaName, name);
    await sql`REVOKE ALL ON TABLE ${table} FROM ${who}`.execute(db);
    if (name === AUDIT_TABLE) {
      await sql`GRANT SELECT, INSERT ON TABLE ${table} TO ${who}`.execute(db);
    } else {
      await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${table} TO ${who}`.execute(db);
    }
  }
  await sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${who}`.execute(db);
}
