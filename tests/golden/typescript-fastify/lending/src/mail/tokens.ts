/**
 * Single-use tokens for the verification and password-reset links.
 *
 * A token is 32 random bytes, base64url; only its SHA-256 hash is stored.
 * It is used at most once (consuming it is one atomic UPDATE) and only
 * before it expires: 24 hours for a verification, 30 minutes for a reset.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../db.js";

/** What a token is for. */
export type Purpose = "verify" | "reset";

/** How long a token of each purpose is valid, in milliseconds. */
export const LIFETIMES_MS: Readonly<Record<Purpose, number>> = {
  verify: 24 * 3_600_000,
  reset: 30 * 60_000,
};

/** The SHA-256 hash under which a token is stored. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new token for the user, stored hashed in the transaction `tx`; the caller mails it. */
export async function issue(tx: Db, userId: string, purpose: Purpose): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const issued = new Date();
  await tx
    .insertInto("auth_email_tokens")
    .values({
      id: randomUUID(),
      user_id: userId,
      purpose,
      token_hash: tokenHash(token),
      created_at: issued,
      expires_at: new Date(issued.getTime() + LIFETIMES_MS[purpose]),
      used_at: null,
    })
    .execute();
  return token;
}

/**
 * The user the token was issued to, marking it used; `null` when it is
 * unknown, of another purpose, used or expired.
 */
export async function consume(tx: Db, token: string, purpose: Purpose): Promise<string | null> {
  const used = await sql<{ user_id: string }>`
    UPDATE auth_email_tokens SET used_at = now()
    WHERE token_hash = ${tokenHash(token)} AND purpose = ${purpose}
      AND used_at IS NULL AND expires_at > now()
    RETURNING user_id`.execute(tx);
  return used.rows[0]?.user_id ?? null;
}

/** Marks every unused token of this purpose of the user used. */
export async function revokeAll(tx: Db, userId: string, purpose: Purpose): Promise<void> {
  await tx
    .updateTable("auth_email_tokens")
    .set({ used_at: new Date() })
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .execute();
}
