import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { BackupError, dump, restore } from "../src/backup.js";
import { type DatabaseConfig, loadDatabaseConfig } from "../src/config.js";
import { type Db, openCommandDb } from "../src/db.js";
import { createUser, ROLES } from "../src/services/users.js";
import { testEnv } from "./helpers.js";
import { PASSWORD } from "./rows.js";

/** Rows per table of the `public` schema (the migrations' own table included). */
async function counts(url: string): Promise<Record<string, number>> {
  const db = openCommandDb(url, 5000);
  try {
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
    const result: Record<string, number> = {};
    for (const { table_name: table } of tables.rows) {
      const counted = await sql<{ n: string }>`
        SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db);
      result[table] = Number(counted.rows[0]?.n ?? 0);
    }
    return result;
  } finally {
    await db.destroy();
  }
}

describe("make backup and make restore", () => {
  const source = testEnv().DATABASE_URL ?? "";
  const name = `${new URL(source).pathname.slice(1)}_restore_${randomUUID().slice(0, 8)}`;
  const target = Object.assign(new URL(source), { pathname: `/${name}` }).toString();
  const dumps = mkdtempSync(join(tmpdir(), "backups-"));
  let admin: Db;
  const configOf = (url: string): DatabaseConfig =>
    loadDatabaseConfig({ DATABASE_URL: url, BACKUP_DIR: dumps });

  beforeAll(async () => {
    admin = openCommandDb(source, 5000);
    await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin);
    for (const role of ROLES) {
      await createUser(admin, `backup-${role}-${randomUUID()}@example.com`, PASSWORD, role);
    }
  });
  afterAll(async () => {
    await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(admin);
    await admin.destroy();
    rmSync(dumps, { recursive: true, force: true });
  });

  it("round-trips into a fresh database, and replaces a full one only when forced", async () => {
    const path = await dump(configOf(source));
    expect(dirname(path)).toBe(dumps);
    expect(basename(path)).toMatch(/^\d{8}T\d{6}Z\.dump$/);
    expect(readFileSync(path).subarray(0, 5).toString()).toBe("PGDMP");

    await restore(configOf(target), path);
    const expected = await counts(source);
    expect(expected.auth_users).toBeGreaterThanOrEqual(ROLES.length);
    expect(await counts(target)).toEqual(expected);

    // Now the target is not empty: refused unless forced.
    await expect(restore(configOf(target), path)).rejects.toThrow(/FORCE=1/);
    await restore(configOf(target), path, true);
    expect(await counts(target)).toEqual(expected);
  });

  it("refuses a dump that is not there", async () => {
    const missing = restore(configOf(target), join(dumps, "nonexistent.dump"));
    await expect(missing).rejects.toThrow(BackupError);
    await expect(missing).rejects.toThrow(/no such dump/);
  });
});
