/** The database: one bounded pool of connections per process, and Kysely over it. */
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { FastifyBaseLogger } from "fastify";
import type { Database } from "./database.js";
import { parseExact } from "./json.js";

/** How to reach the database and how long to wait. */
export interface DbOptions {
  readonly url: string;
  /** The ceiling of connections. */
  readonly poolSize: number;
  /** Milliseconds to wait for a pooled (or new) connection. */
  readonly connectTimeoutMs: number;
  /** Milliseconds a statement may run before the server cancels it; 0: no limit. */
  readonly statementTimeoutMs: number;
}

/**
 * How values are read: JSON columns with exact whole numbers (json.ts),
 * every other type as pg reads it.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid, format): unknown =>
    oid === pg.types.builtins.JSON || oid === pg.types.builtins.JSONB
      ? parseExact
      : (pg.types.getTypeParser(oid, format) as unknown),
};

/** The database handle the app and its commands share. */
export type Db = Kysely<Database>;

/**
 * A pool and Kysely over it. A connection the server closes while it sits
 * idle (a restart) is reported here and dropped by the pool, never thrown
 * where nobody listens.
 */
export function openDb(options: DbOptions, log?: FastifyBaseLogger): Db {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    types: TYPES,
    ...(options.statementTimeoutMs > 0 ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  pool.on("error", (error) => {
    log?.warn({ err: error }, "an idle database connection failed; the pool drops it");
  });
  // A connection in use that the server ends (a restart) reports here too:
  // its query fails (503 to the client) and the pool replaces it.
  pool.on("connect", (client) => {
    client.on("error", (error) => {
      log?.warn({ err: error }, "a database connection in use failed");
    });
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** One connection without a statement limit, for a command (`make migrate`, `make user`). */
export function openCommandDb(url: string, connectTimeoutMs: number): Db {
  return openDb({ url, poolSize: 1, connectTimeoutMs, statementTimeoutMs: 0 });
}
