/**
 * The pool's connections prepare the statements they run repeatedly, and
 * statement texts are compiled once per shape (src/db.ts).
 */
import { sql } from "kysely";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openCommandDb, PREPARED_MAX, prepareRepeated, Statements } from "../src/db.js";
import { testEnv } from "./helpers.js";

/** The statements the server keeps prepared for this connection. */
async function preparedOn(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ statement: string }>(
    "SELECT statement FROM pg_prepared_statements ORDER BY prepare_time, statement",
  );
  return result.rows.map((row) => row.statement);
}

describe("prepared statements", () => {
  let client: pg.Client;

  beforeEach(async () => {
    client = new pg.Client({ connectionString: testEnv().DATABASE_URL });
    await client.connect();
    prepareRepeated(client);
  });

  afterEach(async () => {
    await client.end();
  });

  it("are made the second time a connection runs a statement, and answer as before", async () => {
    const text = "SELECT $1::int + 1 AS n";
    expect((await client.query(text, [1])).rows).toEqual([{ n: 2 }]);
    expect(await preparedOn(client)).toEqual([]);
    expect((await client.query(text, [2])).rows).toEqual([{ n: 3 }]);
    expect(await preparedOn(client)).toEqual([text]);
    expect((await client.query(text, [3])).rows).toEqual([{ n: 4 }]);
    expect(await preparedOn(client)).toEqual([text]);
  });

  it("leave out statements without parameters and those that select or return *", async () => {
    for (let i = 0; i < 3; i += 1) {
      await client.query("SELECT 1 AS one");
      await client.query("SELECT * FROM (SELECT $1::int AS n) AS t", [i]);
      await client.query("select   *\nfrom (SELECT $1::int AS n) AS t", [i]);
    }
    expect(await preparedOn(client)).toEqual([]);
  });

  it("are kept to a bounded number per connection; the rest still run", async () => {
    for (let i = 0; i < PREPARED_MAX + 5; i += 1) {
      const text = `SELECT $1::int + ${String(i)} AS n`;
      await client.query(text, [1]);
      expect((await client.query(text, [1])).rows).toEqual([{ n: 1 + i }]);
    }
    expect(await preparedOn(client)).toHaveLength(PREPARED_MAX);
  });
});

describe("statements compiled once", () => {
  let db: Db;

  beforeEach(() => {
    db = openCommandDb(testEnv().DATABASE_URL ?? "", 5000);
  });

  afterEach(async () => {
    await db.destroy();
  });

  it("build a key's text once and give each run its own arguments in place", async () => {
    const statements = new Statements();
    let builds = 0;
    const query = (a: number, b: number) =>
      statements.get<{ n: number; m: number }>(db, "sum", [a, b], (x, y) => {
        builds += 1;
        return sql`SELECT ${y}::int AS m, ${x}::int + ${y}::int AS n`;
      });
    const first = query(1, 2);
    const second = query(10, 20);
    expect(builds).toBe(1);
    expect(second.sql).toBe(first.sql);
    expect(first.parameters).toEqual([2, 1, 2]);
    expect(second.parameters).toEqual([20, 10, 20]);
    expect((await db.executeQuery(second)).rows).toEqual([{ m: 20, n: 30 }]);
  });

  it("refuse a value that is not an argument, which would be kept for every run", () => {
    const statements = new Statements();
    expect(() =>
      statements.get(db, "fixed", [1], (x) => sql`SELECT ${x}::int + ${2}::int AS n`),
    ).toThrow(/statement fixed has a parameter that is not one of its arguments/);
  });

  it("compile every run once the cache holds its limit, and answer the same", async () => {
    const statements = new Statements(1);
    let builds = 0;
    const build = (x: ReturnType<typeof sql.val>) => {
      builds += 1;
      return sql<{ n: number }>`SELECT ${x}::int AS n`;
    };
    statements.get(db, "kept", [1], build);
    statements.get(db, "kept", [2], build);
    statements.get(db, "over", [3], build);
    const over = statements.get(db, "over", [4], build);
    expect(builds).toBe(3);
    expect((await db.executeQuery(over)).rows).toEqual([{ n: 4 }]);
  });
});
