import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { BASE_PATH } from "../src/base.js";
import { ROLES, createUser } from "../src/services/users.js";
import { ADMIN_ROLES } from "../src/security/principal.js";
import { Keyring, KeyringError } from "../src/security/crypto.js";
import { ENTITIES } from "../src/entities/model.js";
import { testApp } from "./helpers.js";
import { createRow, emptyEntityTables, rowLimit, send, signIn } from "./rows.js";

const PASSWORD = "correct horse battery staple";

describe("the keyring", () => {
  const key = () => randomBytes(32);

  it("opens what it sealed, with a fresh nonce each time", () => {
    const keyring = new Keyring([key()], "a secret key long enough for the index");
    const sealed = keyring.encrypt("ünïcode text");
    expect(keyring.decrypt(sealed)).toBe("ünïcode text");
    expect(keyring.encrypt("ünïcode text")).not.toBe(sealed);
  });

  it("opens values of an older key, and refuses altered ones and unknown keys", () => {
    const [old, current] = [key(), key()];
    const before = new Keyring([old], "secret");
    const after = new Keyring([current, old], "secret");
    const sealed = before.encrypt("value");
    expect(after.decrypt(sealed)).toBe("value");
    expect(() => new Keyring([current], "secret").decrypt(sealed)).toThrow(KeyringError);
    const bytes = Buffer.from(sealed, "base64");
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
    expect(() => before.decrypt(bytes.toString("base64"))).toThrow(KeyringError);
  });

  it("gives equal values equal blind indexes under one secret only", () => {
    const a = new Keyring([key()], "secret one");
    expect(a.blindIndex("x")).toBe(a.blindIndex("x"));
    expect(a.blindIndex("x")).not.toBe(new Keyring([key()], "secret two").blindIndex("x"));
  });
});

describe("the caller's account", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => {
    await app.close();
  });

  /** A new account in `role`, signed in: its id, cookie header and CSRF token. */
  async function signedIn(role: string) {
    const email = `user-${randomUUID()}@example.com`;
    const account = await createUser(app.db, email, PASSWORD, role);
    const login = await app.inject({
      method: "POST",
      url: `${BASE_PATH}/auth/login`,
      payload: { email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const value = (name: string) => login.cookies.find((c) => c.name === name)?.value ?? "";
    return {
      id: account.id,
      email,
      headers: { cookie: `session=${value("session")}`, "x-csrf-token": value("csrf_token") },
    };
  }

  it("exports the account and every kind of row it owns", async () => {
    const user = await signedIn(ROLES[0] ?? "");
    const response = await app.inject({
      method: "GET",
      url: `${BASE_PATH}/me/export`,
      headers: user.headers,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ account: { user_id: string; email: string }; data: object }>();
    expect(body.account).toMatchObject({ user_id: user.id, email: user.email });
    expect(typeof body.data).toBe("object");
  });

  it("erases every row the account owns, its rows' links to each other included", async () => {
    // Rows of every owned entity, all the user's (parents too), made by an
    // admin, and the same owned by the admin. Entities that unique fields
    // with few values limit are left out: the two lineages may not fit.
    await emptyEntityTables(app);
    const owned = ENTITIES.filter((e) => e.owner !== null && rowLimit(e) === Infinity);
    const admin = await signIn(app, ADMIN_ROLES[0] ?? "");
    const user = await signIn(app, ROLES[0] ?? "");
    const mine: [string, string][] = [];
    const theirs: [string, string][] = [];
    for (const entity of owned) {
      mine.push([entity.collection, await createRow(app, admin, entity, 0, user.id)]);
      theirs.push([entity.collection, await createRow(app, admin, entity, 0, admin.id)]);
    }
    const erased = await send(app, user, "DELETE", "/me");
    expect(erased.statusCode, erased.body).toBe(204);
    for (const [collection, id] of mine) {
      expect((await send(app, admin, "GET", `/${collection}/${id}`)).statusCode).toBe(404);
    }
    for (const [collection, id] of theirs) {
      expect((await send(app, admin, "GET", `/${collection}/${id}`)).statusCode).toBe(200);
    }
  });

  it("erases the account: its session ends and its password no longer signs in", async () => {
    const user = await signedIn(ROLES[0] ?? "");
    const erased = await app.inject({
      method: "DELETE",
      url: `${BASE_PATH}/me`,
      headers: user.headers,
    });
    expect(erased.statusCode).toBe(204);
    const me = await app.inject({
      method: "GET",
      url: `${BASE_PATH}/auth/me`,
      headers: user.headers,
    });
    expect(me.statusCode).toBe(401);
    const login = await app.inject({
      method: "POST",
      url: `${BASE_PATH}/auth/login`,
      payload: { email: user.email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(401);
    const events = await app.db
      .selectFrom("audit_events")
      .select("action")
      .where("entity_id", "=", user.id)
      .execute();
    expect(events.map((e) => e.action)).toContain("erasure");
  });

  it("answers 401 without a session", async () => {
    for (const [method, url] of [
      ["GET", "/me/export"],
      ["DELETE", "/me"],
    ] as const) {
      expect((await app.inject({ method, url: `${BASE_PATH}${url}` })).statusCode).toBe(401);
    }
  });

  const nonAdmin = ROLES.find((r) => !ADMIN_ROLES.includes(r));

  it.skipIf(ADMIN_ROLES.length === 0)(
    "lists accounts and the audit log to admins, paged",
    async () => {
      const admin = await signedIn(ADMIN_ROLES[0] ?? "");
      const users = await app.inject({
        method: "GET",
        url: `${BASE_PATH}/admin/users?email=${encodeURIComponent(admin.email)}`,
        headers: admin.headers,
      });
      expect(users.statusCode).toBe(200);
      expect(users.json<{ items: { user_id: string }[] }>().items).toEqual([
        expect.objectContaining({ user_id: admin.id }),
      ]);
      const first = await app.inject({
        method: "GET",
        url: `${BASE_PATH}/admin/audit-events?limit=1`,
        headers: admin.headers,
      });
      expect(first.statusCode).toBe(200);
      const page = first.json<{ items: { id: string }[]; next_cursor: string }>();
      expect(page.items).toHaveLength(1);
      const second = await app.inject({
        method: "GET",
        url: `${BASE_PATH}/admin/audit-events?limit=1&cursor=${encodeURIComponent(page.next_cursor)}`,
        headers: admin.headers,
      });
      expect(second.json<{ items: { id: string }[] }>().items[0]?.id).not.toBe(page.items[0]?.id);
    },
  );

  it.skipIf(nonAdmin === undefined)("refuses the admin lists to other roles", async () => {
    const user = await signedIn(nonAdmin ?? "");
    for (const path of ["/admin/users", "/admin/audit-events"]) {
      const response = await app.inject({
        method: "GET",
        url: `${BASE_PATH}${path}`,
        headers: user.headers,
      });
      expect(response.statusCode).toBe(403);
    }
  });
});
