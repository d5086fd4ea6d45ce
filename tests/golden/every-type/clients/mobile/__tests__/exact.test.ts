/** JSON with whole numbers past ±2^53 kept exact both ways (`src/exact.ts`). */
import { describe, expect, test } from "@jest/globals";

import { exactParse, exactStringify } from "../src/exact";

describe("exact JSON", () => {
  test("a whole number past 2^53 in an answer is a bigint with every digit", () => {
    const row = exactParse(
      '{"id":"a","score":-9223372036854775807,"small":42,"ratio":1.5e300,"note":"9223372036854775807 \\" -1"}',
    );
    expect(row).toEqual({
      id: "a",
      score: -9223372036854775807n,
      small: 42,
      ratio: 1.5e300,
      note: '9223372036854775807 " -1',
    });
  });

  test("a bigint in a body is written as its digits", () => {
    expect(exactStringify({ score: 9223372036854775807n, items: [1n, "x"], text: "bigint:1" })).toBe(
      '{"score":9223372036854775807,"items":[1,"x"],"text":"bigint:1"}',
    );
  });

  test("what is written is read back the same", () => {
    const page = { items: [{ id: "b", score: -9223372036854775808n, json: { n: 2 } }], next_cursor: null };
    expect(exactParse(exactStringify(page))).toEqual(page);
  });
});
