/**
 * Values between the API and the inputs: the text an input shows for a
 * value, the value sent for an input's text, and a row's title in lists.
 */
import type { Row } from "./api";
import { exactParse, exactStringify } from "./exact";
import type { EntitySpec, FieldSpec } from "./model";

/** The text an input shows for a value. */
export function toInput(field: FieldSpec, value: unknown): string {
  if (value === null || value === undefined) {
    return "";
  }
  return field.kind === "json" ? exactStringify(value) : asText(value);
}

/** The value sent for an input's text; `undefined` leaves the field out. */
export function fromInput(field: FieldSpec, text: string): unknown {
  if (text === "") {
    return field.nullable ? null : undefined;
  }
  switch (field.kind) {
    case "integer":
      // Past ±2^53 a number is a bigint, sent as its digits (`./exact`).
      if (/^-?\d+$/.test(text) && !Number.isSafeInteger(Number(text))) {
        return BigInt(text);
      }
      return Number.isNaN(Number(text)) ? text : Number(text);
    case "boolean":
      return text === "true";
    case "datetime":
      // Minutes without a zone, as people type them, are UTC.
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text) ? `${text}:00Z` : text;
    case "json":
      try {
        return exactParse(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/** A value as the detail screen shows it. */
export function display(value: unknown): string {
  if (value === null || value === undefined || value === "") {
    return "—";
  }
  return asText(value);
}

/** A value as text: a string as it is, a number, bigint or boolean as written, anything else as JSON. */
function asText(value: unknown): string {
  if (typeof value === "string") {
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  return exactStringify(value);
}

/** A row's title in lists and pickers: its first text field's value, else its id. */
export function title(entity: EntitySpec, row: Row): string {
  for (const field of entity.fields) {
    const value = row[field.name];
    if ((field.kind === "text" || field.kind === "email") && typeof value === "string" && value !== "") {
      return value;
    }
  }
  return row.id;
}
