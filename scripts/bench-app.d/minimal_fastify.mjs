/**
 * The least a backend may do per request, in Fastify: the benchmark's
 * yardstick for typescript-fastify (minimal_fastapi.py's twin). It serves
 * the tasks example's projects from the generated project's own tables:
 * the session looked up by its token's hash, then one page of the caller's
 * rows, one row, one insert, or the argon2id check and a new session.
 *
 * scripts/bench-app copies it into the generated project and runs it with
 * that project's packages (Fastify, @fastify/cookie, pg, @node-rs/argon2),
 * on the same database, with the same pool size (`DB_POOL_SIZE`).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import cookie from "@fastify/cookie";
import { verify } from "@node-rs/argon2";
import Fastify from "fastify";
import pg from "pg";

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? "5"),
});
const app = Fastify({ logger: false });
await app.register(cookie);

const COLUMNS = "id, owner_id, name, summary, archived, created_at, updated_at";
const hash = (token) => createHash("sha256").update(token).digest("hex");

/** The caller's id, or `null` after answering 401. */
async function caller(db, request, reply) {
  const found = await db.query(
    "SELECT user_id FROM auth_sessions WHERE token_hash = $1 AND expires_at > now()",
    [hash(request.cookies.session ?? "")],
  );
  if (found.rows.length === 0) {
    await reply.code(401).send({});
    return null;
  }
  return found.rows[0].user_id;
}

app.get("/api/projects", async (request, reply) => {
  const owner = await caller(pool, request, reply);
  if (owner === null) {
    return reply;
  }
  const rows = await pool.query(
    `SELECT ${COLUMNS} FROM projects WHERE owner_id = $1 ORDER BY created_at, id LIMIT 50`,
    [owner],
  );
  return { items: rows.rows, next_cursor: null };
});

app.get("/api/projects/:id", async (request, reply) => {
  const owner = await caller(pool, request, reply);
  if (owner === null) {
    return reply;
  }
  const found = await pool.query(`SELECT ${COLUMNS} FROM projects WHERE id = $1 AND owner_id = $2`, [
    request.params.id,
    owner,
  ]);
  return found.rows[0] ?? reply.code(404).send({});
});

app.post("/api/projects", async (request, reply) => {
  const { name, summary = null, archived = false } = request.body ?? {};
  if (typeof name !== "string" || name.length > 120) {
    return reply.code(422).send({});
  }
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const owner = await caller(client, request, reply);
    if (owner === null) {
      await client.query("ROLLBACK");
      return reply;
    }
    const row = await client.query(
      `INSERT INTO projects (id, owner_id, name, summary, archived, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, now(), now()) RETURNING ${COLUMNS}`,
      [randomUUID(), owner, name, summary, archived],
    );
    await client.query("COMMIT");
    return reply.code(201).send(row.rows[0]);
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
});

app.post("/api/auth/login", async (request, reply) => {
  const { email = "", password = "" } = request.body ?? {};
  const found = await pool.query("SELECT id, password_hash FROM auth_users WHERE email = $1", [
    String(email),
  ]);
  const user = found.rows[0];
  if (user === undefined || !(await verify(user.password_hash, String(password)))) {
    return reply.code(401).send({});
  }
  const token = randomBytes(32).toString("base64url");
  const csrf = randomBytes(32).toString("base64url");
  await pool.query(
    `INSERT INTO auth_sessions (id, user_id, token_hash, csrf_token, created_at, last_seen_at, expires_at)
     VALUES ($1, $2, $3, $4, now(), now(), now() + interval '12 hours')`,
    [randomUUID(), user.id, hash(token), csrf],
  );
  void reply.setCookie("session", token, { httpOnly: true, sameSite: "lax", path: "/" });
  return { user_id: user.id, csrf_token: csrf };
});

app.get("/healthz", async () => ({ status: "ok" }));

await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? "8001") });
