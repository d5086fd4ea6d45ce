/** Cursors of lists: opaque, signed, pointing after a row in one sort order. */
import { createHmac, timingSafeEqual } from "node:crypto";
import { invalid } from "../problems.js";

/** Where a page starts: after the row with this sort value and id. */
export interface After {
  readonly value: string | null;
  readonly id: string;
}

function signature(secret: string, payload: Buffer): Buffer {
  return createHmac("sha256", secret).update("cursor:").update(payload).digest().subarray(0, 16);
}

/** A cursor pointing after a row. */
export function encodeCursor(secret: string, sort: string, after: After): string {
  const payload = Buffer.from(JSON.stringify([sort, after.value, after.id]));
  return `${payload.toString("base64url")}.${signature(secret, payload).toString("base64url")}`;
}

/** The row a cursor points after (422 for one this list did not issue for this sort). */
export function decodeCursor(secret: string, sort: string, cursor: string): After {
  const refused = invalid({ cursor: "is not a cursor this list issued" });
  const [encoded, signed, ...rest] = cursor.split(".");
  if (encoded === undefined || signed === undefined || rest.length > 0) {
    throw refused;
  }
  const payload = Buffer.from(encoded, "base64url");
  const sent = Buffer.from(signed, "base64url");
  const expected = signature(secret, payload);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    throw refused;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString("utf8")) as unknown;
  } catch {
    throw refused;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) {
    throw refused;
  }
  const [sentSort, value, id] = parsed as unknown[];
  if (
    sentSort !== sort ||
    !(typeof value === "string" || value === null) ||
    typeof id !== "string"
  ) {
    throw refused;
  }
  return { value, id };
}
