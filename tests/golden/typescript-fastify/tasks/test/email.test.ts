/**
 * Registration, verification and password reset with e-mail: what the app
 * writes to the outbox and what the links in it do. The providers' own
 * tests (`test/<provider>.test.ts`) send these mails to local stand-ins.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { BASE_PATH } from "../src/base.js";
import { PENDING } from "../src/mail/outbox.js";
import { TITLE } from "../src/mail/templates.js";
import { issue, tokenHash } from "../src/mail/tokens.js";
import { ROLES, SIGNUP_ROLES, createUser } from "../src/services/users.js";
import { testApp } from "./helpers.js";
import { PASSWORD } from "./rows.js";

const NEW_PASSWORD = "another-long-enough-password";
const LINK = /https?:\/\/\S+?\?token=([A-Za-z0-9_-]+)/;

/** An address no other test uses. */
const fresh = (what: string): string => `${what}-${randomUUID()}@example.com`;

describe("e-mail: register, verify, reset", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => {
    await app.close();
  });

  /** A request; `session` signs it in, with its CSRF token. */
  const post = (path: string, body: object, session?: { cookie: string; csrf: string }) =>
    app.inject({
      method: "POST",
      url: `${BASE_PATH}${path}`,
      payload: body,
      headers:
        session === undefined ? {} : { cookie: session.cookie, "x-csrf-token": session.csrf },
    });

  /** Signs in: the session's cookie and CSRF token, or the answer's status. */
  const login = async (email: string, password = PASSWORD) => {
    const response = await post("/auth/login", { email, password });
    const value = (name: string) => response.cookies.find((c) => c.name === name)?.value ?? "";
    return {
      status: response.statusCode,
      cookie: `session=${value("session")}`,
      csrf: value("csrf_token"),
    };
  };

  const me = (session: { cookie: string }) =>
    app.inject({
      method: "GET",
      url: `${BASE_PATH}/auth/me`,
      headers: { cookie: session.cookie },
    });

  /** The mails to an address, oldest first. */
  const mails = async (to: string) =>
    app.db
      .selectFrom("mail_outbox")
      .selectAll()
      .where("recipient", "=", to)
      .orderBy("created_at")
      .orderBy("id")
      .execute();

  /** The token of the link a mail carries (the same link in both parts). */
  const tokenOf = (mail: { body_text: string; body_html: string }): string => {
    const found = LINK.exec(mail.body_text);
    expect(found, mail.body_text).not.toBeNull();
    expect(mail.body_html).toContain(found?.[0] ?? "");
    return found?.[1] ?? "";
  };

  /** An account made as an administrator would (no mail), with the suite's password. */
  const account = async () => {
    const email = fresh("account");
    await createUser(app.db, email, PASSWORD, ROLES.at(-1) ?? "");
    return email;
  };

  if (SIGNUP_ROLES.length > 0) {
    it("answers 202 {} for a new and a taken email alike, mailing each", async () => {
      const email = fresh("new");
      const first = await post("/auth/register", {
        email: email.toUpperCase(),
        password: PASSWORD,
      });
      const again = await post("/auth/register", { email, password: PASSWORD });
      expect([first.statusCode, first.json()]).toEqual([202, {}]);
      expect([again.statusCode, again.json()]).toEqual([202, {}]);
      const [verification, notice] = await mails(email);
      expect(verification?.subject).toContain("verify");
      expect(notice?.subject).toContain("already have an account");
      for (const mail of [verification, notice]) {
        expect(mail?.status).toBe(PENDING);
        expect(mail?.subject).toContain(TITLE);
        expect(mail?.body_text).toContain(TITLE);
        expect(mail?.body_html).toContain(TITLE);
      }
    });

    it("lets a new account sign in at once, and verifies its address once", async () => {
      const email = fresh("fresh");
      expect((await post("/auth/register", { email, password: PASSWORD })).statusCode).toBe(202);
      const session = await login(email);
      expect(session.status).toBe(200);
      expect((await me(session)).json()).toMatchObject({ email_verified: false });
      const [mail] = await mails(email);
      const token = tokenOf(mail ?? { body_text: "", body_html: "" });
      expect((await post("/auth/verify-email", { token })).statusCode).toBe(204);
      expect((await me(session)).json()).toMatchObject({ email_verified: true });
      const reused = await post("/auth/verify-email", { token });
      expect(reused.statusCode).toBe(422);
      expect(reused.json()).toHaveProperty("errors.token");
    });
  }

  it("resets a password once, signing the account out everywhere", async () => {
    const email = await account();
    const session = await login(email);
    expect((await me(session)).statusCode).toBe(200);
    for (const address of [email, fresh("nobody")]) {
      const answer = await post("/auth/password-reset", { email: address });
      expect([answer.statusCode, answer.json()]).toEqual([202, {}]);
    }
    const [mail] = await mails(email);
    const confirm = {
      token: tokenOf(mail ?? { body_text: "", body_html: "" }),
      password: NEW_PASSWORD,
    };
    expect((await post("/auth/password-reset/confirm", confirm)).statusCode).toBe(204);
    expect((await me(session)).statusCode).toBe(401);
    expect((await login(email)).status).toBe(401);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    expect((await post("/auth/password-reset/confirm", confirm)).statusCode).toBe(422);
  });

  it("mails nothing for an unknown address", async () => {
    const nobody = fresh("unknown");
    expect((await post("/auth/password-reset", { email: nobody })).statusCode).toBe(202);
    expect(await mails(nobody)).toEqual([]);
  });

  it("keeps the token usable when the new password is refused", async () => {
    const email = await account();
    await post("/auth/password-reset", { email });
    const [mail] = await mails(email);
    const token = tokenOf(mail ?? { body_text: "", body_html: "" });
    const weak = await post("/auth/password-reset/confirm", { token, password: "short" });
    expect(weak.statusCode).toBe(422);
    expect(weak.json()).toHaveProperty("errors.password");
    const confirm = { token, password: NEW_PASSWORD };
    expect((await post("/auth/password-reset/confirm", confirm)).statusCode).toBe(204);
  });

  it("refuses an expired token and a made-up one", async () => {
    const email = await account();
    await post("/auth/password-reset", { email });
    const [mail] = await mails(email);
    const token = tokenOf(mail ?? { body_text: "", body_html: "" });
    await sql`UPDATE auth_email_tokens SET expires_at = now() - interval '1 second'
      WHERE token_hash = ${tokenHash(token)}`.execute(app.db);
    const late = await post("/auth/password-reset/confirm", { token, password: NEW_PASSWORD });
    expect(late.statusCode).toBe(422);
    expect((await login(email)).status).toBe(200);
    const madeUp = await post("/auth/verify-email", { token: "made-up" });
    expect(madeUp.statusCode).toBe(422);
  });

  it("takes the mails to an address with its erasure", async () => {
    const email = await account();
    await post("/auth/password-reset", { email });
    expect(await mails(email)).toHaveLength(1);
    const session = await login(email);
    const erased = await app.inject({
      method: "DELETE",
      url: `${BASE_PATH}/me`,
      headers: { cookie: session.cookie, "x-csrf-token": session.csrf },
    });
    expect(erased.statusCode).toBe(204);
    expect(await mails(email)).toEqual([]);
  });

  it("stores tokens hashed", async () => {
    const email = await account();
    const user = await app.db
      .selectFrom("auth_users")
      .select("id")
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
    const token = await issue(app.db, user.id, "reset");
    const stored = await app.db
      .selectFrom("auth_email_tokens")
      .select("token_hash")
      .where("user_id", "=", user.id)
      .execute();
    expect(stored.map((row) => row.token_hash)).toEqual([tokenHash(token)]);
  });
});
