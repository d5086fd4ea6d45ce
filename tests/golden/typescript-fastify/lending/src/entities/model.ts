/**
 * The entities of the application model (`model.json`, written by archgen):
 * tables, fields and their rules, relations and the access table. It is
 * checked against the schema below when the app loads, so a hand edit that
 * breaks it stops the app at start-up, not in a request.
 */
import { z } from "zod";
import raw from "./model.json" with { type: "json" };

/** Which rows a role may act on. */
export const Scope = z.enum(["all", "own", "none"]);
/** Which rows a role may act on. */
export type Scope = z.infer<typeof Scope>;

/** The four actions the access table rules. */
export type Action = "create" | "read" | "update" | "delete";

const Kind = z.enum([
  "string",
  "text",
  "integer",
  "bigint",
  "decimal",
  "boolean",
  "date",
  "datetime",
  "uuid",
  "email",
  "url",
  "phone",
  "json",
  "enum",
]);
/** A field's type. */
export type Kind = z.infer<typeof Kind>;

/** Who may: visitors (`public`), and the scope of each role that may (admin roles always may). */
const Rule = z.object({ public: z.boolean(), roles: z.record(z.string(), Scope) });
/** Who may: visitors (`public`), and the scope of each role that may. */
export type Rule = z.infer<typeof Rule>;

const Workflow = z.object({
  initial: z.string(),
  moves: z.array(z.object({ from: z.string(), to: z.string(), rule: Rule })),
  frozen: z.array(z.string()),
});
/** An enum field's workflow: where rows start, the moves and who makes each, frozen values. */
export type Workflow = z.infer<typeof Workflow>;

const FieldDef = z.object({
  name: z.string(),
  kind: Kind,
  nullable: z.boolean(),
  required: z.boolean(),
  default: z.json().optional(),
  maxLength: z.number().optional(),
  minLength: z.number().optional(),
  /** A decimal's bounds, as exact text (its column's CHECK holds the same). */
  min: z.string().optional(),
  max: z.string().optional(),
  /** A whole number's range, its own bounds within its column's, as exact text. */
  range: z.tuple([z.string(), z.string()]).optional(),
  digits: z.tuple([z.number(), z.number()]).optional(),
  pattern: z.string().optional(),
  values: z.array(z.string()).optional(),
  encrypted: z.boolean(),
  blindIndex: z.string().optional(),
  filter: z.boolean(),
  unique: z.string().optional(),
  /** Who sees it, when the spec narrows it. */
  read: Rule.optional(),
  /** Who may filter and sort on it, when its `read` rule narrows that. */
  query: Rule.optional(),
  /** Who sets it, when the spec narrows it. */
  write: Rule.optional(),
  workflow: Workflow.optional(),
});
/** A scalar field. */
export type FieldDef = z.infer<typeof FieldDef>;

const RelationDef = z.object({
  name: z.string(),
  key: z.string(),
  target: z.string(),
  required: z.boolean(),
  join: z.string().optional(),
  filter: z.boolean(),
});
/** A relation: to one row (`key` is its column) or to many (`join` is the link table). */
export type RelationDef = z.infer<typeof RelationDef>;

const EntityDef = z.object({
  name: z.string(),
  /** Its schema's name in `docs/openapi.json` (`model::names::schema_name`). */
  schema: z.string(),
  collection: z.string(),
  table: z.string(),
  owner: z.union([
    z.null(),
    z.object({ kind: z.literal("direct") }),
    z.object({ kind: z.literal("through"), relation: z.string() }),
  ]),
  fields: z.array(FieldDef),
  relations: z.array(RelationDef),
  sort: z.array(z.string()),
  /** How long its rows are kept, as a PostgreSQL interval (`10 years`); `null`: for good. */
  retention: z.string().nullable(),
  access: z.object({ create: Rule, read: Rule, update: Rule, delete: Rule }),
});
/** An entity. */
export type EntityDef = z.infer<typeof EntityDef>;

const Model = z.object({
  entities: z.array(EntityDef),
  auditActions: z.array(z.string()),
  auditRetentionDays: z.number().int().positive().nullable(),
});
const model = Model.parse(raw);

/** Every entity, in the model's order. */
export const ENTITIES: readonly EntityDef[] = model.entities;

/** The actions the audit log records. */
export const AUDIT_ACTIONS: readonly string[] = model.auditActions;

/** Days audit events are kept (`make retention` deletes older ones); `null`: for good. */
export const AUDIT_RETENTION_DAYS: number | null = model.auditRetentionDays;

/** An entity by name. */
export function entityNamed(name: string): EntityDef {
  const found = ENTITIES.find((e) => e.name === name);
  if (found === undefined) {
    throw new Error(`the model has no entity ${name}`);
  }
  return found;
}
