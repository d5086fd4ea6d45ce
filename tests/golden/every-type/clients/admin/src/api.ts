/**
 * The API, as the admin app calls it: same origin, the browser's cookie
 * session (`credentials: "include"`), the `X-CSRF-Token` header from the
 * `csrf_token` cookie on every state-changing call, and RFC 9457 problems
 * as `ApiError` (with field errors).
 */

import { AUTH } from "./model";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The cookie the API keeps the session's CSRF token in. */
export const CSRF_COOKIE = "csrf_token";

/** The header the API wants it back in. */
export const CSRF_HEADER = "X-CSRF-Token";

/** An error answer: the status, the problem's title and detail, field name to message. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: Readonly<Record<string, string>>;

  constructor(status: number, title: string, detail?: string, errors: Record<string, string> = {}) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = "ApiError";
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
  }
}

/** A page of a list. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** A row as the API answers it. */
export type Row = Record<string, unknown> & { id: string };

/** The signed-in account. */
export interface Account {
  user_id: string;
  email: string;
  role: string;
}

function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) {
      return decodeURIComponent(rest.join("="));
    }
  }
  return undefined;
}

async function problem(response: Response): Promise<ApiError> {
  const fallback = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as {
      title?: unknown;
      detail?: unknown;
      errors?: unknown;
    };
    return new ApiError(
      response.status,
      typeof body.title === "string" ? body.title : fallback,
      typeof body.detail === "string" ? body.detail : undefined,
      typeof body.errors === "object" && body.errors !== null ? (body.errors as Record<string, string>) : {},
    );
  } catch {
    return new ApiError(response.status, fallback);
  }
}

/** What `JSON.parse` tells a reviver beside the value (ES2025): its source text. */
interface ReviverContext {
  source?: string;
}

/** A whole number past 2^53 as a `bigint`, to the digit (the browser's `JSON.parse` rounds it). */
function exactWhole(_key: string, value: unknown, context?: ReviverContext): unknown {
  const source = context?.source;
  return typeof value === "number" && !Number.isSafeInteger(value) && source !== undefined && /^-?[0-9]+$/.test(source)
    ? BigInt(source)
    : value;
}

/** `JSON.rawJSON` where the browser has it (ES2025): a number written as its exact text. */
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

/** A value as JSON text, a `bigint` written as its digits (`JSON.stringify` alone throws on one). */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key: string, v: unknown) => (typeof v === "bigint" ? (rawJSON ? rawJSON(v.toString()) : v.toString()) : v),
    indent,
  );
}

/** What to do when a call meets 401: the session ended (timed out, revoked, or the account erased). */
let sessionEnded: (() => void) | undefined;

/** Sets what happens when a signed-in call (not the sign-in, sign-out or `me`) meets 401 (`undefined`: nothing). */
export function whenSessionEnds(handler: (() => void) | undefined): void {
  sessionEnded = handler;
}

/** Calls the API; throws `ApiError` on an error answer, returns `undefined` on 204. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  const csrf = cookie(CSRF_COOKIE);
  if (STATE_CHANGING.has(method) && csrf) {
    headers[CSRF_HEADER] = csrf;
  }
  const response = await fetch(path, {
    method,
    headers,
    credentials: "include",
    body: body === undefined ? null : jsonText(body),
  });
  if (!response.ok) {
    if (response.status === 401 && path !== AUTH.login && path !== AUTH.me && path !== AUTH.logout) {
      sessionEnded?.();
    }
    throw await problem(response);
  }
  if (response.status === 204) {
    return undefined as T;
  }
  return JSON.parse(await response.text(), exactWhole) as T;
}
