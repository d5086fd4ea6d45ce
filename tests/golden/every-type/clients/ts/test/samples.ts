/**
 * Valid values for the tests, made from a counter as archgen's model
 * samples make them (`model::sample`), with a nonce per run so a second
 * run against the same database makes new values.
 */
import { randomBytes } from "node:crypto";

/** This run's nonce. */
export const nonce = randomBytes(4).toString("hex");

let counter = Math.floor(Math.random() * 1_000_000);

/** A fresh counter value. */
export function next(): number {
  counter += 1;
  return counter;
}

/** Text with a prefix, the nonce and `n`, padded to `min` and cut from the front to `max` characters. */
export function text(prefix: string, n: number, min: number, max: number): string {
  let chars = Array.from(`${prefix} ${nonce} ${n}`);
  while (chars.length < min) {
    chars.push("x");
  }
  if (chars.length > max) {
    chars = chars.slice(chars.length - max);
  }
  return chars.join("");
}

/** The first of the ten characters a position marker stands for, if it is one. */
function markerBase(code: number): number | undefined {
  if (code === 0) {
    return "0".codePointAt(0);
  }
  if (code >= 0xf0000 && code < 0xf0080) {
    return code - 0xf0000;
  }
  return undefined;
}

/** A pattern sample with each position marker filled by a digit of `n`, least significant first. */
export function fillDigits(template: string, n: number): string {
  const digits = Array.from(String(n).padStart(20, "0")).reverse().map(Number);
  let i = 0;
  return Array.from(template)
    .map((c) => {
      const base = markerBase(c.codePointAt(0) ?? 0);
      if (base === undefined) {
        return c;
      }
      const d = digits[i % digits.length] ?? 0;
      i += 1;
      return String.fromCodePoint(base + d);
    })
    .join("");
}

/** A date from 2030-01-01 on that differs for each `n`. */
export function day(n: number): string {
  const year = 2030 + (Math.floor(n / 336) % 7000);
  const month = 1 + (Math.floor(n / 28) % 12);
  const date = 1 + (n % 28);
  return `${year}-${String(month).padStart(2, "0")}-${String(date).padStart(2, "0")}`;
}

/** A count of units of the last of `scale` decimal places, as decimal text. */
export function decimal(units: number, scale: number): string {
  if (scale === 0) {
    return String(units);
  }
  const sign = units < 0 ? "-" : "";
  const digits = String(Math.abs(units)).padStart(scale + 1, "0");
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** An email address unique to `n` and the run. */
export function email(n: number): string {
  return `person${n}.${nonce}@example.com`;
}

/** A URL unique to `n` and the run. */
export function url(n: number): string {
  return `https://example.com/${nonce}/${n}`;
}

/** A phone number made from `n`. */
export function phone(n: number): string {
  return `+4930${String(n % 10_000_000).padStart(7, "0")}`;
}

/** A UUID made from `n`. */
export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${String(n % 1_000_000_000_000).padStart(12, "0")}`;
}
