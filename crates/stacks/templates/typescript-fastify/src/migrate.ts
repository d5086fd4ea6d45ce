/**
 * Migrates the database as the schema owner: `up` (the default) applies
 * every migration, `down` undoes the last one. With `APP_DB_ROLE` set, the
 * app's role is then granted what the app does (`grants.ts`).
 */
import type { Kysely } from "kysely";
import { Migrator, type Migration, type MigrationResultSet } from "kysely/migration";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { openCommandDb } from "./db.js";
import { ensureRole, grantAppRole } from "./grants.js";
import { MIGRATIONS } from "./migrations/index.js";
import { requireNode } from "./runtime.js";

/** The migrator of this project's migrations, in their order. */
export function migrator(db: Kysely<unknown>): Migrator {
  return new Migrator({
    db,
    provider: {
      getMigrations: (): Promise<Record<string, Migration>> => Promise.resolve(MIGRATIONS),
    },
  });
}

function check(outcome: MigrationResultSet): void {
  for (const result of outcome.results ?? []) {
    console.log(`${result.direction} ${result.migrationName}: ${result.status}`);
  }
  if (outcome.error !== undefined) {
    throw outcome.error instanceof Error
      ? outcome.error
      : new Error("the migration failed", { cause: outcome.error });
  }
}

/** Applies every migration (or, with `"down"`, undoes the last one). */
export async function migrate(db: Kysely<unknown>, direction: "up" | "down" = "up"): Promise<void> {
  const m = migrator(db);
  check(direction === "up" ? await m.migrateToLatest() : await m.migrateDown());
}

/**
 * What `make migrate` does: migrates as the schema owner
 * (`MIGRATION_DATABASE_URL`, default `DATABASE_URL`) and, with
 * `APP_DB_ROLE` set, grants that role what the app does (creating it when
 * `APP_DB_PASSWORD` is set and it does not exist).
 */
export async function migrateAsOwner(
  config: Config,
  direction: "up" | "down" = "up",
): Promise<void> {
  const db = openCommandDb(config.migrationDatabaseUrl, config.dbPoolTimeoutMs) as Kysely<unknown>;
  try {
    await migrate(db, direction);
    if (config.appDbRole !== undefined) {
      await ensureRole(db, config.appDbRole, config.appDbPassword);
      await grantAppRole(db, config.appDbRole);
    }
  } finally {
    await db.destroy();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const direction = argv[0] ?? "up";
  if (direction !== "up" && direction !== "down") {
    throw new Error(`usage: migrate [up|down] (not "${direction}")`);
  }
  await migrateAsOwner(loadConfig(), direction);
}

// `import.meta.main` is Node.js 24's: on an older Node.js it is undefined,
// and this file would apply nothing and exit 0, so it refuses one.
requireNode("migrate");

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
