/**
 * Text input (C-API-5): no client string may hold a NUL character
 * (PostgreSQL cannot store one in text) or an unpaired surrogate (not a
 * character; UTF-8 cannot encode it). Checked once, where a JSON body is
 * parsed, for every string in it, member names included.
 */

/** What a string breaking the rule is told. */
export const TEXT_RULE = "must not contain NUL characters or unpaired surrogates";

/** Whether a string keeps the rule. */
export function isText(value: string): boolean {
  return !value.includes("\u0000") && value.isWellFormed();
}

/**
 * The first member of a parsed JSON value holding a string that breaks the
 * rule, as a dotted path (`body` for the value itself), or `null`.
 */
export function badTextAt(value: unknown, path = ""): string | null {
  const here = path === "" ? "body" : path;
  if (typeof value === "string") {
    return isText(value) ? null : here;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = badTextAt(item, path === "" ? String(index) : `${path}.${String(index)}`);
      if (found !== null) {
        return found;
      }
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const member = path === "" ? key : `${path}.${key}`;
      if (!isText(key)) {
        return member;
      }
      const found = badTextAt(item, member);
      if (found !== null) {
        return found;
      }
    }
  }
  return null;
}
