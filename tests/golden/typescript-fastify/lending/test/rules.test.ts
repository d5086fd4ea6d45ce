import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { scopeOf, ruleScope } from "../src/entities/access.js";
import { ENTITIES, entityNamed, type FieldDef } from "../src/entities/model.js";
import { ADMIN_ROLES, isAdmin } from "../src/security/principal.js";
import { ROLES } from "../src/services/users.js";
import { testApp } from "./helpers.js";
import {
  bodyOf,
  type Caller,
  createRow,
  emptyEntityTables,
  makeRoom,
  send,
  signIn,
} from "./rows.js";

/** The roles that are not admin roles: the access table rules them. */
const RULED = ROLES.filter((r) => !ADMIN_ROLES.includes(r));

/** A principal of `role`, for asking the access table (no session). */
const as = (role: string) => ({ userId: "", email: "", role, sessionId: "" });

const cases = <T>(list: readonly T[], name: (t: T) => string): [string, T][] =>
  list.map((t) => [name(t), t]);

/** Every (entity, role) pair. */
const ENTITY_ROLES = ENTITIES.flatMap((entity) => RULED.map((role) => ({ entity, role })));

/** Every (entity, workflow field) pair. */
const WORKFLOWS = ENTITIES.flatMap((entity) =>
  entity.fields.flatMap((field) => (field.workflow === undefined ? [] : [{ entity, field }])),
);

/** Every (entity, field, role) where the field's `write` rule leaves the role out but it may create. */
const UNWRITABLE = ENTITIES.flatMap((entity) =>
  entity.fields.flatMap((field) =>
    field.write === undefined
      ? []
      : RULED.filter(
          (role) =>
            scopeOf(entity, "create", as(role)) !== "none" &&
            ruleScope(field.write ?? { public: false, roles: {} }, as(role)) === "none",
        ).map((role) => ({ entity, field, role })),
  ),
);

/** Every (entity, field, role) where the role lists every row but its `read` rule hides the field. */
const HIDDEN = ENTITIES.flatMap((entity) =>
  entity.fields.flatMap((field) =>
    field.read === undefined
      ? []
      : RULED.filter(
          (role) =>
            scopeOf(entity, "read", as(role)) === "all" &&
            ruleScope(field.read ?? { public: false, roles: {} }, as(role)) === "none",
        ).map((role) => ({ entity, field, role })),
  ),
);

/** A value of an enum field no listed move reaches from `from`, if any. */
function unlisted(field: FieldDef, from: string): string | undefined {
  const moves = field.workflow?.moves ?? [];
  return (field.values ?? []).find(
    (v) => v !== from && !moves.some((m) => m.from === from && m.to === v),
  );
}

describe.skipIf(ADMIN_ROLES.length === 0)("access and field rules", () => {
  let app: FastifyInstance;
  let admin: Caller;
  const callers = new Map<string, Caller>();

  beforeAll(async () => {
    app = await testApp();
    await emptyEntityTables(app);
    admin = await signIn(app, ADMIN_ROLES[0] ?? "");
    for (const role of RULED) {
      callers.set(role, await signIn(app, role));
    }
  });
  afterAll(async () => {
    await app.close();
  });

  const caller = (role: string): Caller => {
    const found = callers.get(role);
    if (found === undefined) {
      throw new Error(`no caller of role ${role}`);
    }
    return found;
  };

  it.each(cases(ENTITY_ROLES, (c) => `${c.entity.name} as ${c.role}`))(
    "lists and creates %s only as the access table allows",
    async (_name, { entity, role }) => {
      const who = caller(role);
      const list = await send(app, who, "GET", `/${entity.collection}`);
      expect(list.statusCode).toBe(scopeOf(entity, "read", as(role)) === "none" ? 403 : 200);
      if (scopeOf(entity, "create", as(role)) === "none") {
        // Refused before the body is read: any body gets 403.
        const create = await send(app, who, "POST", `/${entity.collection}`, {});
        expect(create.statusCode).toBe(403);
      }
    },
  );

  it.each(cases(WORKFLOWS, (c) => `${c.entity.name}.${c.field.name}`))(
    "starts %s in its initial value and refuses a move it does not list",
    async (_name, { entity, field }) => {
      const flow = field.workflow;
      if (flow === undefined) {
        return;
      }
      const path = `/${entity.collection}`;
      await makeRoom(app, entity);
      const other = (field.values ?? []).find((v) => v !== flow.initial);
      if (other !== undefined) {
        const wrong = { ...(await bodyOf(app, admin, entity)), [field.name]: other };
        expect((await send(app, admin, "POST", path, wrong)).statusCode).toBe(422);
      }
      const id = await createRow(app, admin, entity);
      const target = unlisted(field, flow.initial);
      if (target !== undefined) {
        const moved = await send(app, admin, "PATCH", `${path}/${id}`, { [field.name]: target });
        expect(moved.statusCode, moved.body).toBe(409);
      }
    },
  );

  it.each(cases(UNWRITABLE, (c) => `${c.entity.name}.${c.field.name} as ${c.role}`))(
    "refuses %s with 403 naming the field",
    async (_name, { entity, field, role }) => {
      await makeRoom(app, entity);
      const body = { ...(await bodyOf(app, admin, entity)), [field.name]: null };
      // A row owned through a relation goes under a parent of the caller's own
      // where it may make one: under a parent the caller may not change, the
      // create is 422 before any field rule is read.
      const owner = entity.owner;
      const through =
        owner?.kind === "through"
          ? entity.relations.find((relation) => relation.name === owner.relation)
          : undefined;
      if (through !== undefined) {
        const parent = entityNamed(through.target);
        body[through.key] = await createRow(app, caller(role), parent).catch(
          () => body[through.key],
        );
      }
      const response = await send(app, caller(role), "POST", `/${entity.collection}`, body);
      expect(response.statusCode, response.body).toBe(403);
      expect(Object.keys(response.json<{ errors: object }>().errors)).toContain(field.name);
    },
  );

  it.each(cases(HIDDEN, (c) => `${c.entity.name}.${c.field.name} from ${c.role}`))(
    "hides %s and refuses to filter on it",
    async (_name, { entity, field, role }) => {
      const path = `/${entity.collection}`;
      await makeRoom(app, entity);
      const id = await createRow(app, admin, entity);
      const read = await send(app, caller(role), "GET", `${path}/${id}`);
      expect(read.statusCode).toBe(200);
      expect(Object.keys(read.json<object>())).not.toContain(field.name);
      if (field.filter) {
        const filtered = await send(app, caller(role), "GET", `${path}?${field.name}=x`);
        expect(filtered.statusCode).toBe(422);
      }
    },
  );

  it("lets admin roles do everything", () => {
    for (const role of ADMIN_ROLES) {
      expect(isAdmin(as(role))).toBe(true);
      for (const entity of ENTITIES) {
        expect(scopeOf(entity, "delete", as(role))).toBe("all");
      }
    }
  });
});

describe("roles the access table does not list", () => {
  // Names every JavaScript object answers to: a rule's roles are looked up
  // as its own members, so none of them inherits a scope.
  const INHERITED = ["constructor", "toString", "hasOwnProperty", "__proto__"].filter(
    (name) => !ROLES.includes(name),
  );

  it.each(INHERITED)("gives %s no rows and no field or move", (role) => {
    for (const entity of ENTITIES) {
      for (const action of ["create", "read", "update", "delete"] as const) {
        expect(scopeOf(entity, action, as(role))).toBe("none");
      }
      for (const field of entity.fields) {
        for (const rule of [
          field.read,
          field.query,
          field.write,
          ...(field.workflow?.moves.map((m) => m.rule) ?? []),
        ]) {
          if (rule !== undefined) {
            expect(ruleScope(rule, as(role))).toBe("none");
          }
        }
      }
    }
  });
});
