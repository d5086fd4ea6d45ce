import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { PROBLEM_JSON } from "../src/problems.js";
import { SIGNUP_ROLES } from "../src/services/users.js";
import { testApp } from "./helpers.js";

const BASE = "/api";
const PASSWORD = "correct horse battery staple";
/** What register answers: 202 for a new and a taken email alike (no enumeration). */
const REGISTERED = 202;

/** An email no other test uses. */
function freshEmail(): string {
  return `user-${randomUUID()}@example.com`;
}

/** The cookies a response sets, by name, with their attributes. */
function cookiesOf(response: LightMyRequestResponse): Map<string, string> {
  const header = response.headers["set-cookie"];
  const list = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return new Map(list.map((cookie) => [cookie.split("=")[0] ?? "", cookie]));
}

function cookieValue(response: LightMyRequestResponse, name: string): string {
  const cookie = response.cookies.find((c) => c.name === name);
  if (cookie === undefined) {
    throw new Error(`no ${name} cookie`);
  }
  return cookie.value;
}

describe("authentication", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => {
    await app.close();
  });

  const register = (body: Record<string, unknown>) =>
    app.inject({ method: "POST", url: `${BASE}/auth/register`, payload: body });
  const login = (email: string, password: string) =>
    app.inject({ method: "POST", url: `${BASE}/auth/login`, payload: { email, password } });

  /** Registers (when sign-up is open) and signs in; the session cookie and CSRF token. */
  async function signedIn(): Promise<{ session: string; csrf: string; email: string }> {
    const email = freshEmail();
    expect((await register({ email, password: PASSWORD })).statusCode).toBe(REGISTERED);
    const response = await login(email, PASSWORD);
    expect(response.statusCode).toBe(200);
    return {
      session: cookieValue(response, "session"),
      csrf: cookieValue(response, "csrf_token"),
      email,
    };
  }

  if (SIGNUP_ROLES.length === 0) {
    it("refuses sign-up: accounts are made by administrators", async () => {
      const response = await register({ email: freshEmail(), password: PASSWORD });
      expect(response.statusCode).toBe(403);
    });
    return;
  }

  it("registers in the first signup role, the password hashed with argon2id", async () => {
    const email = freshEmail();
    const response = await register({ email: email.toUpperCase(), password: PASSWORD });
    expect(response.statusCode).toBe(REGISTERED);
    expect(response.json()).toEqual({});
    const row = await app.db
      .selectFrom("auth_users")
      .select(["password_hash", "role"])
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.role).toBe(SIGNUP_ROLES[0]);
  });

  it("answers a taken email as a new one, and keeps its account", async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD });
    const again = await register({ email, password: `${PASSWORD} again` });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({});
    expect((await login(email, PASSWORD)).statusCode).toBe(200);
  });

  it.each([
    ["too short", "short"],
    ["too common", "password1234"],
  ])("refuses a password that is %s with 422", async (_why, password) => {
    const response = await register({ email: freshEmail(), password });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toHaveProperty("errors.password");
  });

  it("refuses the email as the password", async () => {
    const email = freshEmail();
    const response = await register({ email, password: email });
    expect(response.statusCode).toBe(422);
  });

  it("refuses a role that is not a signup role", async () => {
    const response = await register({
      email: freshEmail(),
      password: PASSWORD,
      role: "no-such-role",
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toHaveProperty("errors.role");
  });

  it("refuses a body with unknown members or that is not JSON", async () => {
    const extra = await register({ email: freshEmail(), password: PASSWORD, admin: true });
    expect(extra.statusCode).toBe(422);
    const broken = await app.inject({
      method: "POST",
      url: `${BASE}/auth/register`,
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(broken.statusCode).toBe(422);
    expect(broken.headers["content-type"]).toContain(PROBLEM_JSON);
  });

  it("refuses a NUL or an unpaired surrogate in any string, naming the member", async () => {
    const nul = await login("nul\u0000@example.com", PASSWORD);
    expect(nul.statusCode).toBe(422);
    expect(nul.json()).toHaveProperty("errors.email");
    const lone = await app.inject({
      method: "POST",
      url: `${BASE}/auth/login`,
      headers: { "content-type": "application/json" },
      payload: '{"email": "a@example.com", "password": "half \\ud800 a pair"}',
    });
    expect(lone.statusCode).toBe(422);
    expect(lone.json()).toHaveProperty("errors.password");
  });

  it("signs in with cookies a script cannot read, and a CSRF cookie it can", async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD });
    const response = await login(email, PASSWORD);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ csrf_token: string }>();
    const cookies = cookiesOf(response);
    const session = cookies.get("session") ?? "";
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).toMatch(/Path=\//);
    expect(cookies.get("csrf_token") ?? "").not.toMatch(/HttpOnly/);
    expect(cookieValue(response, "csrf_token")).toBe(body.csrf_token);
  });

  it("sets Secure cookies unless COOKIE_SECURE=false", async () => {
    const secure = await testApp({ COOKIE_SECURE: "true" });
    try {
      const email = freshEmail();
      await secure.inject({
        method: "POST",
        url: `${BASE}/auth/register`,
        payload: { email, password: PASSWORD },
      });
      const response = await secure.inject({
        method: "POST",
        url: `${BASE}/auth/login`,
        payload: { email, password: PASSWORD },
      });
      expect(cookiesOf(response).get("session") ?? "").toMatch(/Secure/);
    } finally {
      await secure.close();
    }
  });

  it("answers an unknown email and a wrong password alike", async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD });
    const wrong = await login(email, "not the password at all");
    const unknown = await login(freshEmail(), PASSWORD);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json<{ detail: string }>().detail).toBe(unknown.json<{ detail: string }>().detail);
  });

  it("says who is signed in, and 401 without a session", async () => {
    const { session, email } = await signedIn();
    const me = await app.inject({ method: "GET", url: `${BASE}/auth/me`, cookies: { session } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email });
    const anonymous = await app.inject({ method: "GET", url: `${BASE}/auth/me` });
    expect(anonymous.statusCode).toBe(401);
  });

  it("needs the CSRF token to sign out, then revokes the session", async () => {
    const { session, csrf } = await signedIn();
    const without = await app.inject({
      method: "POST",
      url: `${BASE}/auth/logout`,
      cookies: { session },
    });
    expect(without.statusCode).toBe(403);
    const wrong = await app.inject({
      method: "POST",
      url: `${BASE}/auth/logout`,
      cookies: { session },
      headers: { "x-csrf-token": "not-the-token" },
    });
    expect(wrong.statusCode).toBe(403);
    const out = await app.inject({
      method: "POST",
      url: `${BASE}/auth/logout`,
      cookies: { session },
      headers: { "x-csrf-token": csrf },
    });
    expect(out.statusCode).toBe(204);
    const me = await app.inject({ method: "GET", url: `${BASE}/auth/me`, cookies: { session } });
    expect(me.statusCode).toBe(401);
  });

  it("signs out without a session too, an empty JSON body being no body", async () => {
    const response = await app.inject({ method: "POST", url: `${BASE}/auth/logout` });
    expect(response.statusCode).toBe(204);
    const empty = await app.inject({
      method: "POST",
      url: `${BASE}/auth/logout`,
      headers: { "content-type": "application/json" },
      payload: "",
    });
    expect(empty.statusCode).toBe(204);
  });

  it("lets a stale session cookie never block sign-in", async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD });
    const response = await app.inject({
      method: "POST",
      url: `${BASE}/auth/login`,
      cookies: { session: "stale" },
      payload: { email, password: PASSWORD },
    });
    expect(response.statusCode).toBe(200);
  });

  it("locks an email out from an address after 5 failures, the right password included", async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD });
    for (let i = 0; i < 5; i += 1) {
      expect((await login(email, "a wrong password, again")).statusCode).toBe(401);
    }
    const locked = await login(email, PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("checks at most 5 passwords however many guesses arrive at once", async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => login(email, "a wrong password, at once")),
    );
    const checked = answers.filter((a) => a.statusCode === 401).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(answers.every((a) => a.statusCode === 401 || a.statusCode === 429)).toBe(true);
  });

  it("resets the count on a successful sign-in", async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD });
    for (let i = 0; i < 5 - 1; i += 1) {
      await login(email, "a wrong password, again");
    }
    expect((await login(email, PASSWORD)).statusCode).toBe(200);
    expect((await login(email, "a wrong password, again")).statusCode).toBe(401);
    expect((await login(email, PASSWORD)).statusCode).toBe(200);
  });
});
