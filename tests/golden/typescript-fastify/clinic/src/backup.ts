/**
 * Backups: `make backup` writes a consistent `pg_dump --format=custom` of
 * the database to `BACKUP_DIR` (default `backups/`), named by UTC time, and
 * prints its path; `make restore FILE=…` loads such a dump. A restore
 * refuses a database that has any table in its `public` schema unless
 * forced (`FORCE=1`: the objects in the dump are dropped and recreated).
 * Both run as the schema owner (`MIGRATION_DATABASE_URL` when set). The
 * password travels in `PGPASSWORD`, never on a command line.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import type { DatabaseConfig } from "./config.js";
import { openCommandDb } from "./db.js";

const run = promisify(execFile);

/** A backup or restore that could not be done. */
export class BackupError extends Error {
  override name = "BackupError";
}

/** The path of a PostgreSQL client program (`PG_BIN` may name its directory). */
function tool(config: DatabaseConfig, name: string): string {
  if (config.pgBin !== undefined) {
    const candidate = join(config.pgBin, name);
    if (existsSync(candidate)) {
      return candidate;
    }
  }
  return name;
}

/** A libpq URL without the password, and the environment that carries it. */
function connection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const env = { ...process.env };
  if (parsed.password !== "") {
    env.PGPASSWORD = decodeURIComponent(parsed.password);
    parsed.password = "";
  }
  return { url: parsed.toString(), env };
}

/** Runs a client program, or throws a {@link BackupError} with what it said. */
async function runTool(
  config: DatabaseConfig,
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  try {
    await run(tool(config, name), [...args], { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === "ENOENT") {
      throw new BackupError(`${name} is not installed (install the PostgreSQL client tools)`);
    }
    throw new BackupError(`${name} failed: ${(failure.stderr ?? failure.message).trim()}`);
  }
}

/** `20261130T091500Z`: a dump's name for the time `at`. */
export function dumpName(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}.dump`;
}

/** Writes a custom-format dump into the backup directory and returns its path. */
export async function dump(config: DatabaseConfig, at: Date = new Date()): Promise<string> {
  mkdirSync(config.backupDir, { recursive: true });
  const path = join(config.backupDir, dumpName(at));
  const partial = `${path}.partial`;
  const { url, env } = connection(config.ownerUrl);
  await runTool(
    config,
    "pg_dump",
    ["--format=custom", `--file=${partial}`, `--dbname=${url}`],
    env,
  );
  renameSync(partial, path);
  return path;
}

/** The tables in the `public` schema of the database. */
export async function publicTables(config: DatabaseConfig): Promise<string[]> {
  const db = openCommandDb(config.ownerUrl, config.connectTimeoutMs);
  try {
    const rows = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' ORDER BY table_name`.execute(db);
    return rows.rows.map((row) => row.table_name);
  } finally {
    await db.destroy();
  }
}

/** Restores a dump, refusing a non-empty database unless `force`. */
export async function restore(config: DatabaseConfig, file: string, force = false): Promise<void> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new BackupError(`no such dump: ${file}`);
  }
  const tables = await publicTables(config);
  if (tables.length > 0 && !force) {
    throw new BackupError(
      `the database is not empty (${String(tables.length)} tables in public); ` +
        "restore into an empty database, or set FORCE=1 to replace what is there",
    );
  }
  const { url, env } = connection(config.ownerUrl);
  const args = ["--no-owner", "--single-transaction", `--dbname=${url}`];
  if (force) {
    args.push("--clean", "--if-exists");
  }
  await runTool(config, "pg_restore", [...args, file], env);
}
