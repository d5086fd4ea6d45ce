// {{name}} rows: list, read and create, with the access rules of the spec.

/** The scope of each role per action: "all", "own" or "none". */
const ACCESS = {{access}};
const COLUMNS = {{columns}};

function scope(caller, action) {
  return ACCESS[action][caller.role] ?? "none";
}

export async function list(pool, caller, params) {
  const may = scope(caller, "read");
  if (may === "none") return [403, { title: "Forbidden" }];
  const limit = Math.min(Math.max(Number(params.get("limit") ?? {{page_size}}), 1), 500);
  const mine = may === "own";
  const { rows } = await pool.query(
    `SELECT * FROM {{table}}${mine ? " WHERE owner_id = $2" : ""} ORDER BY created_at, id LIMIT $1`,
    mine ? [limit, caller.id] : [limit],
  );
  return [200, { items: rows, next_cursor: null }];
}

export async function read(pool, caller, id) {
  const may = scope(caller, "read");
  if (may === "none") return [403, { title: "Forbidden" }];
  const { rows } = await pool.query("SELECT * FROM {{table}} WHERE id = $1", [id]);
  const row = rows[0];
  if (!row || (may === "own" && row.owner_id !== caller.id)) return [404, { title: "Not Found" }];
  return [200, row];
}

export async function create(pool, caller, body) {
  if (scope(caller, "create") === "none") return [403, { title: "Forbidden" }];
  const names = COLUMNS.filter((c) => c in body);
  const values = names.map((c) => body[c]);
{{#if owned}}  names.push("owner_id");
  values.push(caller.id);
{{/if}}  const marks = values.map((_, i) => `$${i + 1}`).join(", ");
  const { rows } = await pool.query(
    `INSERT INTO {{table}} (${names.join(", ")}) VALUES (${marks}) RETURNING *`,
    values,
  );
  return [201, rows[0]];
}
