/**
 * Rate limits per client address and per user, in fixed one-minute windows
 * (C-SEC-5), answered with 429 and `Retry-After`.
 *
 * The counters live in PostgreSQL (the UNLOGGED table `auth_rate_limits`:
 * counters need no crash safety, and an unlogged table writes no WAL), so
 * every process and replica shares them; nothing is counted in process.
 * Keys are keyed hashes (HMAC-SHA256 under SECRET_KEY): no address or user
 * id is stored in the clear. Both counters of a request cost one statement,
 * before the route runs, so a request answered 429 or with an error counts
 * all the same. Health probes are never limited. When the counters cannot
 * be reached the request is answered 503 like any database fault.
 */
import { createHmac } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { sql } from "kysely";
import { clientAddress } from "./client.js";
import { Problem } from "./problems.js";
import { liveSession } from "./security/principal.js";

/** The length of a window. */
export const WINDOW_SECONDS = 60;

/** Paths never limited: the probes. */
const EXEMPT = new Set(["/healthz", "/readyz"]);

/** What a throttled client is told. */
export const TOO_MANY = "Too many requests; try again later.";

/** The stored key of a counter: a keyed hash of what it counts. */
export function counterKey(secret: string, what: string): string {
  return createHmac("sha256", secret).update(`rate-limit:${what}`).digest("hex");
}

/** Counts every request but the probes, and answers 429 past a limit. */
export function registerRateLimits(app: FastifyInstance): void {
  const { secretKey, rateLimitClient, rateLimitUser } = app.config;

  const count = async (request: FastifyRequest): Promise<void> => {
    const path = request.url.split("?")[0] ?? "";
    if (EXEMPT.has(path)) {
      return;
    }
    const now = Date.now();
    const windowMs = WINDOW_SECONDS * 1000;
    const windowStart = new Date(now - (now % windowMs));
    const limits = new Map<string, number>([
      [
        counterKey(secretKey, `client:${clientAddress(request, app.trustedProxies)}`),
        rateLimitClient,
      ],
    ]);
    const session = await liveSession(request);
    if (session !== null) {
      limits.set(counterKey(secretKey, `user:${session.userId}`), rateLimitUser);
    }
    const keys = [...limits.keys()];
    const counted = await sql<{ key: string; hits: number }>`
      INSERT INTO auth_rate_limits (key, window_start, hits)
      SELECT key, ${windowStart}::timestamptz, 1 FROM unnest(${keys}::text[]) AS key
      ON CONFLICT (key, window_start) DO UPDATE SET hits = auth_rate_limits.hits + 1
      RETURNING key, hits`.execute(app.db);
    if (counted.rows.some((row) => row.hits > (limits.get(row.key) ?? Infinity))) {
      const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now) / 1000));
      throw new Problem(429, TOO_MANY, undefined, { "retry-after": String(retryAfter) });
    }
  };
  app.addHook("onRequest", count);
}
