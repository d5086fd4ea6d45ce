import { describe, expect, it } from "vitest";
import { inUtc, isDate, isDatetime } from "../src/entities/values.js";
import { hasInexactWhole, parseExact, wholeNumber, withoutPrototypes } from "../src/json.js";

describe("values a body may carry", () => {
  it("takes dates and times from year 1 to 9999 (UTC) only, as PostgreSQL reads them back", () => {
    expect(isDate("0001-01-01")).toBe(true);
    expect(isDate("9999-12-31")).toBe(true);
    expect(isDate("0000-01-01")).toBe(false);
    expect(isDate("2023-02-29")).toBe(false);
    expect(isDatetime("2030-01-15T09:30:00Z")).toBe(true);
    expect(isDatetime("0001-01-01T00:00:00Z")).toBe(true);
    expect(isDatetime("0001-01-01T00:00:00+01:00")).toBe(false);
    expect(isDatetime("9999-12-31T23:59:59-01:00")).toBe(false);
    expect(isDatetime("2030-01-15T09:30:00")).toBe(false);
  });

  it("writes a date and time in UTC to the microsecond, whatever offset it came with", () => {
    expect(inUtc("2030-06-01T08:00:00.123456-19:56")).toBe("2030-06-02T03:56:00.123456Z");
    expect(inUtc("2030-01-15T11:30:00+02:00")).toBe("2030-01-15T09:30:00Z");
    expect(inUtc("2030-01-15T09:30:00.5z")).toBe("2030-01-15T09:30:00.500000Z");
    expect(inUtc("2030-01-15T09:30:00.0000004Z")).toBe("2030-01-15T09:30:00Z");
    expect(inUtc("2030-12-31T23:59:59.9999996Z")).toBe("2031-01-01T00:00:00Z");
  });

  it("keeps a whole number past 2^53 to the digit, and others as numbers", () => {
    const text = '{"n": 9223372036854775807, "list": [-9007199254740993], "small": 1, "x": 1.5}';
    expect(hasInexactWhole(JSON.parse(text))).toBe(true);
    expect(hasInexactWhole({ small: 1, x: 1.5 })).toBe(false);
    expect(JSON.stringify(parseExact(text))).toBe(
      '{"n":9223372036854775807,"list":[-9007199254740993],"small":1,"x":1.5}',
    );
    expect(JSON.stringify(wholeNumber(-(2n ** 63n)))).toBe("-9223372036854775808");
    expect(wholeNumber(42n)).toBe(42);
  });

  it("reads only the members a body sent, never one its objects inherit", () => {
    const body = withoutPrototypes(JSON.parse('{"a": {"b": [{"c": 1}]}, "n": null}')) as Record<
      string,
      unknown
    >;
    expect("constructor" in body).toBe(false);
    expect(body.constructor).toBeUndefined();
    const inner = body.a as { b: Record<string, unknown>[] };
    expect("constructor" in inner).toBe(false);
    expect(inner.b[0] !== undefined && "constructor" in inner.b[0]).toBe(false);
    expect(JSON.stringify(body)).toBe('{"a":{"b":[{"c":1}]},"n":null}');
    const sent = withoutPrototypes(JSON.parse('{"constructor": "x"}')) as Record<string, unknown>;
    expect(sent.constructor).toBe("x");
    const exact = withoutPrototypes(parseExact('{"n": 9223372036854775807}'));
    expect(JSON.stringify(exact)).toBe('{"n":9223372036854775807}');
  });
});
