// Serves the web build (`dist/`) and passes the API's paths on to the
// running backend (`API_URL`), so the page, its cookies and the API share
// one origin as they would behind one host. For the browser tests only.
import { createReadStream, statSync } from "node:fs";
import http from "node:http";
import { extname, join, normalize, resolve } from "node:path";

const root = resolve(process.env.DIST_DIR ?? "dist");
const api = new URL(process.env.API_URL ?? "http://127.0.0.1:8000");
const base = process.env.API_BASE ?? "/api";
const port = Number(process.env.PORT ?? "8081");
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".ttf": "font/ttf",
};

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function pass(request, response) {
  const upstream = http.request(
    {
      host: api.hostname,
      port: api.port,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: api.host },
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on("error", (error) => {
    response.writeHead(502, { "Content-Type": "text/plain" });
    response.end(`the API did not answer: ${error.message}`);
  });
  request.pipe(upstream);
}

http
  .createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    if (path === base || path.startsWith(`${base}/`)) {
      pass(request, response);
      return;
    }
    const file = normalize(join(root, path));
    const found = file.startsWith(root) && isFile(file) ? file : join(root, "index.html");
    response.writeHead(200, { "Content-Type": types[extname(found)] ?? "application/octet-stream" });
    createReadStream(found).pipe(response);
  })
  .listen(port, "127.0.0.1");
