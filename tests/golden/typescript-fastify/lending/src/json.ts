/**
 * JSON with exact whole numbers. A `bigint` column holds up to ±2^63, a
 * JavaScript number is exact only up to ±2^53: a whole number past that
 * travels as its literal (`JSON.rawJSON`), read from a body as it was sent
 * and written to an answer as PostgreSQL returned it.
 */

/** A literal JSON.stringify writes as it is. */
export interface RawJson {
  readonly rawJSON: string;
}

/** What Node.js 24's `JSON` has that TypeScript's library does not declare yet. */
interface ExactJson {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
  parse(
    text: string,
    reviver: (key: string, value: unknown, context?: { source?: string }) => unknown,
  ): unknown;
}

const EXACT = JSON as unknown as ExactJson;
const WHOLE = /^-?[0-9]+$/;

/** Whether a parsed value holds a whole number a JavaScript number cannot hold exactly. */
export function hasInexactWhole(value: unknown): boolean {
  if (typeof value === "number") {
    return Number.isInteger(value) && !Number.isSafeInteger(value);
  }
  if (typeof value === "object" && value !== null) {
    return Object.values(value).some(hasInexactWhole);
  }
  return false;
}

/**
 * JSON text parsed with each whole number past ±2^53 kept as its literal.
 * Only for text a safe parser has already accepted (no prototype keys).
 */
export function parseExact(text: string): unknown {
  return EXACT.parse(text, (_key, value, context) =>
    typeof value === "number" &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    WHOLE.test(context.source)
      ? EXACT.rawJSON(context.source)
      : value,
  );
}

/**
 * A parsed JSON value whose objects have no prototype, so that a member
 * named like one of `Object.prototype`'s (a field `constructor`) is there
 * only when it was sent: `in`, indexing and zod would otherwise find the
 * inherited one in every body. Kept literals (`parseExact`) stay as they are.
 */
export function withoutPrototypes(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(withoutPrototypes);
  }
  if (typeof value !== "object" || value === null || EXACT.isRawJSON(value)) {
    return value;
  }
  const bare = Object.create(null) as Record<string, unknown>;
  for (const [name, member] of Object.entries(value)) {
    bare[name] = withoutPrototypes(member);
  }
  return bare;
}

/** Whether a value is a whole-number literal `parseExact` kept. */
export function isRawWhole(value: unknown): value is RawJson {
  return EXACT.isRawJSON(value) && WHOLE.test(value.rawJSON);
}

/** A whole number as an answer carries it: a number when exact, its literal past ±2^53. */
export function wholeNumber(value: bigint): number | RawJson {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : EXACT.rawJSON(value.toString());
}
