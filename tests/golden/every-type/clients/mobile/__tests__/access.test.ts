/** What a role may do, read from the generated table (`src/access.ts`). */
import { describe, expect, test } from "@jest/globals";

import { may, mayRead, mayWrite, own } from "../src/access";
import { ENTITIES, ROLES } from "../src/model";

// Names every JavaScript object answers to, whichever the spec does not use as a role.
const INHERITED = ["constructor", "toString", "hasOwnProperty", "__proto__"].filter(
  (name) => !(ROLES as readonly string[]).includes(name),
);

describe("the access table", () => {
  test("a record's members are its own, never inherited ones", () => {
    const errors: Record<string, string> = {};
    expect(own(errors, "constructor")).toBeUndefined();
    expect(own({ constructor: "is required" }, "constructor")).toBe("is required");
  });

  test.each(INHERITED)("gives %s, a role it does not list, nothing", (role) => {
    const me = { user_id: "u", email: "u@example.com", role };
    for (const entity of ENTITIES) {
      for (const action of ["create", "read", "update", "delete"] as const) {
        expect(may(entity, action, me)).toBe(false);
      }
      for (const field of entity.fields) {
        if (field.read !== undefined) {
          expect(mayRead(field, me)).toBe(false);
        }
        if (field.write !== undefined && field.workflow === undefined) {
          expect(mayWrite(field, me)).toBe(false);
        }
      }
    }
  });
});
