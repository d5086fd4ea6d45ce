/**
 * Lists, reads and changes of every entity's rows, scoped by the caller's
 * access, in explicit SQL: keyset pagination, ownership scoping, link
 * checks and the audit event of each change in the change's transaction.
 */
import { createHash, randomUUID } from "node:crypto";
import { type RawBuilder, sql, type Transaction } from "kysely";
import { record, recordIn } from "../audit.js";
import type { Database } from "../database.js";
import { type Db, Statements } from "../db.js";
import { parseExact, wholeNumber } from "../json.js";
import { forbidden, invalid, notFound, Problem } from "../problems.js";
import type { Principal } from "../security/principal.js";
import type { Keyring } from "../security/crypto.js";
import { isAdmin } from "../security/principal.js";
import { isText, TEXT_RULE } from "../text.js";
import { type Actor, mayTouch, ruleScope, scopeOf, within } from "./access.js";
import { decodeCursor, encodeCursor } from "./cursors.js";
import { ENTITIES, entityNamed, type EntityDef, type FieldDef, type RelationDef } from "./model.js";
import {
  createSchema,
  fieldErrors,
  idParser,
  inUtc,
  type QueryParser,
  queryParser,
  updateSchema,
} from "./values.js";

/** A row as the API returns it. */
export type Item = Record<string, unknown>;

/** One page of a list. */
export interface Page {
  readonly items: Item[];
  readonly next_cursor: string | null;
}

/** What every operation needs besides its arguments. */
export interface Context {
  readonly db: Db;
  readonly keyring: Keyring;
  /** Signs list cursors. */
  readonly secret: string;
  readonly requestId: string;
}

/** The default and largest page. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
const RESERVED = new Set(["limit", "cursor", "sort"]);

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATIONS = new Set(["23503", "23001"]);

type Executor = Db | Transaction<Database>;

/** The texts of the reads requests make most (a page, a row), compiled once per shape. */
const STATEMENTS = new Statements();

function sqlState(error: unknown): { code: string; constraint: string } | null {
  if (typeof error !== "object" || error === null || !("code" in error)) {
    return null;
  }
  const code = typeof error.code === "string" ? error.code : "";
  const constraint =
    "constraint" in error && typeof error.constraint === "string" ? error.constraint : "";
  return { code, constraint };
}

/** A constraint violation as the API answers it: 409 or 422; anything else as it is. */
function conflictOf(entity: EntityDef, error: unknown, deleting: boolean): unknown {
  const state = sqlState(error);
  if (state === null) {
    return error;
  }
  if (state.code === UNIQUE_VIOLATION) {
    const field = entity.fields.find((f) => f.unique === state.constraint)?.name ?? "body";
    return new Problem(409, "A record with this value already exists.", {
      [field]: "is already taken",
    });
  }
  if (FOREIGN_KEY_VIOLATIONS.has(state.code)) {
    return deleting
      ? new Problem(409, "Other records still refer to this one.")
      : invalid({ body: "refers to a record that no longer exists" });
  }
  return error;
}

/** A scalar as text (a row's id, a value to encrypt or hash); JSON for anything else. */
function asText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      return JSON.stringify(value);
  }
}

const column = (name: string): RawBuilder<unknown> => sql.ref(`t.${name}`);

/** What a read selects for a field: JSON-ready text for dates and times. */
function selected(field: { name: string; kind: string; encrypted: boolean }): RawBuilder<unknown> {
  const ref = column(field.name);
  if (field.encrypted) {
    return sql`${ref} AS ${sql.id(field.name)}`;
  }
  switch (field.kind) {
    case "datetime":
      // RFC 3339 in UTC with `Z`, the fraction only when there is one.
      return sql`to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN extract(microseconds FROM ${ref})::bigint % 1000000 = 0 THEN ''
             ELSE to_char(${ref} AT TIME ZONE 'UTC', '.US') END
        || 'Z' AS ${sql.id(field.name)}`;
    case "date":
      return sql`to_char(${ref}, 'YYYY-MM-DD') AS ${sql.id(field.name)}`;
    case "bigint":
      return sql`${ref}::text AS ${sql.id(field.name)}`;
    default:
      return sql`${ref} AS ${sql.id(field.name)}`;
  }
}

const STAMPS = [
  { name: "created_at", kind: "datetime", encrypted: false },
  { name: "updated_at", kind: "datetime", encrypted: false },
];

/** The select list of a read: every column the API returns. */
function selectList(entity: EntityDef): RawBuilder<unknown>[] {
  const list = [sql`${column("id")}::text AS id`, ...STAMPS.map(selected)];
  if (entity.owner !== null) {
    list.push(sql`${column("owner_id")}::text AS owner_id`);
  }
  list.push(...entity.fields.map(selected));
  for (const relation of entity.relations) {
    if (relation.join === undefined) {
      list.push(sql`${column(relation.key)}::text AS ${sql.id(relation.key)}`);
    }
  }
  return list;
}

/** A stored value of a field as the API returns it. */
function output(field: FieldDef, value: unknown, keyring: Keyring): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (!field.encrypted) {
    return field.kind === "bigint" ? wholeNumber(BigInt(asText(value))) : value;
  }
  const plain = keyring.decrypt(asText(value));
  switch (field.kind) {
    case "integer":
      return Number(plain);
    case "bigint":
      return wholeNumber(BigInt(plain));
    case "boolean":
      return plain === "true";
    case "json":
      return parseExact(plain);
    case "datetime":
      return inUtc(plain);
    default:
      return plain;
  }
}

/** A value of a field as it is stored (encrypted when the field is). */
function stored(field: FieldDef, value: unknown, keyring: Keyring): unknown {
  // JSON's own `null` is a value of a json field (its column may be NOT NULL).
  if (value === undefined || (value === null && field.kind !== "json")) {
    return null;
  }
  // A date and time arrives in UTC already (values.ts).
  const plain = field.kind === "json" ? JSON.stringify(value) : asText(value);
  if (field.encrypted) {
    return keyring.encrypt(plain);
  }
  // A bigint as its exact text; JSON as jsonb.
  return field.kind === "json" ? sql`${plain}::jsonb` : field.kind === "bigint" ? plain : value;
}

/** The rows a read scope covers. */
function scoped(
  scope: Actor["scope"],
  entity: EntityDef,
  userId: string | null | RawBuilder<unknown>,
): RawBuilder<unknown> {
  if (scope === "none") {
    return sql`false`;
  }
  if (scope === "own" && entity.owner !== null) {
    return sql`${column("owner_id")} = ${userId}`;
  }
  return sql`true`;
}

/** Who reads rows: a caller (fields its `read` rules hide are left out), or every field. */
type Viewer = Principal | null | typeof ALL_FIELDS;
const ALL_FIELDS = Symbol("every field");

/** Whether the caller may read a field of a row with this owner. */
function mayRead(field: FieldDef, principal: Principal | null, ownerId: unknown): boolean {
  if (field.read === undefined) {
    return true;
  }
  const owner = typeof ownerId === "string" ? ownerId : null;
  return mayTouch(ruleScope(field.read, principal), owner, principal?.userId ?? null);
}

/** Whether the caller may filter and sort on a field: it reads it on every row it lists. */
function mayQuery(field: FieldDef, principal: Principal | null): boolean {
  return field.query === undefined || ruleScope(field.query, principal) === "all";
}

/** Rows as the API returns them, with their many-to-many links. */
async function items(
  db: Executor,
  entity: EntityDef,
  rows: Record<string, unknown>[],
  keyring: Keyring,
  viewer: Viewer,
): Promise<Item[]> {
  const ids = rows.map((r) => asText(r.id));
  const links = new Map<string, Map<string, string[]>>();
  for (const relation of entity.relations) {
    if (relation.join === undefined) {
      continue;
    }
    const byRow = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length > 0) {
      const found = await sql<{ source_id: string; target_id: string }>`
        SELECT source_id::text AS source_id, target_id::text AS target_id
        FROM ${sql.table(relation.join)}
        WHERE source_id = ANY(${ids}::uuid[])
        ORDER BY source_id, target_id`.execute(db);
      for (const link of found.rows) {
        byRow.get(link.source_id)?.push(link.target_id);
      }
    }
    links.set(relation.key, byRow);
  }
  return rows.map((row) => {
    const item: Item = { id: row.id, created_at: row.created_at, updated_at: row.updated_at };
    if (entity.owner !== null) {
      item.owner_id = row.owner_id;
    }
    for (const field of entity.fields) {
      if (viewer === ALL_FIELDS || mayRead(field, viewer, row.owner_id)) {
        item[field.name] = output(field, row[field.name], keyring);
      }
    }
    for (const relation of entity.relations) {
      item[relation.key] =
        relation.join === undefined
          ? (row[relation.key] ?? null)
          : (links.get(relation.key)?.get(asText(row.id)) ?? []);
    }
    return item;
  });
}

/** The paging, sorting and filtering a client asked for. */
export interface ListQuery {
  readonly limit: number;
  readonly cursor: string | null;
  readonly sort: string;
  readonly filters: ReadonlyMap<string, string>;
}

/**
 * Reads `limit`, `cursor`, `sort` and the filters from a query string. Every
 * value is text a client sent: one breaking the text rule is refused, naming
 * the parameter (C-API-5).
 */
export function listQuery(query: Readonly<Record<string, unknown>>): ListQuery {
  const values = new Map<string, string>();
  const refused: Record<string, string> = {};
  for (const [name, raw] of Object.entries(query)) {
    const all = Array.isArray(raw) ? raw.map(String) : [String(raw)];
    if (!isText(name) || all.some((v) => !isText(v))) {
      refused[isText(name) ? name : "query"] = TEXT_RULE;
      continue;
    }
    const last = all.at(-1);
    if (last !== undefined) {
      values.set(name, last);
    }
  }
  if (Object.keys(refused).length > 0) {
    throw invalid(refused);
  }
  let limit = DEFAULT_LIMIT;
  const rawLimit = values.get("limit");
  if (rawLimit !== undefined) {
    if (!/^[0-9]+$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT) {
      throw invalid({ limit: `must be a whole number from 1 to ${String(MAX_LIMIT)}` });
    }
    limit = Number(rawLimit);
  }
  const filters = new Map([...values].filter(([name]) => !RESERVED.has(name)));
  return {
    limit,
    cursor: values.get("cursor") ?? null,
    sort: values.get("sort") ?? "created_at",
    filters,
  };
}

/** What lists of an entity may filter on, by query name, with each value's parser. */
function filterable(entity: EntityDef, principal: Principal | null): Map<string, QueryParser> {
  const out = new Map<string, QueryParser>();
  for (const field of entity.fields) {
    if (field.filter && mayQuery(field, principal)) {
      out.set(field.name, queryParser(field));
    }
  }
  for (const relation of entity.relations) {
    if (relation.filter && relation.join === undefined) {
      out.set(relation.key, idParser);
    }
  }
  return out;
}

/** One page of the rows the caller may read. */
export async function findPage(
  ctx: Context,
  entity: EntityDef,
  actor: Actor,
  query: ListQuery,
): Promise<Page> {
  const errors: Record<string, string> = {};
  const descending = query.sort.startsWith("-");
  const sortName = descending ? query.sort.slice(1) : query.sort;
  const sortable = entity.sort.filter((name) => {
    const field = entity.fields.find((f) => f.name === name);
    return field === undefined || mayQuery(field, actor.principal);
  });
  if (!sortable.includes(sortName)) {
    errors.sort = `must be one of: ${sortable.sort().join(", ")}`;
  }
  const filters = filterable(entity, actor.principal);
  const filtered: { name: string; value: unknown }[] = [];
  for (const [name, raw] of query.filters) {
    const parse = filters.get(name);
    if (parse === undefined) {
      errors[name] = "is not a field lists can be filtered by";
      continue;
    }
    const parsed = parse(raw);
    if (!parsed.ok) {
      errors[name] = parsed.why;
      continue;
    }
    filtered.push({ name, value: parsed.value });
  }
  if (Object.keys(errors).length > 0) {
    throw invalid(errors);
  }
  const after = query.cursor === null ? null : decodeCursor(ctx.secret, query.sort, query.cursor);
  // The statement's shape: everything but the values, which are its arguments.
  const shape = [
    "page",
    entity.table,
    actor.scope,
    query.sort,
    after === null ? "first" : after.value === null ? "after-null" : "after",
    ...filtered.map((f) => f.name),
  ].join(" ");
  const args = [
    actor.principal?.userId ?? null,
    query.limit + 1,
    after?.id ?? null,
    after?.value ?? null,
    ...filtered.map((f) => f.value),
  ];
  const statement = STATEMENTS.get<Record<string, unknown>>(
    ctx.db,
    shape,
    args,
    (userId, limit, afterId, afterValue, ...values) => {
      const where = [
        scoped(actor.scope, entity, userId),
        ...filtered.map((f, i) => sql`${column(f.name)} = ${values[i]}`),
      ];
      const sortColumn = column(sortName);
      const id = column("id");
      if (after !== null) {
        const pastId = descending ? sql`${id} < ${afterId}::uuid` : sql`${id} > ${afterId}::uuid`;
        if (after.value === null) {
          where.push(sql`(${sortColumn} IS NULL AND ${pastId})`);
        } else {
          const pastValue = descending
            ? sql`${sortColumn} < ${afterValue}`
            : sql`${sortColumn} > ${afterValue}`;
          where.push(
            sql`(${pastValue} OR (${sortColumn} = ${afterValue} AND ${pastId}) OR ${sortColumn} IS NULL)`,
          );
        }
      }
      const order = descending
        ? sql`${sortColumn} DESC NULLS LAST, ${id} DESC`
        : sql`${sortColumn} ASC NULLS LAST, ${id} ASC`;
      return sql<Record<string, unknown>>`
    SELECT ${sql.join(selectList(entity))}, ${sortColumn}::text AS "__sort"
    FROM ${sql.table(entity.table)} AS t
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY ${order}
    LIMIT ${limit}`;
    },
  );
  const result = await ctx.db.executeQuery(statement);
  const rows = result.rows.slice(0, query.limit);
  const last = rows.at(-1);
  const nextCursor =
    result.rows.length > query.limit && last !== undefined
      ? encodeCursor(ctx.secret, query.sort, {
          value: last.__sort === null ? null : asText(last.__sort),
          id: asText(last.id),
        })
      : null;
  return {
    items: await items(ctx.db, entity, rows, ctx.keyring, actor.principal),
    next_cursor: nextCursor,
  };
}

async function readOne(
  db: Executor,
  entity: EntityDef,
  where: RawBuilder<unknown>,
  keyring: Keyring,
  viewer: Viewer,
): Promise<Item | null> {
  const result = await sql<Record<string, unknown>>`
    SELECT ${sql.join(selectList(entity))}
    FROM ${sql.table(entity.table)} AS t
    WHERE ${where}`.execute(db);
  const [item] = await items(db, entity, result.rows, keyring, viewer);
  return item ?? null;
}

/** One row the caller may read (404 otherwise). */
export async function findOne(
  ctx: Context,
  entity: EntityDef,
  actor: Actor,
  id: string,
): Promise<Item> {
  const statement = STATEMENTS.get<Record<string, unknown>>(
    ctx.db,
    `one ${entity.table} ${actor.scope}`,
    [id, actor.principal?.userId ?? null],
    (rowId, userId) => sql`
    SELECT ${sql.join(selectList(entity))}
    FROM ${sql.table(entity.table)} AS t
    WHERE ${column("id")} = ${rowId}::uuid AND ${scoped(actor.scope, entity, userId)}`,
  );
  const result = await ctx.db.executeQuery(statement);
  const [item] = await items(ctx.db, entity, result.rows, ctx.keyring, actor.principal);
  if (item === undefined) {
    throw notFound();
  }
  return item;
}

/** The body validated against a schema (422 with a message per field). */
function parseBody(
  schema: ReturnType<typeof createSchema>,
  body: unknown,
): Record<string, unknown> {
  const parsed = schema.safeParse(body ?? null);
  if (!parsed.success) {
    throw invalid(fieldErrors(parsed.error));
  }
  // Without a prototype, like the body (json.ts): a field `constructor` is
  // in the values only when sent.
  return Object.assign(Object.create(null) as Record<string, unknown>, parsed.data);
}

/** 422 for every linked id that does not exist or that the caller may not read. */
async function checkLinks(
  db: Executor,
  entity: EntityDef,
  actor: Actor,
  values: Record<string, unknown>,
): Promise<void> {
  const errors: Record<string, string> = {};
  for (const relation of entity.relations) {
    const sent = values[relation.key];
    if (sent === undefined || sent === null) {
      continue;
    }
    const ids = [...new Set(Array.isArray(sent) ? sent.map(asText) : [asText(sent)])];
    if (ids.length === 0) {
      continue;
    }
    const target = entityNamed(relation.target);
    const scope = scopeOf(target, "read", actor.principal);
    const found =
      scope === "none"
        ? { rows: [] }
        : await sql<{ id: string }>`
            SELECT t.id::text AS id FROM ${sql.table(target.table)} AS t
            WHERE t.id = ANY(${ids}::uuid[])
              AND ${scoped(scope, target, actor.principal?.userId ?? null)}`.execute(db);
    if (found.rows.length < ids.length) {
      errors[relation.key] = "refers to a record that does not exist or that you may not read";
    }
  }
  if (Object.keys(errors).length > 0) {
    throw invalid(errors);
  }
}

/** The relation a row's owner comes through, for rows owned through one. */
function ownerRelation(entity: EntityDef): RelationDef | undefined {
  const owner = entity.owner;
  return owner?.kind === "through"
    ? entity.relations.find((r) => r.name === owner.relation)
    : undefined;
}

/** The owner of a row owned through `relation`: the owner of the parent it points at. */
async function ownerThrough(
  db: Executor,
  actor: Actor,
  relation: RelationDef,
  parentId: string,
): Promise<string> {
  const parent = entityNamed(relation.target);
  const found = await sql<{ owner_id: string }>`
    SELECT t.owner_id::text AS owner_id FROM ${sql.table(parent.table)} AS t
    WHERE t.id = ${parentId}::uuid`.execute(db);
  const owner = found.rows[0]?.owner_id ?? null;
  const scope = scopeOf(parent, "update", actor.principal);
  if (owner === null || !mayTouch(scope, owner, actor.principal?.userId ?? null)) {
    throw invalid({ [relation.key]: "refers to a record that you may not change" });
  }
  return owner;
}

/** The owner of a new directly owned row: the caller, or the user an admin names. */
async function ownerOf(db: Executor, actor: Actor, sent: unknown): Promise<string> {
  const userId = actor.principal?.userId ?? null;
  if (sent === undefined || sent === null) {
    if (userId === null) {
      throw invalid({ owner_id: "is required when creating without a session" });
    }
    return userId;
  }
  if (actor.principal === null || !isAdmin(actor.principal)) {
    throw invalid({ owner_id: "is read-only" });
  }
  const found = await sql`SELECT 1 FROM auth_users WHERE id = ${asText(sent)}::uuid`.execute(db);
  if (found.rows.length === 0) {
    throw invalid({ owner_id: "refers to a user that does not exist" });
  }
  return asText(sent);
}

/** The columns a body sets: encrypted values sealed, blind indexes beside them. */
function assignments(
  entity: EntityDef,
  values: Record<string, unknown>,
  keyring: Keyring,
): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const field of entity.fields) {
    if (!Object.hasOwn(values, field.name)) {
      continue;
    }
    const value = values[field.name];
    out.push([field.name, stored(field, value, keyring)]);
    if (field.blindIndex !== undefined) {
      out.push([
        field.blindIndex,
        value === null || value === undefined ? null : keyring.blindIndex(asText(value)),
      ]);
    }
  }
  for (const relation of entity.relations) {
    if (relation.join === undefined && Object.hasOwn(values, relation.key)) {
      out.push([relation.key, values[relation.key] ?? null]);
    }
  }
  return out;
}

/** Makes a row's many-to-many links exactly those sent. */
async function replaceLinks(
  db: Executor,
  entity: EntityDef,
  id: string,
  values: Record<string, unknown>,
): Promise<void> {
  for (const relation of entity.relations) {
    const sent = values[relation.key];
    if (relation.join === undefined || !Array.isArray(sent)) {
      continue;
    }
    const table = sql.table(relation.join);
    await sql`DELETE FROM ${table} WHERE source_id = ${id}::uuid`.execute(db);
    const wanted = [...new Set(sent.map(asText))].sort();
    if (wanted.length > 0) {
      await sql`
        INSERT INTO ${table} (source_id, target_id)
        SELECT ${id}::uuid, unnest(${wanted}::uuid[])`.execute(db);
    }
  }
}

/** The JSON names a body sent: what the audit log records, never values. */
function sentNames(values: Record<string, unknown>, body: unknown): string[] {
  const raw = typeof body === "object" && body !== null ? Object.keys(body) : [];
  return raw.filter((name) => Object.hasOwn(values, name)).sort();
}

/**
 * The members of a JSON object body, before validation (none for anything
 * else), without a prototype: only what was sent.
 */
function members(body: unknown): Record<string, unknown> {
  const sent = Object.create(null) as Record<string, unknown>;
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? Object.assign(sent, body)
    : sent;
}

/** 403 naming every field the body sends that the caller may not set. */
function checkWrites(
  entity: EntityDef,
  sent: Record<string, unknown>,
  principal: Principal | null,
  mine: boolean,
): void {
  const errors: Record<string, string> = {};
  for (const field of entity.fields) {
    if (field.write !== undefined && Object.hasOwn(sent, field.name)) {
      if (!within(ruleScope(field.write, principal), mine)) {
        errors[field.name] = "you may not set this field";
      }
    }
  }
  if (Object.keys(errors).length > 0) {
    throw forbidden("You may not set some of the fields sent.", errors);
  }
}

/** 403 naming every listed move the body asks for that the caller may not make. */
function checkMoves(
  entity: EntityDef,
  sent: Record<string, unknown>,
  row: Item,
  principal: Principal | null,
  mine: boolean,
): void {
  const errors: Record<string, string> = {};
  for (const field of entity.fields) {
    const to = sent[field.name];
    const from = row[field.name];
    if (field.workflow === undefined || typeof to !== "string") {
      continue;
    }
    const listed = field.workflow.moves.find((m) => m.from === from && m.to === to);
    if (listed !== undefined && !within(ruleScope(listed.rule, principal), mine)) {
      errors[field.name] = `you may not move it from '${asText(from)}' to '${to}'`;
    }
  }
  if (Object.keys(errors).length > 0) {
    throw forbidden("You may not make this move.", errors);
  }
}

/** 422 when a new row does not start in its workflow's initial value. */
function checkInitial(entity: EntityDef, values: Record<string, unknown>): void {
  const errors: Record<string, string> = {};
  for (const field of entity.fields) {
    const flow = field.workflow;
    if (flow !== undefined && (values[field.name] ?? flow.initial) !== flow.initial) {
      errors[field.name] = `must be '${flow.initial}' when a record is created`;
    }
  }
  if (Object.keys(errors).length > 0) {
    throw invalid(errors);
  }
}

/** Whether a value sent equals the row's, as a value of this kind compares. */
function same(kind: string, sent: unknown, stored: unknown): boolean {
  if (sent === null || stored === null || sent === undefined || stored === undefined) {
    return (sent ?? null) === (stored ?? null);
  }
  switch (kind) {
    case "decimal":
      return Number(sent) === Number(stored);
    case "datetime":
      return Date.parse(asText(sent)) === Date.parse(asText(stored));
    case "json":
      return JSON.stringify(sent) === JSON.stringify(stored);
    case "uuid":
      return asText(sent).toLowerCase() === asText(stored).toLowerCase();
    default:
      return sent === stored;
  }
}

/**
 * 409 for a move the workflow does not list, or a change to a frozen row:
 * both judged on the row as it was; sending the current value is no change.
 */
function checkConflicts(entity: EntityDef, values: Record<string, unknown>, row: Item): void {
  const errors: Record<string, string> = {};
  const flows = entity.fields.filter((f) => f.workflow !== undefined);
  for (const field of flows) {
    const flow = field.workflow;
    if (flow === undefined) {
      continue;
    }
    const from = asText(row[field.name]);
    const to = Object.hasOwn(values, field.name) ? asText(values[field.name]) : from;
    if (to !== from && !flow.moves.some((m) => m.from === from && m.to === to)) {
      errors[field.name] = `may not move from '${from}' to '${to}'`;
    }
    if (!flow.frozen.includes(from)) {
      continue;
    }
    for (const [name, value] of Object.entries(values)) {
      if (flows.some((f) => f.name === name)) {
        continue;
      }
      const relation = entity.relations.find((r) => r.key === name);
      const changed =
        relation?.join !== undefined
          ? Array.isArray(value) &&
            JSON.stringify([...new Set(value.map(asText))].sort()) !== JSON.stringify(row[name])
          : !same(entity.fields.find((f) => f.name === name)?.kind ?? "uuid", value, row[name]);
      if (changed) {
        errors[name] = `may not change while ${field.name} is '${from}'`;
      }
    }
  }
  if (Object.keys(errors).length > 0) {
    throw new Problem(409, "The change does not follow the workflow.", errors);
  }
}

/**
 * Whether the caller owns the parent row a create's body points at (so would
 * own the new row). A parent the caller may not change is 422 here, as
 * `ownerThrough` answers it, and before the field rules: the parent decides
 * who owns the row, so whether a rule's `owner` covers the caller. An id that
 * is no UUID or names no row is left to the body's validation and the create.
 */
async function ownsParent(
  db: Executor,
  actor: Actor,
  relation: RelationDef,
  parentId: unknown,
): Promise<boolean> {
  if (typeof parentId !== "string" || !isUuidText(parentId)) {
    return false;
  }
  const parent = entityNamed(relation.target);
  const found = await sql<{ owner_id: string }>`
    SELECT t.owner_id::text AS owner_id FROM ${sql.table(parent.table)} AS t
    WHERE t.id = ${parentId}::uuid`.execute(db);
  const owner = found.rows[0]?.owner_id;
  if (owner === undefined) {
    return false;
  }
  const userId = actor.principal?.userId ?? null;
  if (!mayTouch(scopeOf(parent, "update", actor.principal), owner, userId)) {
    throw invalid({ [relation.key]: "refers to a record that you may not change" });
  }
  return owner === userId;
}

const isUuidText = (text: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);

/** Gives the rows owned through these rows, to any depth, their new owner. */
async function moveDescendants(
  db: Executor,
  entity: EntityDef,
  ids: string[],
  ownerId: string,
): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  for (const child of ENTITIES) {
    const relation = ownerRelation(child);
    if (relation?.target !== entity.name) {
      continue;
    }
    const moved = await sql<{ id: string }>`
      UPDATE ${sql.table(child.table)} SET owner_id = ${ownerId}::uuid
      WHERE ${sql.id(relation.key)} = ANY(${ids}::uuid[])
      RETURNING id::text AS id`.execute(db);
    await moveDescendants(
      db,
      child,
      moved.rows.map((r) => r.id),
      ownerId,
    );
  }
}

/**
 * The end of a create or an update, in its transaction when it has one: the
 * row's links as sent, the audit event naming the fields sent, and the row
 * as the caller reads it. A create passes `written`, the row its statement
 * returned, which recorded the event itself.
 */
async function settle(
  tx: Executor,
  ctx: Context,
  entity: EntityDef,
  actor: Actor,
  action: "create" | "update",
  id: string,
  values: Record<string, unknown>,
  body: unknown,
  written?: Record<string, unknown>[],
): Promise<Item> {
  await replaceLinks(tx, entity, id, values);
  if (written === undefined) {
    await record(tx, action, auditOf(ctx, entity, actor, id, values, body));
  }
  const item =
    written === undefined
      ? await readOne(tx, entity, sql`${column("id")} = ${id}::uuid`, ctx.keyring, actor.principal)
      : ((await items(tx, entity, written, ctx.keyring, actor.principal))[0] ?? null);
  if (item === null) {
    throw notFound();
  }
  return item;
}

/** The audit event of a create or an update: who, which row, and the names of the fields sent. */
function auditOf(
  ctx: Context,
  entity: EntityDef,
  actor: Actor,
  id: string,
  values: Record<string, unknown>,
  body: unknown,
) {
  return {
    actor: actor.principal,
    entity: entity.name,
    entityId: id,
    fields: sentNames(values, body),
    requestId: ctx.requestId,
  };
}

/**
 * Whether a create reads and writes nothing but its row and its audit
 * event, which one statement does, so it needs no transaction of its own:
 * no `Idempotency-Key` to claim, no owner through a relation, no relation
 * or owner sent (they are looked up), no links to read back.
 */
function oneStatement(entity: EntityDef, body: unknown, key: string | undefined): boolean {
  if (key !== undefined || ownerRelation(entity) !== undefined) {
    return false;
  }
  const sent = members(body);
  const given = (name: string): boolean => sent[name] !== undefined && sent[name] !== null;
  return (
    !given("owner_id") &&
    entity.relations.every((relation) => relation.join === undefined && !given(relation.key))
  );
}

/** How long a stored answer to an `Idempotency-Key` is replayed. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;
/** The header a create's retry carries. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/**
 * Claims a create's `Idempotency-Key` for the caller in the create's own
 * transaction, or finds the first answer of the request that did: that
 * answer to replay, `null` to go ahead. A retry arriving while the first
 * request runs waits for it (the claim's row is locked until it commits).
 * 422 for a malformed key, or one used with another request.
 */
async function claim(
  tx: Executor,
  ctx: Context,
  userId: string,
  key: string,
  request: string,
): Promise<Item | null> {
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw invalid({ [IDEMPOTENCY_HEADER]: "must be 1 to 255 visible ASCII characters" });
  }
  const hash = createHash("sha256").update(request).digest("hex");
  await sql`
    DELETE FROM auth_idempotency_keys
    WHERE user_id = ${userId}::uuid AND key = ${key}
      AND created_at < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})`.execute(tx);
  const inserted = await sql`
    INSERT INTO auth_idempotency_keys (user_id, key, request_hash, created_at)
    VALUES (${userId}::uuid, ${key}, ${hash}, now())
    ON CONFLICT DO NOTHING
    RETURNING key`.execute(tx);
  if (inserted.rows.length > 0) {
    return null;
  }
  const first = await tx
    .selectFrom("auth_idempotency_keys")
    .select(["request_hash", "status", "answer"])
    .where("user_id", "=", userId)
    .where("key", "=", key)
    .executeTakeFirstOrThrow();
  if (first.request_hash !== hash || first.status === null || first.answer === null) {
    throw invalid(
      { [IDEMPOTENCY_HEADER]: "was used with another request; use a new key" },
      "The Idempotency-Key was used with another request.",
    );
  }
  return parseExact(ctx.keyring.decrypt(first.answer)) as Item;
}

/**
 * Adds a row from a request body; a retry with the same `Idempotency-Key`
 * gets the first answer. The row and its audit event are one statement,
 * in a transaction only when the create reads or writes more.
 */
export async function create(
  ctx: Context,
  entity: EntityDef,
  actor: Actor,
  body: unknown,
  idempotencyKey?: string,
): Promise<Item> {
  const throughRelation = ownerRelation(entity);
  const userId = actor.principal?.userId;
  const key = userId === undefined ? undefined : idempotencyKey;
  const write = async (tx: Executor): Promise<Item> => {
    if (userId !== undefined && key !== undefined) {
      const replay = await claim(
        tx,
        ctx,
        userId,
        key,
        `POST ${entity.collection}\n${JSON.stringify(body ?? null)}`,
      );
      if (replay !== null) {
        return replay;
      }
    }
    const sent = members(body);
    const mine =
      throughRelation !== undefined
        ? await ownsParent(tx, actor, throughRelation, sent[throughRelation.key])
        : entity.owner !== null;
    checkWrites(entity, sent, actor.principal, mine);
    const values = parseBody(createSchema(entity), body);
    checkInitial(entity, values);
    await checkLinks(tx, entity, actor, values);
    const columns = assignments(entity, values, ctx.keyring);
    const id = randomUUID();
    columns.unshift(["id", id]);
    if (entity.owner?.kind === "direct") {
      columns.push(["owner_id", await ownerOf(tx, actor, values.owner_id)]);
    } else if (throughRelation !== undefined) {
      const parentId = asText(values[throughRelation.key]);
      columns.push(["owner_id", await ownerThrough(tx, actor, throughRelation, parentId)]);
    }
    // The row as a read selects it comes back with the insert: no read after it.
    const inserted = await sql<Record<string, unknown>>`
      WITH written AS (
        INSERT INTO ${sql.table(entity.table)} AS t
          (${sql.join(columns.map(([name]) => sql.id(name)))})
        VALUES (${sql.join(columns.map(([, value]) => value))})
        RETURNING ${sql.join(selectList(entity))}
      ), audit AS (${recordIn("create", auditOf(ctx, entity, actor, id, values, body))})
      SELECT written.* FROM written`.execute(tx);
    const item = await settle(tx, ctx, entity, actor, "create", id, values, body, inserted.rows);
    if (userId !== undefined && key !== undefined) {
      // The answer a retry replays, stored (encrypted) in the same commit as the row.
      await tx
        .updateTable("auth_idempotency_keys")
        .set({ status: 201, answer: ctx.keyring.encrypt(JSON.stringify(item)) })
        .where("user_id", "=", userId)
        .where("key", "=", key)
        .execute();
    }
    return item;
  };
  try {
    return oneStatement(entity, body, key)
      ? await write(ctx.db)
      : await ctx.db.transaction().execute(write);
  } catch (error) {
    throw conflictOf(entity, error, false);
  }
}

/**
 * A row the caller may change, locked, with every field: 404 when it cannot
 * read it, 403 when it may not change it.
 */
async function changeable(
  db: Executor,
  ctx: Context,
  entity: EntityDef,
  actor: Actor,
  id: string,
): Promise<Item> {
  const userId = actor.principal?.userId ?? null;
  const readScope = scopeOf(entity, "read", actor.principal);
  const where = sql`${column("id")} = ${id}::uuid AND ${scoped(readScope, entity, userId)}`;
  await sql`SELECT 1 FROM ${sql.table(entity.table)} AS t WHERE ${where} FOR UPDATE`.execute(db);
  const row = await readOne(db, entity, where, ctx.keyring, ALL_FIELDS);
  if (row === null) {
    throw notFound();
  }
  if (actor.scope === "own" && row.owner_id !== userId) {
    throw forbidden("You may change only your own records.");
  }
  return row;
}

/** Changes the fields a request body sends. */
export async function update(
  ctx: Context,
  entity: EntityDef,
  actor: Actor,
  id: string,
  body: unknown,
): Promise<Item> {
  try {
    return await ctx.db.transaction().execute(async (tx) => {
      const row = await changeable(tx, ctx, entity, actor, id);
      const sent = members(body);
      const userId = actor.principal?.userId ?? null;
      const mine = entity.owner !== null && row.owner_id === userId;
      checkWrites(entity, sent, actor.principal, mine);
      checkMoves(entity, sent, row, actor.principal, mine);
      const values = parseBody(updateSchema(entity), body);
      await checkLinks(tx, entity, actor, values);
      const columns = assignments(entity, values, ctx.keyring);
      const throughRelation = ownerRelation(entity);
      let newOwner: string | null = null;
      if (throughRelation !== undefined && Object.hasOwn(values, throughRelation.key)) {
        const parentId = asText(values[throughRelation.key]);
        if (parentId !== row[throughRelation.key]) {
          newOwner = await ownerThrough(tx, actor, throughRelation, parentId);
        }
      }
      checkConflicts(entity, values, row);
      if (newOwner !== null && newOwner !== row.owner_id) {
        columns.push(["owner_id", newOwner]);
      }
      if (columns.length > 0) {
        const sets = columns.map(([name, value]) => sql`${sql.id(name)} = ${value}`);
        await sql`
          UPDATE ${sql.table(entity.table)}
          SET ${sql.join(sets)}, updated_at = now()
          WHERE id = ${id}::uuid`.execute(tx);
      }
      if (newOwner !== null && newOwner !== row.owner_id) {
        await moveDescendants(tx, entity, [id], newOwner);
      }
      return settle(tx, ctx, entity, actor, "update", id, values, body);
    });
  } catch (error) {
    throw conflictOf(entity, error, false);
  }
}

/** Deletes a row (409 while rows of another entity still refer to it). */
export async function remove(
  ctx: Context,
  entity: EntityDef,
  actor: Actor,
  id: string,
): Promise<void> {
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await changeable(tx, ctx, entity, actor, id);
      await sql`DELETE FROM ${sql.table(entity.table)} WHERE id = ${id}::uuid`.execute(tx);
      await record(tx, "delete", {
        actor: actor.principal,
        entity: entity.name,
        entityId: id,
        requestId: ctx.requestId,
      });
    });
  } catch (error) {
    throw conflictOf(entity, error, true);
  }
}

/** Every row a user owns, as the API returns them with every field (for the data export). */
export async function ownedBy(ctx: Context, entity: EntityDef, userId: string): Promise<Item[]> {
  const result = await sql<Record<string, unknown>>`
    SELECT ${sql.join(selectList(entity))}
    FROM ${sql.table(entity.table)} AS t
    WHERE ${column("owner_id")} = ${userId}::uuid
    ORDER BY ${column("created_at")}, ${column("id")}`.execute(ctx.db);
  return items(ctx.db, entity, result.rows, ctx.keyring, ALL_FIELDS);
}
