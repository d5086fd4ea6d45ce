/**
 * The operators' scheduled work on the data: `make retention` deletes what
 * is past its retention, `make rotate-keys` re-encrypts under the newest key.
 */
import { sql } from "kysely";
import { record } from "./audit.js";
import type { Db } from "./db.js";
import { IDEMPOTENCY_RETENTION_HOURS } from "./entities/crud.js";
import { AUDIT_RETENTION_DAYS, ENTITIES } from "./entities/model.js";
import { purgeWindowsBefore, WINDOW_SECONDS } from "./ratelimit.js";
import type { Keyring } from "./security/crypto.js";

/** Rows per transaction when re-encrypting. */
export const ROTATE_BATCH = 500;

/** What `purge` deleted: rows per entity past its retention, and audit events. */
export type PurgeCounts = Map<string, number>;

/**
 * Deletes rows past their entity's retention (aged by `created_at`) and
 * audit events past the audit retention, in the transaction `tx`, and
 * records one `retention_purge` event with the counts. Rows that other rows
 * still refer to through a `restrict` relation stop the purge with a
 * foreign-key error: nothing is deleted.
 */
export async function purge(tx: Db): Promise<PurgeCounts> {
  const counts: PurgeCounts = new Map();
  for (const entity of ENTITIES) {
    if (entity.retention === null) {
      continue;
    }
    const deleted = await sql`
      DELETE FROM ${sql.table(entity.table)}
      WHERE created_at < now() - ${entity.retention}::interval`.execute(tx);
    counts.set(entity.name, Number(deleted.numAffectedRows ?? 0));
  }
  if (AUDIT_RETENTION_DAYS !== null) {
    // The append-only trigger lets this DELETE through only inside this
    // transaction, and only for events older than the audit retention.
    await sql`SELECT set_config('archgen.audit_purge', 'on', true)`.execute(tx);
    const deleted = await sql`
      DELETE FROM audit_events
      WHERE at < now() - make_interval(days => ${AUDIT_RETENTION_DAYS})`.execute(tx);
    await sql`SELECT set_config('archgen.audit_purge', 'off', true)`.execute(tx);
    counts.set("audit_events", Number(deleted.numAffectedRows ?? 0));
  }
  await record(tx, "retention_purge", {
    actor: null,
    fields: [...counts].map(([name, count]) => `${name}:${String(count)}`),
  });
  return counts;
}

/** What `retention` did, one line per count. */
export interface RetentionReport {
  readonly counts: PurgeCounts;
  readonly idempotencyKeys: number;
  readonly rateLimitWindows: number;
}

/**
 * `make retention`: the purge, expired idempotency keys and past rate-limit
 * windows, in one transaction. Runs as the schema owner: the app's role may
 * not delete audit events.
 */
export async function retention(db: Db): Promise<RetentionReport> {
  return db.transaction().execute(async (tx) => {
    const counts = await purge(tx);
    const keys = await sql`
      DELETE FROM auth_idempotency_keys
      WHERE created_at < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})`.execute(
      tx,
    );
    // Windows that started before the current one are over.
    const now = Date.now();
    const current = new Date(now - (now % (WINDOW_SECONDS * 1000)));
    let windows = 0;
    for (;;) {
      const deleted = await purgeWindowsBefore(tx, current);
      windows += deleted;
      if (deleted === 0) {
        break;
      }
    }
    return {
      counts,
      idempotencyKeys: Number(keys.numAffectedRows ?? 0),
      rateLimitWindows: windows,
    };
  });
}

/** The lines `make retention` prints. */
export function retentionLines(report: RetentionReport): string[] {
  const lines = [...report.counts].map(([name, count]) => `${name}: ${String(count)} deleted`);
  if (lines.length === 0) {
    lines.push("nothing has a retention period; nothing deleted");
  }
  lines.push(`expired idempotency keys: ${String(report.idempotencyKeys)} deleted`);
  lines.push(`past rate-limit windows: ${String(report.rateLimitWindows)} deleted`);
  return lines;
}

/**
 * Re-encrypts every stored value not under the newest key and recomputes
 * stale blind indexes, `batch` rows per transaction; returns the rows
 * rewritten per entity with encrypted fields. `updated_at` is kept: the
 * values did not change.
 */
export async function rotate(
  db: Db,
  keyring: Keyring,
  batch: number = ROTATE_BATCH,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const entity of ENTITIES) {
    const fields = entity.fields.filter((field) => field.encrypted);
    if (fields.length === 0) {
      continue;
    }
    const columns = [
      "id",
      ...fields.flatMap((field) =>
        field.blindIndex === undefined ? [field.name] : [field.name, field.blindIndex],
      ),
    ];
    let rewritten = 0;
    let after: string | null = null;
    for (;;) {
      const from: string | null = after;
      const rows = await sql<Record<string, string | null>>`
        SELECT ${sql.join(columns.map((column) => sql`${sql.ref(column)}::text`))}
        FROM ${sql.table(entity.table)}
        ${from === null ? sql`` : sql`WHERE id > ${from}::uuid`}
        ORDER BY id LIMIT ${batch}`.execute(db);
      if (rows.rows.length === 0) {
        break;
      }
      await db.transaction().execute(async (tx) => {
        for (const row of rows.rows) {
          const changes: Record<string, string> = {};
          for (const field of fields) {
            const stored = row[field.name] ?? null;
            if (stored === null) {
              continue;
            }
            const plain = keyring.decrypt(stored);
            if (!keyring.isCurrent(stored)) {
              changes[field.name] = keyring.encrypt(plain);
            }
            const index = field.blindIndex;
            if (index !== undefined && row[index] !== keyring.blindIndex(plain)) {
              changes[index] = keyring.blindIndex(plain);
            }
          }
          if (Object.keys(changes).length > 0) {
            const sets = Object.entries(changes).map(
              ([column, value]) => sql`${sql.ref(column)} = ${value}`,
            );
            await sql`UPDATE ${sql.table(entity.table)} SET ${sql.join(sets)}
              WHERE id = ${row.id}::uuid`.execute(tx);
            rewritten += 1;
          }
        }
      });
      after = rows.rows[rows.rows.length - 1]?.id ?? null;
    }
    counts.set(entity.name, rewritten);
  }
  return counts;
}
