/**
 * JSON whose whole numbers past ±2^53 stay exact, on every JavaScript
 * engine the app runs on: Hermes has neither `JSON.rawJSON` nor the source
 * text in `JSON.parse`'s reviver. Such a number in an answer becomes a
 * `bigint`, and a `bigint` in a body is written as its digits.
 */

/** What a `bigint` is carried as while the engine's JSON does its part. */
const MARK = "\u0000bigint:";

/** `value` as JSON text, each `bigint` in it written as its digits. */
export function exactStringify(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${MARK}${v.toString()}` : v));
  // The engine writes the mark's NUL as `\u0000`; the API refuses NUL in text.
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, "$1");
}

/** A number token: what follows a `-` or a digit outside a string. */
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

/** JSON text parsed, each whole number past ±2^53 as a `bigint`. */
export function exactParse(text: string): unknown {
  let out = "";
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // Skip the string, escapes and all.
      i += 1;
      while (i < text.length && text[i] !== '"') {
        i += text[i] === "\\" ? 2 : 1;
      }
      i += 1;
    } else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)?.[0] ?? c;
      if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(from, i)}"\\u0000bigint:${token}"`;
        from = i + token.length;
      }
      i += token.length;
    } else {
      i += 1;
    }
  }
  out += text.slice(from);
  return JSON.parse(out, (_key, v: unknown) =>
    typeof v === "string" && v.startsWith(MARK) ? BigInt(v.slice(MARK.length)) : v,
  ) as unknown;
}
