/** Accounts: creating users, changing roles, finding them. */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../database.js";
import { hashPassword, policyError } from "../security/passwords.js";

/** Every role, in spec order. */
export const ROLES: readonly string[] = ["member", "manager", "admin"];

/** Roles a visitor may sign up for, in spec order (the first is the default). */
export const SIGNUP_ROLES: readonly string[] = ["member"];

/** Why an account could not be created or changed, by field. */
export class AccountError extends Error {
  constructor(readonly errors: Readonly<Record<string, string>>) {
    super(
      Object.entries(errors)
        .map(([field, why]) => `${field} ${why}`)
        .join("; "),
    );
    this.name = "AccountError";
  }
}

/** The account a row stands for. */
export interface Account {
  readonly id: string;
  readonly email: string;
  readonly role: string;
  readonly passwordHash: string;
}

/** Emails compare without case and surrounding spaces. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The account with this email, if any. */
export async function findByEmail(db: Kysely<Database>, email: string): Promise<Account | null> {
  const row = await db
    .selectFrom("auth_users")
    .select(["id", "email", "role", "password_hash"])
    .where("email", "=", normalizeEmail(email))
    .executeTakeFirst();
  return row === undefined
    ? null
    : { id: row.id, email: row.email, role: row.role, passwordHash: row.password_hash };
}

/** Checks an account's role and password, throwing an {@link AccountError}. */
function check(email: string, password: string, role: string): void {
  const errors: Record<string, string> = {};
  if (!ROLES.includes(role)) {
    errors.role = `must be one of: ${ROLES.join(", ")}`;
  }
  const reason = policyError(password, email);
  if (reason !== null) {
    errors.password = reason;
  }
  if (Object.keys(errors).length > 0) {
    throw new AccountError(errors);
  }
}

/**
 * Adds an account; the password must meet the policy. A taken email is the
 * database's unique violation (`23505`), for the caller to answer.
 */
export async function createUser(
  db: Kysely<Database>,
  email: string,
  password: string,
  role: string,
): Promise<Account> {
  check(email, password, role);
  const account = {
    id: randomUUID(),
    email: normalizeEmail(email),
    role,
    passwordHash: await hashPassword(password),
  };
  await db
    .insertInto("auth_users")
    .values({
      id: account.id,
      email: account.email,
      role: account.role,
      password_hash: account.passwordHash,
    })
    .execute();
  return account;
}

/** Changes an account's role, leaving its password alone. */
export async function setRole(db: Kysely<Database>, userId: string, role: string): Promise<void> {
  if (!ROLES.includes(role)) {
    throw new AccountError({ role: `must be one of: ${ROLES.join(", ")}` });
  }
  await db
    .updateTable("auth_users")
    .set({ role, updated_at: new Date() })
    .where("id", "=", userId)
    .execute();
}

/** Whether an error is PostgreSQL's unique violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "23505";
}
