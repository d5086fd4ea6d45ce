/** What the entity tests share: signed-in callers and valid rows made through the API. */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { BASE_PATH } from "../src/base.js";
import { ENTITIES, entityNamed, type EntityDef } from "../src/entities/model.js";
import { createUser } from "../src/services/users.js";
import { parseExact } from "../src/json.js";

/** `samples.json`: valid rows per entity, and how many rows the entities limited by a unique field take. */
const SAMPLES = parseExact(readFileSync(new URL("samples.json", import.meta.url), "utf8")) as {
  limits: Record<string, number | undefined>;
  rows: Record<string, Body[] | undefined>;
};

/** The password of every account the tests make. */
export const PASSWORD = "correct horse battery staple";

/** A JSON object body. */
export type Body = Record<string, unknown>;

/** A signed-in caller: its account, and the headers its requests carry. */
export interface Caller {
  readonly id: string;
  readonly email: string;
  readonly role: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Empties every entity's table and link table: a test file's rows start from none. */
export async function emptyEntityTables(app: FastifyInstance): Promise<void> {
  const tables = ENTITIES.flatMap((e) => [
    e.table,
    ...e.relations.flatMap((r) => (r.join === undefined ? [] : [r.join])),
  ]);
  await sql`TRUNCATE ${sql.join(tables.map((t) => sql.table(t)))} CASCADE`.execute(app.db);
}

/** A new account in `role`, signed in. */
export async function signIn(app: FastifyInstance, role: string): Promise<Caller> {
  const email = `${role}-${randomUUID()}@example.com`;
  const account = await createUser(app.db, email, PASSWORD, role);
  const login = await app.inject({
    method: "POST",
    url: `${BASE_PATH}/auth/login`,
    payload: { email, password: PASSWORD },
  });
  if (login.statusCode !== 200) {
    throw new Error(`signing in as ${role} answered ${String(login.statusCode)}`);
  }
  const value = (name: string) => login.cookies.find((c) => c.name === name)?.value ?? "";
  return {
    id: account.id,
    email,
    role,
    headers: { cookie: `session=${value("session")}`, "x-csrf-token": value("csrf_token") },
  };
}

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** A request to `<base><path>` as `caller` (a visitor when `null`). */
export function send(
  app: FastifyInstance,
  caller: Caller | null,
  method: Method,
  path: string,
  payload?: Body,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url: `${BASE_PATH}${path}`,
    headers: caller?.headers ?? {},
    ...(payload === undefined ? {} : { payload }),
  });
}

const rowsMade = new Map<string, number>();

/** Valid values of the next row of an entity the tests make (each unique value once). */
export function sample(entity: EntityDef): Body {
  const rows = SAMPLES.rows[entity.name] ?? [];
  const n = rowsMade.get(entity.name) ?? 0;
  rowsMade.set(entity.name, n + 1);
  return { ...rows[n % rows.length] };
}

/** The entities a new row of `entity` makes: itself, and the parents of its required relations. */
function lineage(entity: EntityDef, seen = new Set<string>()): EntityDef[] {
  if (seen.has(entity.name)) {
    return [];
  }
  seen.add(entity.name);
  const parents = entity.relations.filter((r) => r.required && r.join === undefined);
  return [entity, ...parents.flatMap((r) => lineage(entityNamed(r.target), seen))];
}

/**
 * The most rows of an entity the tests can make at once, when a unique
 * field with few values limits it or a parent each row makes (`amount`
 * unique from 0 to 1: two).
 */
export function rowLimit(entity: EntityDef): number {
  return Math.min(...lineage(entity).map((e) => SAMPLES.limits[e.name] ?? Infinity));
}

/**
 * Room for a test's rows of an entity that limits allow only a few of:
 * the limited tables its rows need emptied (and what refers to them).
 */
export async function makeRoom(app: FastifyInstance, entity: EntityDef): Promise<void> {
  const limited = lineage(entity).filter((e) => SAMPLES.limits[e.name] !== undefined);
  if (limited.length > 0) {
    await sql`TRUNCATE ${sql.join(limited.map((e) => sql.table(e.table)))} CASCADE`.execute(app.db);
  }
}

/**
 * A valid create body: a new sample, each required relation pointing at a
 * new row of `caller`; with `ownerId` (an admin's call), every directly
 * owned row among them names that owner, so all of them are that user's.
 */
export async function bodyOf(
  app: FastifyInstance,
  caller: Caller,
  entity: EntityDef,
  depth = 0,
  ownerId?: string,
): Promise<Body> {
  const body = sample(entity);
  for (const relation of entity.relations) {
    if (relation.required && relation.join === undefined && depth < 8) {
      const parent = entityNamed(relation.target);
      body[relation.key] = await createRow(app, caller, parent, depth + 1, ownerId);
    }
  }
  if (ownerId !== undefined && entity.owner?.kind === "direct") {
    body.owner_id = ownerId;
  }
  return body;
}

/** A new row of `entity` made by `caller` (owned by `ownerId`, see {@link bodyOf}): its id. */
export async function createRow(
  app: FastifyInstance,
  caller: Caller,
  entity: EntityDef,
  depth = 0,
  ownerId?: string,
): Promise<string> {
  const body = await bodyOf(app, caller, entity, depth, ownerId);
  const path = `/${entity.collection}`;
  let response = await send(app, caller, "POST", path, body);
  // A unique field with few values: the next value may be taken, so each is tried.
  const tries = SAMPLES.limits[entity.name] ?? 1;
  for (let n = 1; n < tries && response.statusCode === 409; n += 1) {
    response = await send(app, caller, "POST", path, { ...body, ...sample(entity) });
  }
  if (response.statusCode !== 201) {
    throw new Error(`creating a ${entity.name}: ${String(response.statusCode)} ${response.body}`);
  }
  return response.json<{ id: string }>().id;
}
