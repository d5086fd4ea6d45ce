/**
 * Signing in: the lockout after repeated failures, and sessions.
 *
 * The lockout counts failed logins per email and client address
 * (5 in 30 minutes lock that email out from that address) and
 * per email across every address (50 lock it out from all of them), so
 * no one can lock a user out from a single machine. The count is atomic:
 * under a transaction-scoped advisory lock on the email, an attempt is
 * decided and, when it may go on, recorded as a failure *before* its
 * password is checked, so however many attempts arrive at once, no more
 * than 5 passwords are checked per email and address in a window. A
 * successful login deletes the email's attempts, for every address.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../db.js";
import { record } from "../audit.js";
import { verifyPassword } from "../security/passwords.js";
import { type Account, findByEmail, normalizeEmail } from "./users.js";

export const MAX_FAILURES = 5;
export const MAX_EMAIL_FAILURES = 50;
export const FAILURE_WINDOW_MS = 30 * 60_000;

/** Too many failed logins for this email; try again after `retryAfter` seconds. */
export class LockedOut extends Error {
  constructor(readonly retryAfter: number) {
    super(`locked out for ${String(retryAfter)} seconds`);
    this.name = "LockedOut";
  }
}

/** Failed logins are counted per email without storing the email. */
export function emailKey(email: string): string {
  return createHash("sha256").update(normalizeEmail(email)).digest("hex");
}

/** ...and per client address, as a keyed hash: no address is stored in the clear. */
export function clientKey(secretKey: string, address: string): string {
  return createHmac("sha256", secretKey).update(`login-client:${address}`).digest("hex");
}

function retryAfter(oldest: Date, now: Date): number {
  return Math.max(1, Math.ceil((oldest.getTime() + FAILURE_WINDOW_MS - now.getTime()) / 1000));
}

/** Seconds of lockout, or `null` after recording the attempt as a failure. */
async function admit(db: Db, key: string, client: string, now: Date): Promise<number | null> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(tx);
    await tx
      .deleteFrom("auth_login_attempts")
      .where("email_key", "=", key)
      .where("attempted_at", "<=", new Date(now.getTime() - FAILURE_WINDOW_MS))
      .execute();
    const rows = await tx
      .selectFrom("auth_login_attempts")
      .select(["client_key", "attempted_at"])
      .where("email_key", "=", key)
      .orderBy("attempted_at")
      .execute();
    const fromClient = rows
      .filter((row) => row.client_key === client)
      .map((row) => row.attempted_at);
    const waits: number[] = [];
    const oldestFromClient = fromClient[fromClient.length - MAX_FAILURES];
    if (fromClient.length >= MAX_FAILURES && oldestFromClient !== undefined) {
      waits.push(retryAfter(oldestFromClient, now));
    }
    const oldest = rows[rows.length - MAX_EMAIL_FAILURES];
    if (rows.length >= MAX_EMAIL_FAILURES && oldest !== undefined) {
      waits.push(retryAfter(oldest.attempted_at, now));
    }
    if (waits.length > 0) {
      return Math.max(...waits);
    }
    await tx
      .insertInto("auth_login_attempts")
      .values({ id: randomUUID(), email_key: key, client_key: client, attempted_at: now })
      .execute();
    return null;
  });
}

/** Who signs in: the address and the request, for the lockout and the audit log. */
export interface Attempt {
  readonly email: string;
  readonly password: string;
  readonly address: string;
  readonly secretKey: string;
  readonly requestId: string;
}

/** The account when the password is right; records failures and enforces the lockout. */
export async function authenticate(db: Db, attempt: Attempt): Promise<Account | null> {
  const key = emailKey(attempt.email);
  const user = await findByEmail(db, attempt.email);
  const actor = user === null ? null : { userId: user.id, role: user.role };
  const wait = await admit(db, key, clientKey(attempt.secretKey, attempt.address), new Date());
  if (wait !== null) {
    // The account is named by id when it exists; an unknown email is never recorded.
    await record(db, "lockout", { actor, requestId: attempt.requestId });
    throw new LockedOut(wait);
  }
  // An unknown email is checked against a dummy hash, so it takes as long.
  const matches = await verifyPassword(user?.passwordHash ?? null, attempt.password);
  if (!matches || user === null) {
    await record(db, "login_failed", { actor, requestId: attempt.requestId });
    return null;
  }
  await db.deleteFrom("auth_login_attempts").where("email_key", "=", key).execute();
  return user;
}
