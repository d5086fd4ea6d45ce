/**
 * The app's database role (C-RUN-5): `make migrate` with `APP_DB_ROLE` gives
 * it DML only, so the app, connecting as it, cannot alter tables, disable the
 * audit trigger or change audit rows, and still reads and writes every row.
 */
import { randomUUID } from "node:crypto";
import { sql, type Kysely, type RawBuilder } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCommandDb } from "../src/db.js";
import { AUDIT_TABLE } from "../src/grants.js";
import { migrateAsOwner } from "../src/migrate.js";
import { testConfig } from "./helpers.js";

/** PostgreSQL's "insufficient privilege" (also "must be owner of table"). */
const INSUFFICIENT_PRIVILEGE = "42501";

/** Whether PostgreSQL refuses the statement for lack of privilege (or ownership). */
async function refused(db: Kysely<unknown>, statement: RawBuilder<unknown>): Promise<boolean> {
  try {
    await statement.execute(db);
  } catch (error) {
    return (error as { code?: string }).code === INSUFFICIENT_PRIVILEGE;
  }
  return false;
}

describe("the app's database role", () => {
  const role = `app_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const password = randomUUID();
  const config = testConfig({ APP_DB_ROLE: role, APP_DB_PASSWORD: password });
  let owner: Kysely<unknown>;
  let app: Kysely<unknown>;
  let tables: string[];

  beforeAll(async () => {
    // As `make migrate` runs: the role is missing, so it is created.
    await migrateAsOwner(config);
    owner = openCommandDb(config.migrationDatabaseUrl, 5000) as Kysely<unknown>;
    const url = new URL(config.databaseUrl);
    url.username = role;
    url.password = password;
    app = openCommandDb(url.toString(), 5000) as Kysely<unknown>;
    const found = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
        AND table_name NOT LIKE 'kysely_%'
      ORDER BY table_name
    `.execute(owner);
    tables = found.rows.map((row) => row.name);
  });
  afterAll(async () => {
    await app.destroy();
    await sql`DROP OWNED BY ${sql.id(role)}`.execute(owner);
    await sql`DROP ROLE ${sql.id(role)}`.execute(owner);
    await owner.destroy();
  });

  it("is created by make migrate, and granted again when it exists", async () => {
    const found = await sql`SELECT 1 FROM pg_roles WHERE rolname = ${role}`.execute(owner);
    expect(found.rows).toHaveLength(1);
    await migrateAsOwner(config);
    expect(tables).toContain(AUDIT_TABLE);
  });

  it("holds SELECT and INSERT on the audit log, and DML on every other table", async () => {
    // The audit log's trigger refuses a change with the same error as a
    // missing privilege would, so the privileges themselves are checked.
    const privileges = [
      "SELECT",
      "INSERT",
      "UPDATE",
      "DELETE",
      "TRUNCATE",
      "REFERENCES",
      "TRIGGER",
    ];
    for (const table of tables) {
      const held: string[] = [];
      for (const privilege of privileges) {
        const found = await sql<{ held: boolean }>`
          SELECT has_table_privilege(${role}, ${table}, ${privilege}) AS held
        `.execute(owner);
        if (found.rows[0]?.held === true) {
          held.push(privilege);
        }
      }
      const expected =
        table === AUDIT_TABLE ? ["SELECT", "INSERT"] : ["SELECT", "INSERT", "UPDATE", "DELETE"];
      expect(held, table).toEqual(expected);
    }
  });

  it("cannot disable the audit trigger", async () => {
    expect(await refused(app, sql`ALTER TABLE audit_events DISABLE TRIGGER ALL`)).toBe(true);
  });

  it("cannot change or remove audit rows", async () => {
    expect(await refused(app, sql`UPDATE audit_events SET action = 'x'`)).toBe(true);
    expect(await refused(app, sql`DELETE FROM audit_events`)).toBe(true);
    expect(await refused(app, sql`TRUNCATE audit_events`)).toBe(true);
  });

  it("cannot alter or create tables", async () => {
    for (const table of tables) {
      const alter = sql`ALTER TABLE ${sql.table(table)} ADD COLUMN intruder integer`;
      expect(await refused(app, alter), table).toBe(true);
    }
    expect(await refused(app, sql`CREATE TABLE intruder (id integer)`)).toBe(true);
  });

  it("reads and writes the rows of every table", async () => {
    for (const table of tables) {
      await sql`SELECT count(*) FROM ${sql.table(table)}`.execute(app);
      if (table !== AUDIT_TABLE) {
        const columns = await sql<{ name: string }>`
          SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ${table}
          ORDER BY ordinal_position LIMIT 1
        `.execute(owner);
        const first = sql.ref(columns.rows[0]?.name ?? "id");
        await sql`UPDATE ${sql.table(table)} SET ${first} = ${first} WHERE false`.execute(app);
        await sql`DELETE FROM ${sql.table(table)} WHERE false`.execute(app);
      }
    }
    await sql`INSERT INTO audit_events (id, action) VALUES (gen_random_uuid(), 'grants')`.execute(
      app,
    );
  });

  it("makes migrate run as MIGRATION_DATABASE_URL, else DATABASE_URL", () => {
    const database = "postgresql://app@db/x";
    expect(testConfig({ DATABASE_URL: database }).migrationDatabaseUrl).toBe(database);
    const migration = "postgresql://owner@db/x";
    const both = testConfig({ DATABASE_URL: database, MIGRATION_DATABASE_URL: migration });
    expect(both.migrationDatabaseUrl).toBe(migration);
  });
});
