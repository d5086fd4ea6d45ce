// {{title}}: a small JSON service behind Acme's gateway, which signs users
// in and passes `X-User-Id` and `X-User-Role` to it.
import http from "node:http";
import pg from "pg";

{{#each entities}}import * as {{module}} from "./routes/{{module}}.mjs";
{{/each}}
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
const BASE = {{base_path}};

const routes = [
{{#each entities}}  [BASE + "/{{collection}}", {{module}}],
{{/each}}];

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

async function readJson(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  const caller = { id: req.headers["x-user-id"], role: req.headers["x-user-role"] };
  if (!caller.id || !caller.role) return send(res, 401, { title: "Unauthorized" });
  for (const [prefix, handlers] of routes) {
    if (url.pathname !== prefix && !url.pathname.startsWith(prefix + "/")) continue;
    const id = url.pathname.slice(prefix.length + 1) || null;
    try {
      if (req.method === "GET" && id) return send(res, ...(await handlers.read(pool, caller, id)));
      if (req.method === "GET") return send(res, ...(await handlers.list(pool, caller, url.searchParams)));
      if (req.method === "POST" && !id) return send(res, ...(await handlers.create(pool, caller, await readJson(req))));
      return send(res, 405, { title: "Method Not Allowed" });
    } catch (error) {
      console.error(error);
      return send(res, 500, { title: "Internal Server Error" });
    }
  }
  return send(res, 404, { title: "Not Found" });
});

server.listen(Number(process.env.PORT ?? 8000));
