/** The pool's connections prepare the statements they run repeatedly (src/db.ts). */
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PREPARED_MAX, prepareRepeated } from "../src/db.js";
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
