import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { AUDIT_RETENTION_DAYS, ENTITIES } from "../src/entities/model.js";
import { purge, retention, retentionLines, rotate } from "../src/maintenance.js";
import { Keyring } from "../src/security/crypto.js";
import { ADMIN_ROLES } from "../src/security/principal.js";
import { TEST_ENCRYPTION_KEY, TEST_SECRET_KEY, testApp } from "./helpers.js";
import {
  type Caller,
  createRow,
  emptyEntityTables,
  makeRoom,
  rowLimit,
  send,
  signIn,
} from "./rows.js";

const RETAINED = ENTITIES.filter((entity) => entity.retention !== null);
const ENCRYPTED = ENTITIES.filter((entity) => entity.fields.some((field) => field.encrypted));

describe.skipIf(ADMIN_ROLES.length === 0)("make retention and make rotate-keys", () => {
  let app: FastifyInstance;
  let admin: Caller;
  beforeAll(async () => {
    app = await testApp();
    await emptyEntityTables(app);
    admin = await signIn(app, ADMIN_ROLES[0] ?? "");
  });
  afterAll(async () => {
    // Rows re-encrypted under other keys stay out of the other files' way.
    await emptyEntityTables(app);
    await app.close();
  });

  /** The `retention_purge` events so far, oldest first. */
  const purgeEvents = async () =>
    (
      await sql<{ fields: string[] | null }>`
        SELECT fields FROM audit_events WHERE action = 'retention_purge' ORDER BY seq`.execute(
        app.db,
      )
    ).rows;

  /** An audit event dated `days` ago (inserting is allowed, changing is not): its id. */
  const oldEvent = async (days: number): Promise<string> => {
    const id = randomUUID();
    await sql`INSERT INTO audit_events (id, at, action)
      VALUES (${id}::uuid, now() - make_interval(days => ${days}), 'login')`.execute(app.db);
    return id;
  };

  const eventExists = async (id: string): Promise<boolean> =>
    (await sql`SELECT 1 FROM audit_events WHERE id = ${id}::uuid`.execute(app.db)).rows.length > 0;

  it("reports its counts and records one purge event", async () => {
    const before = (await purgeEvents()).length;
    const report = await retention(app.db);
    const lines = retentionLines(report);
    const events = await purgeEvents();
    expect(events).toHaveLength(before + 1);
    for (const entity of RETAINED) {
      expect(lines).toContain(`${entity.name}: 0 deleted`);
      expect(events.at(-1)?.fields).toContain(`${entity.name}:0`);
    }
    expect(lines.at(-2)).toMatch(/^expired idempotency keys: \d+ deleted$/);
  });

  for (const entity of RETAINED) {
    const path = `/${entity.collection}`;
    const title = `deletes ${entity.name} rows older than ${entity.retention ?? ""}, and no others`;
    // Two rows at once: not for an entity whose unique fields allow fewer.
    it.skipIf(rowLimit(entity) < 2)(title, async () => {
      await makeRoom(app, entity);
      const old = await createRow(app, admin, entity);
      const kept = await createRow(app, admin, entity);
      await sql`UPDATE ${sql.table(entity.table)}
        SET created_at = now() - ${entity.retention}::interval - interval '1 day'
        WHERE id = ${old}::uuid`.execute(app.db);
      const counts = await app.db.transaction().execute((tx) => purge(tx));
      expect(counts.get(entity.name)).toBe(1);
      expect((await send(app, admin, "GET", `${path}/${old}`)).statusCode).toBe(404);
      expect((await send(app, admin, "GET", `${path}/${kept}`)).statusCode).toBe(200);
      expect((await purgeEvents()).at(-1)?.fields).toContain(`${entity.name}:1`);
    });
  }

  if (AUDIT_RETENTION_DAYS === null) {
    it("keeps audit events for good without an audit retention", async () => {
      const old = await oldEvent(10_000);
      const counts = await app.db.transaction().execute((tx) => purge(tx));
      expect(counts.has("audit_events")).toBe(false);
      expect(await eventExists(old)).toBe(true);
    });
  } else {
    const days = AUDIT_RETENTION_DAYS;
    it(`purges audit events older than ${String(days)} days, and no others`, async () => {
      const expired = await oldEvent(days + 1);
      const kept = await oldEvent(days - 1);
      // Outside the purge, even an expired event cannot be deleted.
      await expect(
        sql`DELETE FROM audit_events WHERE id = ${expired}::uuid`.execute(app.db),
      ).rejects.toThrow(/append-only/);
      const counts = await app.db.transaction().execute((tx) => purge(tx));
      expect(counts.get("audit_events")).toBeGreaterThanOrEqual(1);
      expect(await eventExists(expired)).toBe(false);
      expect(await eventExists(kept)).toBe(true);
    });
  }

  it("deletes the rate-limit counters of windows that are over", async () => {
    await sql`INSERT INTO auth_rate_limits (key, window_start, hits)
      VALUES ('retention-test', now() - interval '1 hour', 1)`.execute(app.db);
    const report = await retention(app.db);
    expect(report.rateLimitWindows).toBeGreaterThanOrEqual(1);
    const left = await sql`SELECT 1 FROM auth_rate_limits WHERE key = 'retention-test'`.execute(
      app.db,
    );
    expect(left.rows).toHaveLength(0);
  });

  for (const entity of ENCRYPTED) {
    const fields = entity.fields.filter((field) => field.encrypted);
    /** The stored values of the row's encrypted fields and blind indexes. */
    const storedOf = async (id: string): Promise<Record<string, string | null>> => {
      const columns = fields.flatMap((f) =>
        f.blindIndex === undefined ? [f.name] : [f.name, f.blindIndex],
      );
      const found = await sql<Record<string, string | null>>`
        SELECT ${sql.join(columns.map((column) => sql.ref(column)))}
        FROM ${sql.table(entity.table)} WHERE id = ${id}::uuid`.execute(app.db);
      const row = found.rows[0];
      if (row === undefined) {
        throw new Error(`no ${entity.name} ${id}`);
      }
      return row;
    };

    it(`re-encrypts ${entity.name} under the newest key, and reads it back`, async () => {
      await makeRoom(app, entity);
      const id = await createRow(app, admin, entity);
      const shown = (await send(app, admin, "GET", `/${entity.collection}/${id}`)).json<object>();
      const oldKey = Buffer.from(TEST_ENCRYPTION_KEY, "base64url");
      const newKey = randomBytes(32);
      const rotated = new Keyring([newKey, oldKey], TEST_SECRET_KEY);
      const counts = await rotate(app.db, rotated, 1);
      expect(counts.get(entity.name)).toBeGreaterThanOrEqual(1);
      const stored = await storedOf(id);
      // The samples fill every field.
      const values = fields.map((field) => stored[field.name] ?? null);
      expect(values).not.toContain(null);
      for (const value of values) {
        expect(rotated.isCurrent(value ?? "")).toBe(true);
        expect(new Keyring([oldKey], TEST_SECRET_KEY).isCurrent(value ?? "")).toBe(false);
      }
      // Nothing is left to rotate; an app with both keys reads the row as before.
      expect((await rotate(app.db, rotated)).get(entity.name)).toBe(0);
      const both = await testApp({
        ENCRYPTION_KEYS: `${newKey.toString("base64url")},${TEST_ENCRYPTION_KEY}`,
      });
      try {
        const caller = await signIn(both, ADMIN_ROLES[0] ?? "");
        const read = await send(both, caller, "GET", `/${entity.collection}/${id}`);
        expect(read.statusCode).toBe(200);
        expect(read.json<object>()).toEqual(shown);
      } finally {
        await both.close();
        // Back under the suite's key, for the tests after this one.
        await rotate(app.db, new Keyring([oldKey, newKey], TEST_SECRET_KEY));
      }
    });

    const indexed = fields.filter((field) => field.blindIndex !== undefined);
    if (indexed.length > 0) {
      it(`recomputes ${entity.name}'s blind indexes after a SECRET_KEY change`, async () => {
        await makeRoom(app, entity);
        const id = await createRow(app, admin, entity);
        const before = await storedOf(id);
        const keys = [Buffer.from(TEST_ENCRYPTION_KEY, "base64url")];
        const changed = new Keyring(keys, `${TEST_SECRET_KEY}-changed`);
        expect((await rotate(app.db, changed)).get(entity.name)).toBeGreaterThanOrEqual(1);
        const after = await storedOf(id);
        for (const field of indexed) {
          const index = field.blindIndex ?? "";
          expect(before[index]).toMatch(/^[0-9a-f]{64}$/);
          expect(after[index]).toMatch(/^[0-9a-f]{64}$/);
          expect(after[index]).not.toBe(before[index]);
          expect(after[field.name]).toBe(before[field.name]);
        }
        // Back under the suite's SECRET_KEY, for the tests after this one.
        await rotate(app.db, new Keyring(keys, TEST_SECRET_KEY));
      });
    }
  }
});
