/**
 * Rate limits per client address and per user, in fixed one-minute windows
 * (C-SEC-5), answered with 429 and `Retry-After`.
 *
 * The counters live in Redis when `REDIS_URL` is set, else in PostgreSQL
 * (the UNLOGGED table `auth_rate_limits`: counters need no crash safety, and
 * an unlogged table writes no WAL), so every process and replica shares
 * them; nothing is counted in process. Keys are keyed hashes (HMAC-SHA256
 * under SECRET_KEY): no address or user id is stored in the clear. Both
 * counters of a request cost one round trip, before the route runs, so a
 * request answered 429 or with an error counts all the same. In PostgreSQL
 * that round trip also finds the live session behind the cookie, which the
 * routes then take as it is: a signed-in read sends one statement before
 * its own. Health probes
 * are never limited. When PostgreSQL cannot be reached the request is
 * answered 503 like any database fault; when Redis cannot, the request is
 * let through (and a warning logged): an outage of the counters alone
 * should not take the API down.
 */
import { createHash, createHmac } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import { sql } from "kysely";
import { createClient } from "redis";
import { clientAddress } from "./client.js";
import { type Db, Statements } from "./db.js";
import { Problem } from "./problems.js";
import { liveSession, rememberSession } from "./security/principal.js";
import {
  IDLE_TIMEOUT_MS,
  type LiveSession,
  SESSION_COOKIE,
  tokenHash,
  touchIfDue,
} from "./security/sessions.js";

/** The length of a window. */
export const WINDOW_SECONDS = 60;

/** Paths never limited: the probes. */
const EXEMPT = new Set(["/healthz", "/readyz"]);

/** How many client addresses' counter keys a process keeps before it starts over. */
const CLIENT_KEYS_KEPT = 10_000;

/** What a throttled client is told. */
export const TOO_MANY = "Too many requests; try again later.";

/** The stored key of a counter: a keyed hash of what it counts. */
export function counterKey(secret: string, what: string): string {
  return createHmac("sha256", secret).update(`rate-limit:${what}`).digest("hex");
}

/**
 * HMAC-SHA256's inner and outer pads of a key, so SQL can compute
 * `counterKey` of a user it finds (RFC 2104: the key, hashed when longer
 * than a block, padded to 64 bytes, XORed with 0x36 and 0x5c).
 */
export function hmacPads(secret: string): [Buffer, Buffer] {
  const raw = Buffer.from(secret, "utf8");
  const key = Buffer.alloc(64);
  (raw.length > 64 ? createHash("sha256").update(raw).digest() : raw).copy(key);
  return [Buffer.from(key.map((b) => b ^ 0x36)), Buffer.from(key.map((b) => b ^ 0x5c))];
}

/** A request's counts (the client's, then its user's when counted) and the live session found. */
export interface CountedCaller {
  readonly hits: number[];
  readonly caller: { readonly session: LiveSession; readonly lastSeenAt: Date } | null;
}

/** A row of the count that also finds the caller's session. */
interface CountedRow {
  key: string;
  hits: number;
  id: string | null;
  csrf_token: string | null;
  last_seen_at: Date | null;
  user_id: string | null;
  email: string | null;
  role: string | null;
}

/** Where the counters live. */
export interface Counters {
  /**
   * Counts one request against each of `keys` in the window that starts at
   * `windowStart`; returns each key's hits in that window so far, in order,
   * or `null` when the counters cannot be reached and the request may go on.
   */
  hit(keys: readonly string[], windowStart: Date): Promise<number[] | null>;
  /**
   * Counts the client and, when the session of `token` is live, its user,
   * in one round trip, and returns that session with the counts. Only a
   * store that can find sessions has it (PostgreSQL).
   */
  hitWithCaller?(clientKey: string, token: string, windowStart: Date): Promise<CountedCaller>;
  /** Settles when the counters can count, or when they gave up trying for now. */
  ready(): Promise<void>;
  /** Lets go of the connection, if the counters hold one of their own. */
  close(): Promise<void>;
}

/**
 * Counters in `auth_rate_limits`: one statement counts every key. The first
 * hit of a window also deletes up to a thousand counters of windows that
 * are over (rows another request holds are skipped), so the table keeps
 * about one window's worth.
 */
export function postgresCounters(db: Db, secretKey: string): Counters {
  const [inner, outer] = hmacPads(secretKey);
  const statements = new Statements();
  return {
    async hit(keys, windowStart) {
      const counted = await db.executeQuery(
        statements.get<{ key: string; hits: number }>(
          db,
          "count",
          [windowStart.toISOString(), keys],
          (window, counting) => sql`
        INSERT INTO auth_rate_limits (key, window_start, hits)
        SELECT key, ${window}::timestamptz, 1 FROM unnest(${counting}::text[]) AS key
        ON CONFLICT (key, window_start) DO UPDATE SET hits = auth_rate_limits.hits + 1
        RETURNING key, hits`,
        ),
      );
      const hits = new Map(counted.rows.map((row) => [row.key, row.hits]));
      if (counted.rows.some((row) => row.hits === 1)) {
        await purgeWindowsBefore(db, windowStart);
      }
      return keys.map((key) => hits.get(key) ?? 0);
    },
    async hitWithCaller(clientKey, token, windowStart) {
      const now = Date.now();
      const args = [
        tokenHash(token),
        new Date(now).toISOString(),
        new Date(now - IDLE_TIMEOUT_MS).toISOString(),
        clientKey,
        outer,
        inner,
        windowStart.toISOString(),
      ];
      // `caller` is read once (PostgreSQL materializes a CTE named twice),
      // so the counts and the session agree.
      const counted = await db.executeQuery(
        statements.get<CountedRow>(
          db,
          "count-with-caller",
          args,
          (hash, at, idleSince, client, outerPad, innerPad, window) => sql`
        WITH caller AS (
          SELECT s.id, s.csrf_token, s.last_seen_at, s.user_id, u.email, u.role
          FROM auth_sessions AS s JOIN auth_users AS u ON u.id = s.user_id
          WHERE s.token_hash = ${hash}
            AND s.expires_at > ${at}::timestamptz
            AND s.last_seen_at > ${idleSince}::timestamptz
        ),
        counted AS (
          SELECT ${client}::text AS key
          UNION ALL
          SELECT encode(sha256(${outerPad}::bytea || sha256(${innerPad}::bytea
            || convert_to('rate-limit:user:' || user_id::text, 'UTF8'))), 'hex')
          FROM caller
        ),
        hits AS (
          INSERT INTO auth_rate_limits (key, window_start, hits)
          SELECT key, ${window}::timestamptz, 1 FROM counted
          ON CONFLICT (key, window_start) DO UPDATE SET hits = auth_rate_limits.hits + 1
          RETURNING key, hits
        )
        SELECT hits.key, hits.hits, caller.id, caller.csrf_token, caller.last_seen_at,
          caller.user_id::text AS user_id, caller.email, caller.role
        FROM hits LEFT JOIN caller ON true`,
        ),
      );
      if (counted.rows.some((row) => row.hits === 1)) {
        await purgeWindowsBefore(db, windowStart);
      }
      const client = counted.rows.find((row) => row.key === clientKey);
      const user = counted.rows.find((row) => row.key !== clientKey);
      const found = counted.rows[0];
      const caller =
        found === undefined || found.id === null || found.last_seen_at === null
          ? null
          : {
              session: {
                id: found.id,
                csrfToken: found.csrf_token ?? "",
                userId: found.user_id ?? "",
                email: found.email ?? "",
                role: found.role ?? "",
              },
              lastSeenAt: found.last_seen_at,
            };
      const hits = [client?.hits ?? 0];
      if (caller !== null) {
        hits.push(user?.hits ?? 0);
      }
      return { hits, caller };
    },
    async ready() {
      // The app's pool connects on demand.
    },
    async close() {
      // The app's pool is closed with the app.
    },
  };
}

/** Deletes up to a thousand counters of windows that started before `start`; returns how many. */
export async function purgeWindowsBefore(db: Db, start: Date): Promise<number> {
  const deleted = await sql`
    DELETE FROM auth_rate_limits WHERE (key, window_start) IN (
      SELECT key, window_start FROM auth_rate_limits WHERE window_start < ${start}::timestamptz
      LIMIT 1000 FOR UPDATE SKIP LOCKED)`.execute(db);
  return Number(deleted.numAffectedRows ?? 0);
}

/**
 * Increments every key and sets a fresh key to expire after the window
 * (ARGV[1] seconds), so Redis deletes what is over by itself.
 */
const INCREMENT = `
local hits = {}
for i, key in ipairs(KEYS) do
  hits[i] = redis.call('INCR', key)
  if hits[i] == 1 then
    redis.call('EXPIRE', key, ARGV[1])
  end
end
return hits`;

/** How long a Redis has to connect, and to answer a command. */
const CONNECT_MS = 2000;

/**
 * Counters in one Redis (not a cluster: a request's keys are counted by one
 * script call). Commands are not queued while Redis is unreachable: they
 * fail at once, the request goes on, and the client keeps reconnecting.
 */
export function redisCounters(url: string, log: FastifyBaseLogger): Counters {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_MS,
      socketTimeout: CONNECT_MS,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000),
    },
  });
  let lastWarning = 0;
  /** One warning per minute at most, however many requests meet the outage. */
  const warn = (error: unknown): void => {
    if (Date.now() - lastWarning >= WINDOW_SECONDS * 1000) {
      lastWarning = Date.now();
      log.warn({ err: error }, "rate limit counters unavailable; requests let through");
    }
  };
  client.on("error", warn);
  const settled = new Promise<void>((resolve) => {
    client.once("ready", resolve);
    client.once("error", resolve);
    setTimeout(resolve, CONNECT_MS).unref();
  });
  const connecting = client.connect().catch(warn);
  return {
    async hit(keys, windowStart) {
      const window = String(Math.floor(windowStart.getTime() / 1000));
      try {
        const hits = await client.eval(INCREMENT, {
          keys: keys.map((key) => `ratelimit:${key}:${window}`),
          arguments: [String(WINDOW_SECONDS + 5)],
        });
        return Array.isArray(hits) ? hits.map(Number) : null;
      } catch (error) {
        warn(error);
        return null;
      }
    },
    async ready() {
      // A Redis that refuses, or does not answer within the connect timeout,
      // is counted out until it does: the app starts all the same.
      await settled;
    },
    async close() {
      if (client.isOpen) {
        // Also ends a connection attempt still under way.
        client.destroy();
      }
      await connecting;
    },
  };
}

/** Counts every request but the probes, and answers 429 past a limit. */
export function registerRateLimits(app: FastifyInstance): void {
  const { secretKey, rateLimitClient, rateLimitUser, redisUrl } = app.config;
  const counters =
    redisUrl === undefined ? postgresCounters(app.db, secretKey) : redisCounters(redisUrl, app.log);
  app.addHook("onReady", async () => {
    await counters.ready();
  });
  app.addHook("onClose", async () => {
    await counters.close();
  });

  // The counter key of each client address seen lately, so a request
  // computes no HMAC of its own (that cost as much as the rest of the
  // count's work in the process). The keys stay in memory only.
  const clientKeys = new Map<string, string>();
  const clientKeyOf = (address: string): string => {
    let key = clientKeys.get(address);
    if (key === undefined) {
      if (clientKeys.size >= CLIENT_KEYS_KEPT) {
        clientKeys.clear();
      }
      key = counterKey(secretKey, `client:${address}`);
      clientKeys.set(address, key);
    }
    return key;
  };

  const count = async (request: FastifyRequest): Promise<void> => {
    const path = request.url.split("?")[0] ?? "";
    if (EXEMPT.has(path)) {
      return;
    }
    const now = Date.now();
    const windowMs = WINDOW_SECONDS * 1000;
    const windowStart = new Date(now - (now % windowMs));
    const clientKey = clientKeyOf(clientAddress(request, app.trustedProxies));
    const limits = [rateLimitClient, rateLimitUser];
    const token = request.cookies[SESSION_COOKIE];
    let hits: number[] | null;
    if (counters.hitWithCaller !== undefined && token !== undefined && token !== "") {
      // One round trip: the counts and the session. One the count did not
      // find (expired, to be deleted) the routes look up themselves.
      const counted = await counters.hitWithCaller(clientKey, token, windowStart);
      if (counted.caller !== null) {
        await touchIfDue(app.db, counted.caller.session.id, counted.caller.lastSeenAt, now);
        rememberSession(request, counted.caller.session);
      }
      hits = counted.hits;
    } else {
      const keys = [clientKey];
      const session = await liveSession(request);
      if (session !== null) {
        keys.push(counterKey(secretKey, `user:${session.userId}`));
      }
      hits = await counters.hit(keys, windowStart);
    }
    if (hits?.some((count, i) => count > (limits[i] ?? Infinity)) === true) {
      const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now) / 1000));
      throw new Problem(429, TOO_MANY, undefined, { "retry-after": String(retryAfter) });
    }
  };
  app.addHook("onRequest", count);
}
