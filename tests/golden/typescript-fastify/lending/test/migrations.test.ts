import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCommandDb } from "../src/db.js";
import { migrate } from "../src/migrate.js";
import { MIGRATIONS } from "../src/migrations/index.js";
import { testConfig } from "./helpers.js";

/** Every table the migrations make. */
const TABLES = [
  "auth_users",
  "auth_sessions",
  "auth_login_attempts",
  "audit_events",
  "auth_rate_limits",
  "auth_idempotency_keys",
  "auth_email_tokens",
  "mail_outbox",
  "applicants",
  "loan_applications",
  "repayments",
  "payments",
  "stripe_events",
];

async function tablesPresent(db: Kysely<unknown>): Promise<string[]> {
  const result = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_name NOT LIKE 'kysely_%'
    ORDER BY table_name
  `.execute(db);
  return result.rows.map((row) => row.name);
}

describe("migrations", () => {
  let db: Kysely<unknown>;
  beforeAll(() => {
    const config = testConfig();
    db = openCommandDb(config.migrationDatabaseUrl, 5000) as Kysely<unknown>;
  });
  afterAll(async () => {
    // Leave the database migrated, as the other tests expect it.
    await migrate(db, "up");
    await db.destroy();
  });

  it("go down to nothing and up again", async () => {
    await migrate(db, "up");
    expect(await tablesPresent(db)).toEqual([...TABLES].sort());
    // `down` undoes the last migration: once per migration.
    for (let left = Object.keys(MIGRATIONS).length; left > 0; left -= 1) {
      await migrate(db, "down");
    }
    expect(await tablesPresent(db)).toEqual([]);
    await migrate(db, "up");
    expect(await tablesPresent(db)).toEqual([...TABLES].sort());
  });

  it("keep the audit log append-only", async () => {
    await migrate(db, "up");
    await sql`INSERT INTO audit_events (id, action) VALUES (gen_random_uuid(), 'test')`.execute(db);
    await expect(sql`UPDATE audit_events SET action = 'changed'`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM audit_events`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_events`.execute(db)).rejects.toThrow(/append-only/);
  });
});
