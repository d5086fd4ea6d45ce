/** Who is calling: the live session behind a request, with the CSRF check. */
import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { forbidden, unauthorized } from "../problems.js";
import { findLive, type LiveSession, SESSION_COOKIE } from "./sessions.js";

/** Roles that may do everything. */
export const ADMIN_ROLES: readonly string[] = ["admin"];

/** Methods that change nothing, so need no CSRF token. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The header a state-changing request carries the session's CSRF token in. */
export const CSRF_HEADER = "x-csrf-token";

/** The signed-in user behind a request. */
export interface Principal {
  readonly userId: string;
  readonly email: string;
  readonly role: string;
  readonly sessionId: string;
}

/** Whether the principal holds an admin role. */
export function isAdmin(principal: Principal): boolean {
  return ADMIN_ROLES.includes(principal.role);
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Each request's live session, looked up once (the rate limiter and the routes share it). */
const sessions = new WeakMap<FastifyRequest, LiveSession | null>();

/** Keeps the live session the rate limiter's count found, so the routes need not look it up. */
export function rememberSession(request: FastifyRequest, session: LiveSession): void {
  sessions.set(request, session);
}

/** The live session of the request's cookie, or `null`: looked up once per request. */
export async function liveSession(request: FastifyRequest): Promise<LiveSession | null> {
  if (sessions.has(request)) {
    return sessions.get(request) ?? null;
  }
  const token = request.cookies[SESSION_COOKIE];
  const found =
    token === undefined || token === "" ? null : await findLive(request.server.db, token);
  sessions.set(request, found);
  return found;
}

/**
 * The caller's live session, or `null`. A state-changing request made with
 * a live session must carry the session's CSRF token in `X-CSRF-Token`
 * (403 otherwise).
 */
export async function optionalPrincipal(request: FastifyRequest): Promise<Principal | null> {
  const found = await liveSession(request);
  if (found === null) {
    return null;
  }
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== "string" || !sameToken(sent, found.csrfToken)) {
      throw forbidden("The X-CSRF-Token header is missing or wrong.");
    }
  }
  return { userId: found.userId, email: found.email, role: found.role, sessionId: found.id };
}

/** The signed-in caller (401 without a live session). */
export async function requirePrincipal(request: FastifyRequest): Promise<Principal> {
  const principal = await optionalPrincipal(request);
  if (principal === null) {
    throw unauthorized();
  }
  return principal;
}
