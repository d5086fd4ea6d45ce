import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { BASE_PATH } from "../src/base.js";
import { ENTITIES } from "../src/entities/model.js";
import { PROBLEM_JSON } from "../src/problems.js";
import { ADMIN_ROLES } from "../src/security/principal.js";
import { testApp } from "./helpers.js";
import {
  type Body,
  bodyOf,
  type Caller,
  createRow,
  emptyEntityTables,
  makeRoom,
  rowLimit,
  send,
  signIn,
} from "./rows.js";

describe.skipIf(ADMIN_ROLES.length === 0)("entities", () => {
  let app: FastifyInstance;
  let admin: Caller;

  beforeAll(async () => {
    app = await testApp();
    await emptyEntityTables(app);
    admin = await signIn(app, ADMIN_ROLES[0] ?? "");
  });
  afterAll(async () => {
    await app.close();
  });

  describe.each(ENTITIES.map((e) => [e.name, e] as const))("%s", (_name, entity) => {
    const path = `/${entity.collection}`;

    it("answers a visitor 401 unless anyone may list", async () => {
      const response = await app.inject({ method: "GET", url: `${BASE_PATH}${path}` });
      expect(response.statusCode).toBe(entity.access.read.public ? 200 : 401);
    });

    it("creates, reads, lists, changes and deletes a row, auditing each change", async () => {
      await makeRoom(app, entity);
      const body = await bodyOf(app, admin, entity);
      const created = await send(app, admin, "POST", path, body);
      expect(created.statusCode, created.body).toBe(201);
      const item = created.json<Body>();
      expect(item.created_at).toMatch(/Z$/);
      const id = String(item.id);
      const read = await send(app, admin, "GET", `${path}/${id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(item);
      const listed = await send(app, admin, "GET", `${path}?limit=500`);
      expect(listed.json<{ items: Body[] }>().items.map((i) => i.id)).toContain(id);
      const changed = await send(app, admin, "PATCH", `${path}/${id}`, {});
      expect(changed.statusCode, changed.body).toBe(200);
      const deleted = await send(app, admin, "DELETE", `${path}/${id}`);
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect((await send(app, admin, "GET", `${path}/${id}`)).statusCode).toBe(404);
      const events = await app.db
        .selectFrom("audit_events")
        .select(["action", "actor_id", "fields"])
        .where("entity_id", "=", id)
        .orderBy("seq")
        .execute();
      expect(events.map((e) => e.action)).toEqual(["create", "update", "delete"]);
      // The create's event names who sent which fields, never their values.
      expect(events[0]?.actor_id).toBe(admin.id);
      expect(events[0]?.fields).toEqual(Object.keys(body).sort());
    });

    it("replays a create retried with the same Idempotency-Key", async () => {
      await makeRoom(app, entity);
      const body = await bodyOf(app, admin, entity);
      const key = randomUUID();
      const retry = () =>
        app.inject({
          method: "POST",
          url: `${BASE_PATH}${path}`,
          headers: { ...admin.headers, "idempotency-key": key },
          payload: body,
        });
      const first = await retry();
      expect(first.statusCode, first.body).toBe(201);
      const second = await retry();
      expect(second.statusCode).toBe(201);
      expect(second.json()).toEqual(first.json());
      const other = await app.inject({
        method: "POST",
        url: `${BASE_PATH}${path}`,
        headers: { ...admin.headers, "idempotency-key": key },
        payload: { ...body, not_the_same: true },
      });
      expect(other.statusCode).toBe(422);
    });

    it.skipIf(rowLimit(entity) < 2)("pages with signed cursors", async () => {
      await makeRoom(app, entity);
      const ids = [await createRow(app, admin, entity), await createRow(app, admin, entity)];
      const seen: string[] = [];
      let url = `${path}?limit=1&sort=-created_at`;
      for (let page = 0; page < 10; page += 1) {
        const response = await send(app, admin, "GET", url);
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
        await send(app, admin, "DELETE", `${path}/${id}`);
      }
    });

    it("refuses a cursor it did not issue, an unknown sort and a filter with a NUL", async () => {
      for (const query of ["cursor=forged.cursor", "sort=nope", "x=a%00b"]) {
        const response = await send(app, admin, "GET", `${path}?${query}`);
        expect(response.statusCode, query).toBe(422);
        expect(response.headers["content-type"]).toContain(PROBLEM_JSON);
      }
    });

    it("refuses an unknown field, a malformed id and an unserved method", async () => {
      await makeRoom(app, entity);
      const body = { ...(await bodyOf(app, admin, entity)), not_a_field: 1 };
      const unknown = await send(app, admin, "POST", path, body);
      expect(unknown.statusCode).toBe(422);
      expect(Object.keys(unknown.json<{ errors: Body }>().errors)).toContain("not_a_field");
      expect((await send(app, admin, "GET", `${path}/not-a-uuid`)).statusCode).toBe(422);
      const put = await send(app, admin, "PUT", `${path}/${randomUUID()}`, {});
      expect(put.statusCode).toBe(405);
      expect(put.headers.allow).toBe("GET, PATCH, DELETE");
    });
  });
});
