/**
 * What a request may send for an entity: the zod schema of a create and of
 * an update body, built from the model's field rules, and the parsers of
 * query values (filters and cursors), each refusing what the column cannot
 * hold so PostgreSQL never sees it.
 */
import { z } from "zod";
import { isRawWhole, type RawJson, wholeNumber } from "../json.js";
import { isText, TEXT_RULE } from "../text.js";
import type { EntityDef, FieldDef } from "./model.js";

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const DATETIME =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^-?[0-9]+$/;
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
const PHONE = /^\+[1-9][0-9]{1,14}$/;

/**
 * The instants a date or a time may name: years 1 to 9999 (in UTC), as
 * PostgreSQL reads them back in the ISO form (year 0 is not a year, and
 * JavaScript writes year 10000 as `+010000`).
 */
const EARLIEST = Date.parse("0001-01-01T00:00:00Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");

/** Whether `text` is a real calendar date (`YYYY-MM-DD`) from year 1 to 9999. */
export function isDate(text: string): boolean {
  if (!DATE.test(text)) {
    return false;
  }
  const parsed = new Date(`${text}T00:00:00Z`);
  return (
    parsed.getTime() >= EARLIEST &&
    parsed.getTime() <= LATEST &&
    parsed.toISOString().startsWith(text)
  );
}

/** Whether `text` is a date and time with an offset (RFC 3339), in UTC from year 1 to 9999. */
export function isDatetime(text: string): boolean {
  const instant = Date.parse(text);
  return (
    DATETIME.test(text) && isDate(text.slice(0, 10)) && instant >= EARLIEST && instant <= LATEST
  );
}

/**
 * A date and time (RFC 3339, any offset up to a day) as the API answers it:
 * in UTC with `Z`, to the microsecond PostgreSQL keeps, the fraction only
 * when there is one. PostgreSQL itself takes offsets only to ±15:59, so a
 * value goes to it in this form.
 */
export function inUtc(text: string): string {
  const fraction = /\.([0-9]+)/.exec(text)?.[1] ?? "";
  // Microseconds, rounded as PostgreSQL rounds them.
  let micros = Number((fraction + "000000").slice(0, 6));
  if (Number(fraction[6] ?? "0") >= 5) {
    micros += 1;
  }
  const whole = new Date(Date.parse(text.replace(/\.[0-9]+/, "")) + (micros === 1e6 ? 1000 : 0));
  const seconds = whole.toISOString().slice(0, 19);
  const rest = micros % 1e6;
  return rest === 0 ? `${seconds}Z` : `${seconds}.${String(rest).padStart(6, "0")}Z`;
}

/** The range of a whole-number field: its own bounds within its column's, exact. */
function wholeRange(field: FieldDef): [bigint, bigint] {
  const [low = "0", high = "0"] = field.range ?? [];
  return [BigInt(low), BigInt(high)];
}

/** Why a decimal (as text) does not fit the field, or `null`. */
function decimalProblem(field: FieldDef, text: string): string | null {
  if (!DECIMAL.test(text)) {
    return "must be a decimal number, such as 12.50";
  }
  const [precision, scale] = field.digits ?? [12, 2];
  const [whole = "", fraction = ""] = text.replace(/^-/, "").split(".");
  if (whole.replace(/^0+/, "").length > precision - scale) {
    return `must have at most ${String(precision - scale)} digits before the point`;
  }
  if (fraction.length > scale) {
    return `must have at most ${String(scale)} digits after the point`;
  }
  if (field.min !== undefined && compareDecimals(text, field.min) < 0) {
    return `must be at least ${field.min}`;
  }
  if (field.max !== undefined && compareDecimals(text, field.max) > 0) {
    return `must be at most ${field.max}`;
  }
  return null;
}

/** How two decimals (as text) compare, exactly: below zero, zero or above. */
function compareDecimals(a: string, b: string): number {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  const difference = units(a, scale) - units(b, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** How many digits a decimal (as text) has after the point. */
function fractionDigits(text: string): number {
  return text.split(".")[1]?.length ?? 0;
}

/** A decimal (as text) in units of 10^-scale, exactly. */
function units(text: string, scale: number): bigint {
  const [whole = "", fraction = ""] = text.replace(/^-/, "").split(".");
  const value = BigInt(whole + fraction.padEnd(scale, "0"));
  return text.startsWith("-") ? -value : value;
}

/** Whether an http(s) URL parses. */
function isUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) {
    return false;
  }
  try {
    return new URL(text).hostname !== "";
  } catch {
    return false;
  }
}

/** The schema of one value of a field, without null. */
function valueSchema(field: FieldDef): z.ZodType {
  const text = (): z.ZodString => {
    let s = z.string().refine(isText, TEXT_RULE);
    if (field.minLength !== undefined) {
      s = s.min(field.minLength);
    }
    if (field.maxLength !== undefined) {
      s = s.max(field.maxLength);
    }
    if (field.pattern !== undefined) {
      s = s.regex(new RegExp(field.pattern, "u"));
    }
    return s;
  };
  switch (field.kind) {
    case "string":
    case "text":
      return text();
    case "email":
      return text().pipe(z.email());
    case "url":
      return text().refine(isUrl, "must be an http or https URL");
    case "phone":
      return text().regex(PHONE, "must be a phone number in E.164 form, such as +4930123456");
    case "enum":
      return z.enum(field.values ?? []);
    case "integer":
    case "bigint": {
      // A number, or past ±2^53 the literal the body held (json.ts).
      const [low, high] = wholeRange(field);
      return z
        .union([z.int(), z.custom<RawJson>(isRawWhole)], { error: "must be a whole number" })
        .transform((value) => BigInt(typeof value === "number" ? value : value.rawJSON))
        .refine(
          (value) => value >= low && value <= high,
          `must be a whole number from ${String(low)} to ${String(high)}`,
        )
        .transform(wholeNumber);
    }
    case "decimal":
      return z
        .union([z.string(), z.number(), z.custom<RawJson>(isRawWhole)])
        .transform((value) => (typeof value === "object" ? value.rawJSON : String(value)))
        .superRefine((value, context) => {
          const problem = decimalProblem(field, value);
          if (problem !== null) {
            context.addIssue({ code: "custom", message: problem });
          }
        });
    case "boolean":
      return z.boolean();
    case "date":
      return z.string().refine(isDate, "must be a date (YYYY-MM-DD)");
    case "datetime":
      return z
        .string()
        .refine(isDatetime, "must be a date and time with an offset (RFC 3339)")
        .transform(inUtc);
    case "uuid":
      return z.string().regex(UUID, "must be a UUID");
    case "json":
      return z.json();
  }
}

const uuid = z.string().regex(UUID, "must be a UUID");

/** A body's schema. */
type BodySchema = z.ZodType<Record<string, unknown>>;

/**
 * Each entity's body schemas, built once: zod compiles a schema the first
 * time it parses with it, which cost a create more than its own statement.
 */
const SCHEMAS = {
  create: new WeakMap<EntityDef, BodySchema>(),
  update: new WeakMap<EntityDef, BodySchema>(),
};

/** The schema `build` makes for the entity, built at its first use. */
function schemaOf(
  kind: keyof typeof SCHEMAS,
  entity: EntityDef,
  build: (entity: EntityDef) => BodySchema,
): BodySchema {
  let schema = SCHEMAS[kind].get(entity);
  if (schema === undefined) {
    schema = build(entity);
    SCHEMAS[kind].set(entity, schema);
  }
  return schema;
}

/** The schema of a create body: required fields, defaults, relations and links. */
export function createSchema(entity: EntityDef): BodySchema {
  return schemaOf("create", entity, buildCreateSchema);
}

function buildCreateSchema(entity: EntityDef): BodySchema {
  const shape: Record<string, z.ZodType> = {};
  for (const field of entity.fields) {
    const value = field.nullable ? valueSchema(field).nullable() : valueSchema(field);
    // A field left out takes its default: the column has none of its own.
    shape[field.name] = field.required
      ? value
      : field.default === undefined
        ? value.optional()
        : value.default(field.default);
  }
  for (const relation of entity.relations) {
    if (relation.join !== undefined) {
      shape[relation.key] = z.array(uuid).optional();
    } else {
      shape[relation.key] = relation.required ? uuid : uuid.nullable().optional();
    }
  }
  if (entity.owner?.kind === "direct") {
    // Null or absent: the caller (`crud.ownerOf`).
    shape.owner_id = uuid.nullable().optional();
  }
  return z.strictObject(shape);
}

/** The schema of an update body: any field, null only where the field takes it. */
export function updateSchema(entity: EntityDef): BodySchema {
  return schemaOf("update", entity, buildUpdateSchema);
}

function buildUpdateSchema(entity: EntityDef): BodySchema {
  const shape: Record<string, z.ZodType> = {};
  for (const field of entity.fields) {
    const value = field.nullable ? valueSchema(field).nullable() : valueSchema(field);
    shape[field.name] = value.optional();
  }
  for (const relation of entity.relations) {
    if (relation.join !== undefined) {
      // Null leaves the links as they are (`crud.replaceLinks`), as absent does.
      shape[relation.key] = z.array(uuid).nullable().optional();
    } else {
      shape[relation.key] = relation.required ? uuid.optional() : uuid.nullable().optional();
    }
  }
  return z.strictObject(shape);
}

/** A message per field for a body the schema refuses (`body` for the whole). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const name = path === "" ? key : `${path}.${key}`;
        if (!Object.hasOwn(errors, name)) {
          errors[name] = "is not a field of this record";
        }
      }
      continue;
    }
    const name = path === "" ? "body" : path;
    if (!Object.hasOwn(errors, name)) {
      errors[name] = issue.message;
    }
  }
  return errors;
}

/** How a query value of a column reads: its value for SQL, or why it does not fit. */
export type QueryParser = (raw: string) => { ok: true; value: string } | { ok: false; why: string };

/** The parser of query values (filters, cursors) of a field. */
export function queryParser(field: FieldDef): QueryParser {
  const fits = (value: string) => ({ ok: true as const, value });
  const refuse = (why: string) => ({ ok: false as const, why });
  switch (field.kind) {
    case "integer":
    case "bigint": {
      // The column's range: a filter may ask for a value no row can hold.
      const [low, high] =
        field.kind === "integer" ? [-(2n ** 31n), 2n ** 31n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
      return (raw) => {
        if (!INTEGER.test(raw)) {
          return refuse("must be a whole number");
        }
        const value = BigInt(raw);
        return value < low || value > high
          ? refuse(`must be a whole number from ${String(low)} to ${String(high)}`)
          : fits(value.toString());
      };
    }
    case "decimal":
      return (raw) => {
        if (!DECIMAL.test(raw)) {
          return refuse("must be a decimal number, such as 12.50");
        }
        const [precision, scale] = field.digits ?? [12, 2];
        const whole = (raw.replace(/^-/, "").split(".")[0] ?? "").replace(/^0+(?=.)/, "");
        return whole.length > precision - scale
          ? refuse(`must be less than 1${"0".repeat(precision - scale)} in absolute value`)
          : fits(raw);
      };
    case "boolean":
      return (raw) =>
        raw === "true" || raw === "false" ? fits(raw) : refuse("must be true or false");
    case "date":
      return (raw) => (isDate(raw) ? fits(raw) : refuse("must be a date (YYYY-MM-DD)"));
    case "datetime":
      return (raw) =>
        isDatetime(raw)
          ? fits(inUtc(raw))
          : refuse("must be a date and time (RFC 3339, with an offset)");
    case "uuid":
      return (raw) => (UUID.test(raw) ? fits(raw) : refuse("must be a UUID"));
    default:
      return (raw) => (isText(raw) ? fits(raw) : refuse(TEXT_RULE));
  }
}

/** The parser of an id in a query (a relation's key). */
export const idParser: QueryParser = (raw) =>
  UUID.test(raw) ? { ok: true, value: raw } : { ok: false, why: "must be a UUID" };

/** Whether a path's id is a UUID. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
