/** The database: one bounded pool of connections per process, and Kysely over it. */
import { CompiledQuery, Kysely, PostgresDialect, type RawBuilder, sql } from "kysely";
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
    prepareRepeated(client);
    client.on("error", (error) => {
      log?.warn({ err: error }, "a database connection in use failed");
    });
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** A statement is prepared on a connection the second time that connection runs it. */
export const PREPARE_AFTER = 2;

/** At most this many statements are kept prepared per connection; others run unprepared. */
export const PREPARED_MAX = 100;

/** How many statement texts a connection counts before it forgets the counts and starts over. */
const COUNTED_MAX = 1000;

/**
 * A statement that selects or returns `*` changes its result's columns when a
 * migration changes its table, which a prepared statement cannot follow.
 */
const STAR = /\b(?:select|returning)\s+\*/i;

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Prepares the statements a connection runs repeatedly, as psycopg does:
 * the second time a connection runs a statement with parameters, it runs it
 * under a name, so the server parses and plans it once for that connection
 * and later runs send only its parameters. That halves the database's work
 * on a short request, whose statements cost more to parse and plan than to
 * run. At most {@link PREPARED_MAX} statements are kept per connection
 * (the rest run unprepared), so a connection's server memory stays bounded
 * however many different statements the app makes. Statements that select
 * or return `*` are never prepared, and nor are statements without
 * parameters (transaction control, DDL). A pooler between the app and the
 * server must keep a session's prepared statements (PgBouncer in
 * transaction mode: 1.21 or later, with `max_prepared_statements` set).
 */
export function prepareRepeated(client: pg.PoolClient | pg.Client): void {
  const run = client.query.bind(client) as Query;
  const names = new Map<string, string | null>();
  const runs = new Map<string, number>();
  const prepared: Query = (config, values, callback) => {
    if (typeof config !== "string" || !Array.isArray(values) || values.length === 0) {
      return run(config, values, callback);
    }
    let name = names.get(config);
    if (name === undefined && names.size < PREPARED_MAX) {
      const count = (runs.get(config) ?? 0) + 1;
      if (count >= PREPARE_AFTER) {
        name = STAR.test(config) ? null : `archgen_${String(names.size)}`;
        names.set(config, name);
        runs.delete(config);
      } else {
        if (runs.size >= COUNTED_MAX) {
          runs.clear();
        }
        runs.set(config, count);
      }
    }
    if (typeof name === "string") {
      return run({ name, text: config, values }, callback);
    }
    return run(config, values, callback);
  };
  (client as { query: Query }).query = prepared;
}

/** One connection without a statement limit, for a command (`make migrate`, `make user`). */
export function openCommandDb(url: string, connectTimeoutMs: number): Db {
  return openDb({ url, poolSize: 1, connectTimeoutMs, statementTimeoutMs: 0 });
}

/** Stands for a statement's argument while its text is compiled (`Statements`). */
class Argument {
  constructor(readonly index: number) {}
}

/** A statement's text, and which argument each of its parameters takes. */
interface Compiled {
  readonly text: string;
  readonly order: readonly number[];
}

/**
 * Statements whose text is compiled once per key. `build` gets one
 * placeholder per argument and returns the statement; each run sends the
 * text compiled the first time with this run's arguments. A request then
 * spends nothing on building and compiling its statements, and the driver
 * finds the text's prepared statement (`prepareRepeated`) by the same string.
 * A statement's shape must follow from its key alone: a value that is not
 * one of the placeholders is refused when the text is compiled, so no
 * request's value is ever kept for another. At most `limit` keys are kept;
 * past that, statements are compiled at every run.
 */
export class Statements {
  readonly #compiled = new Map<string, Compiled>();

  /** A cache of at most `limit` statement texts. */
  constructor(private readonly limit = 500) {}

  /**
   * The statement of `key` with `args`, ready to run with `db.executeQuery`.
   *
   * ```ts
   * const statements = new Statements();
   * const query = statements.get<{ id: string }>(db, "task:one", [id], (id) =>
   *   sql`SELECT id::text AS id FROM tasks WHERE id = ${id}::uuid`);
   * const { rows } = await db.executeQuery(query);
   * ```
   */
  get<R>(
    db: Db,
    key: string,
    args: readonly unknown[],
    build: (...placeholders: RawBuilder<unknown>[]) => RawBuilder<R>,
  ): CompiledQuery<R> {
    let compiled = this.#compiled.get(key);
    if (compiled === undefined) {
      const placeholders = args.map((_, i) => sql.val(new Argument(i)));
      const query = build(...placeholders).compile(db);
      const order = query.parameters.map((value) => {
        if (!(value instanceof Argument)) {
          throw new Error(`statement ${key} has a parameter that is not one of its arguments`);
        }
        return value.index;
      });
      compiled = { text: query.sql, order };
      if (this.#compiled.size < this.limit) {
        this.#compiled.set(key, compiled);
      }
    }
    return CompiledQuery.raw(
      compiled.text,
      compiled.order.map((i) => args[i]),
    );
  }
}
