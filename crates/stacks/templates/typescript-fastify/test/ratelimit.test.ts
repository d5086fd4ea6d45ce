import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { createClient } from "redis";
import { BASE_PATH } from "../src/base.js";
import { PROBLEM_JSON } from "../src/problems.js";
import { counterKey, hmacPads, WINDOW_SECONDS } from "../src/ratelimit.js";
import { ROLES } from "../src/services/users.js";
import { testApp } from "./helpers.js";
import { signIn } from "./rows.js";
import { freePort, hasRedisServer, type RunningRedis, startRedis } from "./servers.js";

/** Waits for the next window when the current one ends within 5 s, so a test's requests share one. */
async function roomInWindow(): Promise<void> {
  const left = WINDOW_SECONDS * 1000 - (Date.now() % (WINDOW_SECONDS * 1000));
  if (left < 5000) {
    await new Promise((resolve) => setTimeout(resolve, left + 100));
  }
}

/** A Redis to count in: a `redis-server` of the suite's own, else REDIS_URL's. */
const REDIS_AT_HAND = hasRedisServer() || (process.env.REDIS_URL ?? "") !== "";

/** A request from `address` (a fresh one per test keeps the windows apart). */
const from = (app: FastifyInstance, address: string, headers: Record<string, string> = {}) =>
  app.inject({ method: "GET", url: `${BASE_PATH}/auth/me`, remoteAddress: address, headers });

describe.each(["postgres", "redis"] as const)("rate limits counted in %s", (store) => {
  // Two apps (as two processes or replicas would be) on one store and one
  // SECRET_KEY, each test from its own client address so the tests do not meet.
  const secret = `rate-limit-test-secret-${randomUUID()}`;
  const skipped = store === "redis" && !REDIS_AT_HAND;
  let redis: RunningRedis | undefined;
  let redisUrl = "";
  let apps: FastifyInstance[] = [];
  beforeAll(async () => {
    if (skipped) {
      return;
    }
    if (store === "redis") {
      redis = hasRedisServer() ? await startRedis() : undefined;
      redisUrl = redis?.url ?? process.env.REDIS_URL ?? "";
    }
    const limits = {
      SECRET_KEY: secret,
      RATE_LIMIT_CLIENT: "4",
      RATE_LIMIT_USER: "3",
      ...(redisUrl === "" ? {} : { REDIS_URL: redisUrl }),
    };
    apps = [await testApp(limits), await testApp(limits)];
  });
  afterAll(async () => {
    for (const app of apps) {
      await app.close();
    }
    await redis?.stop();
  });
  /** The first app, and the second. */
  const app = (which: 0 | 1): FastifyInstance => {
    const found = apps[which];
    if (found === undefined) {
      throw new Error("the apps did not start");
    }
    return found;
  };

  describe.skipIf(skipped)("with the store at hand", () => {
    it("answers 429 with Retry-After past the client limit, counted across processes", async () => {
      await roomInWindow();
      const address = "192.0.2.10";
      const statuses = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await from(app(i % 2 === 0 ? 0 : 1), address)).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 401]);
      const limited = await from(app(0), address);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers["content-type"]).toContain(PROBLEM_JSON);
      const retryAfter = Number(limited.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Another address is not limited.
      expect((await from(app(1), "192.0.2.11")).statusCode).toBe(401);
    });

    it("never limits the probes", async () => {
      for (let i = 0; i < 8; i += 1) {
        const response = await app(0).inject({
          method: "GET",
          url: "/healthz",
          remoteAddress: "192.0.2.20",
        });
        expect(response.statusCode).toBe(200);
      }
    });

    it("limits a user across addresses", async () => {
      const user = await signIn(app(0), ROLES[0] ?? "");
      await roomInWindow();
      const statuses = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await from(app(0), `198.51.100.${String(i + 1)}`, user.headers)).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    });

    it.skipIf(store !== "postgres")(
      "counts a signed-in caller's user under the key the app computes, as it finds the session",
      async () => {
        const user = await signIn(app(1), ROLES[0] ?? "");
        expect((await from(app(1), "198.51.100.40", user.headers)).statusCode).toBe(200);
        const key = counterKey(secret, `user:${user.id}`);
        const { db } = app(1);
        const counted = await sql<{ hits: number }>`
          SELECT sum(hits)::int AS hits FROM auth_rate_limits WHERE key = ${key}`.execute(db);
        expect(counted.rows[0]?.hits).toBe(1);
      },
    );

    it.skipIf(store !== "postgres")("computes the keyed hash in SQL as the app does", async () => {
      for (const key of ["short", "k".repeat(64), "a much longer secret ".repeat(8)]) {
        const [inner, outer] = hmacPads(key);
        const found = await sql<{ hash: string }>`
          SELECT encode(sha256(${outer}::bytea || sha256(${inner}::bytea
            || convert_to('rate-limit:user:x', 'UTF8'))), 'hex') AS hash`.execute(app(0).db);
        expect(found.rows[0]?.hash).toBe(counterKey(key, "user:x"));
      }
    });

    it("keeps only what is counted, not who, and lets what is over go", async () => {
      await from(app(0), "192.0.2.30");
      if (store === "postgres") {
        const stale = new Date(Date.now() - 10 * WINDOW_SECONDS * 1000);
        await sql`INSERT INTO auth_rate_limits (key, window_start, hits)
          VALUES ('stale-window', ${stale}::timestamptz, 1)`.execute(app(0).db);
        // A key's first hit in a window deletes the windows that are over.
        await from(app(0), "192.0.2.31");
        const rows = await sql<{ key: string }>`SELECT key FROM auth_rate_limits`.execute(
          app(0).db,
        );
        expect(rows.rows.map((row) => row.key)).not.toContain("stale-window");
        expect(rows.rows.every((row) => /^[0-9a-f]{64}$/.test(row.key))).toBe(true);
        return;
      }
      const client = createClient({ url: redisUrl });
      await client.connect();
      try {
        const keys = await client.keys("ratelimit:*");
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) {
          expect(key).toMatch(/^ratelimit:[0-9a-f]{64}:\d+$/);
          const ttl = await client.ttl(key);
          expect(ttl).toBeGreaterThan(0);
          expect(ttl).toBeLessThanOrEqual(WINDOW_SECONDS + 5);
        }
      } finally {
        client.destroy();
      }
    });
  });
});

describe("rate limits without their Redis", () => {
  it("let requests through when Redis cannot be reached", async () => {
    // Nothing listens on a port just found free.
    const url = `redis://127.0.0.1:${String(await freePort())}/0`;
    const app = await testApp({ REDIS_URL: url, RATE_LIMIT_CLIENT: "1", RATE_LIMIT_USER: "1" });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push((await from(app, "192.0.2.40")).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401]);
    } finally {
      await app.close();
    }
  });
});
