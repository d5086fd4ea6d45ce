/**
 * Password hashing with argon2id and the password policy (NIST SP 800-63B):
 * no composition rules and no forced rotation; a password is long enough,
 * is not the account's email and is not a commonly used password.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hash, verify } from "@node-rs/argon2";
import { PROJECT_ROOT } from "../paths.js";

export const MIN_LENGTH = 12;
export const MAX_LENGTH = 128;

/** The shipped list of commonly used passwords, lowercased. */
const COMMON = new Set(
  readFileSync(join(PROJECT_ROOT, "src", "security", "common_passwords.txt"), "utf8")
    .split("\n")
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line !== ""),
);

/** An argon2id hash of the password (the library's default algorithm and costs). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verified against when the email is unknown, so both cases cost the same time.
const DUMMY_HASH = hashPassword("not a password anyone has");

/** Whether the password matches the hash (`null`: an unknown account, never a match). */
export async function verifyPassword(
  passwordHash: string | null,
  password: string,
): Promise<boolean> {
  try {
    const matches = await verify(passwordHash ?? (await DUMMY_HASH), password);
    return matches && passwordHash !== null;
  } catch {
    return false;
  }
}

/** Why the password breaks the policy, or `null` when it meets it. */
export function policyError(password: string, email: string): string | null {
  // Characters, not UTF-16 code units.
  const length = Array.from(password).length;
  if (length < MIN_LENGTH) {
    return `must be at least ${String(MIN_LENGTH)} characters long`;
  }
  if (length > MAX_LENGTH) {
    return `must be at most ${String(MAX_LENGTH)} characters long`;
  }
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) {
    return "must not be the email address";
  }
  if (COMMON.has(password.toLowerCase())) {
    return "is too common; choose another";
  }
  return null;
}
