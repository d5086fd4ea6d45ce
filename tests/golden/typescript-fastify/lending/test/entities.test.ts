import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { BASE_PATH } from "../src/base.js";
import { ENTITIES, entityNamed, type EntityDef } from "../src/entities/model.js";
import { PROBLEM_JSON } from "../src/problems.js";
import { ADMIN_ROLES } from "../src/security/principal.js";
import { createUser } from "../src/services/users.js";
import { testApp } from "./helpers.js";
import samples from "./samples.json" with { type: "json" };

const PASSWORD = "correct horse battery staple";

type Body = Record<string, unknown>;

const rowsMade = new Map<string, number>();

/** Valid values of the next row of an entity the tests make (each unique value once). */
function sample(entity: EntityDef): Body {
  const rows = (samples as Record<string, Body[] | undefined>)[entity.name] ?? [];
  const n = rowsMade.get(entity.name) ?? 0;
  rowsMade.set(entity.name, n + 1);
  return { ...rows[n % rows.length] };
}

describe.skipIf(ADMIN_ROLES.length === 0)("entities", () => {
  let app: FastifyInstance;
  let session: { cookie: string; csrf: string };

  beforeAll(async () => {
    app = await testApp();
    const tables = ENTITIES.flatMap((e) => [
      e.table,
      ...e.relations.flatMap((r) => (r.join === undefined ? [] : [r.join])),
    ]);
    await sql`TRUNCATE ${sql.join(tables.map((t) => sql.table(t)))} CASCADE`.execute(app.db);
    const email = `admin-${randomUUID()}@example.com`;
    await createUser(app.db, email, PASSWORD, ADMIN_ROLES[0] ?? "");
    const login = await app.inject({
      method: "POST",
      url: `${BASE_PATH}/auth/login`,
      payload: { email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const value = (name: string) => login.cookies.find((c) => c.name === name)?.value ?? "";
    session = { cookie: `session=${value("session")}`, csrf: value("csrf_token") };
  });
  afterAll(async () => {
    await app.close();
  });

  const send = (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, payload?: Body) =>
    app.inject({
      method,
      url: `${BASE_PATH}${url}`,
      headers: { cookie: session.cookie, "x-csrf-token": session.csrf },
      ...(payload === undefined ? {} : { payload }),
    });

  /** A valid create body: a new sample, each required relation pointing at a new row. */
  async function bodyOf(entity: EntityDef, depth = 0): Promise<Body> {
    const body = sample(entity);
    for (const relation of entity.relations) {
      if (relation.required && relation.join === undefined && depth < 8) {
        body[relation.key] = await createRow(entityNamed(relation.target), depth + 1);
      }
    }
    return body;
  }

  async function createRow(entity: EntityDef, depth = 0): Promise<string> {
    const response = await send("POST", `/${entity.collection}`, await bodyOf(entity, depth));
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  describe.each(ENTITIES.map((e) => [e.name, e] as const))("%s", (_name, entity) => {
    const path = `/${entity.collection}`;

    it("answers a visitor 401 unless anyone may list", async () => {
      const response = await app.inject({ method: "GET", url: `${BASE_PATH}${path}` });
      expect(response.statusCode).toBe(entity.access.read.public ? 200 : 401);
    });

    it("creates, reads, lists, changes and deletes a row, auditing each change", async () => {
      const created = await send("POST", path, await bodyOf(entity));
      expect(created.statusCode, created.body).toBe(201);
      const item = created.json<Body>();
      expect(item.created_at).toMatch(/Z$/);
      const id = String(item.id);
      const read = await send("GET", `${path}/${id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(item);
      const listed = await send("GET", `${path}?limit=500`);
      expect(listed.json<{ items: Body[] }>().items.map((i) => i.id)).toContain(id);
      const changed = await send("PATCH", `${path}/${id}`, {});
      expect(changed.statusCode, changed.body).toBe(200);
      const deleted = await send("DELETE", `${path}/${id}`);
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect((await send("GET", `${path}/${id}`)).statusCode).toBe(404);
      const events = await app.db
        .selectFrom("audit_events")
        .select("action")
        .where("entity_id", "=", id)
        .orderBy("seq")
        .execute();
      expect(events.map((e) => e.action)).toEqual(["create", "update", "delete"]);
    });

    it("pages with signed cursors", async () => {
      const ids = [await createRow(entity), await createRow(entity)];
      const seen: string[] = [];
      let url = `${path}?limit=1&sort=-created_at`;
      for (let page = 0; page < 10; page += 1) {
        const response = await send("GET", url);
        expect(response.statusCode, response.body).toBe(200);
        const body = response.json<{ items: { id: string }[]; next_cursor: string | null }>();
        seen.push(...body.items.map((i) => i.id));
        if (body.next_cursor === null) {
          break;
        }
        url = `${path}?limit=1&sort=-created_at&cursor=${encodeURIComponent(body.next_cursor)}`;
      }
      expect(seen).toEqual(expect.arrayContaining(ids));
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of ids) {
        await send("DELETE", `${path}/${id}`);
      }
    });

    it("refuses a cursor it did not issue, an unknown sort and a filter with a NUL", async () => {
      for (const query of ["cursor=forged.cursor", "sort=nope", "x=a%00b"]) {
        const response = await send("GET", `${path}?${query}`);
        expect(response.statusCode, query).toBe(422);
        expect(response.headers["content-type"]).toContain(PROBLEM_JSON);
      }
    });

    it("refuses an unknown field, a malformed id and an unserved method", async () => {
      const body = { ...(await bodyOf(entity)), not_a_field: 1 };
      const unknown = await send("POST", path, body);
      expect(unknown.statusCode).toBe(422);
      expect(Object.keys(unknown.json<{ errors: Body }>().errors)).toContain("not_a_field");
      expect((await send("GET", `${path}/not-a-uuid`)).statusCode).toBe(422);
      const put = await send("PUT", `${path}/${randomUUID()}`, {});
      expect(put.statusCode).toBe(405);
      expect(put.headers.allow).toBe("GET, PATCH, DELETE");
    });
  });
});
