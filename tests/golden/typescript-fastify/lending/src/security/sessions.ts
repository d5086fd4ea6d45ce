/** Server-side sessions: an opaque random token in a cookie, only its hash stored. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db.js";

export const IDLE_TIMEOUT_MS = 15 * 60_000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 3_600_000;
/** A session's activity is written at most this often: a read within it writes nothing. */
export const TOUCH_INTERVAL_MS = 60_000;

export const SESSION_COOKIE = "session";
export const CSRF_COOKIE = "csrf_token";

/** A session just started: the token for the cookie and its CSRF token. */
export interface NewSession {
  readonly token: string;
  readonly csrfToken: string;
}

/** A live session and the account behind it. */
export interface LiveSession {
  readonly id: string;
  readonly csrfToken: string;
  readonly userId: string;
  readonly email: string;
  readonly role: string;
}

/** The SHA-256 hash under which a session token is stored. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Starts a new session for the user (a new token at every login). */
export async function startSession(db: Db, userId: string): Promise<NewSession> {
  const token = newToken();
  const csrfToken = newToken();
  const now = new Date();
  await db
    .insertInto("auth_sessions")
    .values({
      id: randomUUID(),
      user_id: userId,
      token_hash: tokenHash(token),
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS),
    })
    .execute();
  return { token, csrfToken };
}

/**
 * The live session with this token and its user; `null` when there is none
 * or it expired (then it is deleted). Its `last_seen_at` is written when it
 * is older than `TOUCH_INTERVAL_MS`, so the idle timeout holds to within a
 * minute and most requests write nothing.
 */
export async function findLive(db: Db, token: string): Promise<LiveSession | null> {
  const row = await db
    .selectFrom("auth_sessions as s")
    .innerJoin("auth_users as u", "u.id", "s.user_id")
    .select([
      "s.id",
      "s.csrf_token",
      "s.last_seen_at",
      "s.expires_at",
      "u.id as user_id",
      "u.email",
      "u.role",
    ])
    .where("s.token_hash", "=", tokenHash(token))
    .executeTakeFirst();
  if (row === undefined) {
    return null;
  }
  const now = Date.now();
  if (now >= row.expires_at.getTime() || now >= row.last_seen_at.getTime() + IDLE_TIMEOUT_MS) {
    await db.deleteFrom("auth_sessions").where("id", "=", row.id).execute();
    return null;
  }
  await touchIfDue(db, row.id, row.last_seen_at, now);
  return {
    id: row.id,
    csrfToken: row.csrf_token,
    userId: row.user_id,
    email: row.email,
    role: row.role,
  };
}

/** Writes a live session's `last_seen_at` when it is `TOUCH_INTERVAL_MS` old. */
export async function touchIfDue(db: Db, id: string, lastSeenAt: Date, now: number): Promise<void> {
  if (now - lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    await db
      .updateTable("auth_sessions")
      .set({ last_seen_at: new Date(now) })
      .where("id", "=", id)
      .execute();
  }
}

/** Ends the session with this token, if any. */
export async function revokeSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom("auth_sessions").where("token_hash", "=", tokenHash(token)).execute();
}

/** Ends every session of the user (a password reset signs them out everywhere). */
export async function revokeAllSessions(db: Db, userId: string): Promise<void> {
  await db.deleteFrom("auth_sessions").where("user_id", "=", userId).execute();
}
