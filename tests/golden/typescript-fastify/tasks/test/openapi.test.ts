import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ENTITIES } from "../src/entities/model.js";
import { createSchema, updateSchema } from "../src/entities/values.js";
import { OPENAPI_PATH } from "../src/paths.js";
import { testApp } from "./helpers.js";

/** The parts of a JSON Schema (OpenAPI 3.1) these checks read. */
interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
}

type Components = Record<string, JsonSchema | undefined>;

interface Document {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Components };
}

function documentAt(path: string): Document {
  return JSON.parse(readFileSync(path, "utf8")) as Document;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** The schema a `$ref` names in the document's components. */
function resolve(schema: JsonSchema, components: Components): JsonSchema {
  let found = schema;
  while (found.$ref !== undefined) {
    const next = components[found.$ref.split("/").pop() ?? ""];
    if (next === undefined) {
      throw new Error(`${found.$ref} names no schema of the document`);
    }
    found = next;
  }
  return found;
}

/** Whether a member's documented schema takes null (one that names no type takes any value). */
function takesNull(schema: JsonSchema, components: Components): boolean {
  const found = resolve(schema, components);
  const types = typeof found.type === "string" ? [found.type] : (found.type ?? []);
  const unconstrained = [found.type, found.enum, found.const, found.anyOf, found.oneOf].every(
    (part) => part === undefined,
  );
  return (
    unconstrained ||
    types.includes("null") ||
    (found.enum ?? []).includes(null) ||
    [...(found.anyOf ?? []), ...(found.oneOf ?? [])].some((branch) => takesNull(branch, components))
  );
}

/** The values a member's documented schema lists (null left out), if it lists them. */
function listed(schema: JsonSchema, components: Components): unknown[] | null {
  const found = resolve(schema, components);
  let values: unknown[] | null = null;
  if (found.enum !== undefined || "const" in found) {
    values = (found.enum ?? [found.const]).filter((value) => value !== null);
  }
  for (const branch of [...(found.anyOf ?? []), ...(found.oneOf ?? [])]) {
    const inner = listed(branch, components);
    if (inner !== null) {
      values = [...(values ?? []), ...inner];
    }
  }
  return values;
}

/** A text no documented enum lists. */
const UNLISTED = "not one of the listed values \u2400";

const bodies = ENTITIES.flatMap((entity) => [
  { name: `${entity.schema}Create`, schema: createSchema(entity) },
  { name: `${entity.schema}Update`, schema: updateSchema(entity) },
]);

// The document is what archgen wrote beside the project; a project built
// without it serves no document (see health.test.ts) and has nothing to compare.
describe.runIf(existsSync(OPENAPI_PATH))("the body schemas and docs/openapi.json", () => {
  const document = documentAt(OPENAPI_PATH);
  const components = document.components?.schemas ?? {};

  it("serves every operation the document lists", async () => {
    const app = await testApp();
    try {
      for (const [path, operations] of Object.entries(document.paths ?? {})) {
        // The document writes a path parameter `{id}`, Fastify `:id`.
        const url = path.replace(/\{([^}]+)\}/g, ":$1");
        for (const method of Object.keys(operations).filter((m) => METHODS.includes(m))) {
          const served = app.hasRoute({ method: method.toUpperCase(), url });
          expect(served, `${method.toUpperCase()} ${path}`).toBe(true);
        }
      }
    } finally {
      await app.close();
    }
  });

  it.each(bodies)("$name takes what the document says it takes", ({ name, schema }) => {
    const documented = components[name];
    expect(documented, `components.schemas.${name}`).toBeDefined();
    expect(schema).toBeInstanceOf(z.ZodObject);
    if (documented === undefined || !(schema instanceof z.ZodObject)) {
      return;
    }
    const shape: Record<string, z.core.$ZodType> = schema.shape;
    const members = documented.properties ?? {};
    expect(Object.keys(shape).sort(), name).toEqual(Object.keys(members).sort());

    const required = Object.keys(shape).filter(
      (member) => !z.safeParse(shape[member] ?? z.never(), undefined).success,
    );
    expect(required.sort(), `${name}: the required members`).toEqual(
      [...(documented.required ?? [])].sort(),
    );

    for (const [member, memberSchema] of Object.entries(members)) {
      const coded = shape[member] ?? z.never();
      const where = `${name}.${member}`;
      expect(z.safeParse(coded, null).success, `${where} and null`).toBe(
        takesNull(memberSchema, components),
      );
      const values = listed(memberSchema, components);
      if (values !== null) {
        for (const value of values) {
          expect(z.safeParse(coded, value).success, `${where} takes ${String(value)}`).toBe(true);
        }
        expect(z.safeParse(coded, UNLISTED).success, `${where} refuses an unlisted value`).toBe(
          false,
        );
      }
      if ("default" in memberSchema) {
        const taken = z.safeParse(coded, undefined);
        expect(taken.success, `${where} has a default`).toBe(true);
        expect(String(taken.data), `${where}'s default`).toBe(String(memberSchema.default));
      }
    }

    const unknown = z.safeParse(schema, { "not a member": 1 });
    const refused = unknown.error?.issues.some((issue) => issue.code === "unrecognized_keys");
    expect(refused ?? false, `${name} refuses an unknown member`).toBe(
      documented.additionalProperties === false,
    );
  });
});
