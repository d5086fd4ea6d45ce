/**
 * The admin web app (`clients/admin`), served at `/admin/` from its build.
 *
 * Same origin as the API, so the session cookie and the CSRF header work
 * without CORS. Files come from `ADMIN_DIST_DIR` (default
 * `clients/admin/dist`), looked up on every request: without a build
 * `/admin/` answers 404, and a build made while the app runs is served at
 * once. A path that is no file of the build gets `index.html` (the app
 * routes in the browser). The pages get a Content-Security-Policy that lets
 * the app's own scripts, styles and API calls run, and nothing else.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, isAbsolute, join, relative, resolve } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import { PROJECT_ROOT } from "../paths.js";
import { notFound } from "../problems.js";

const PREFIX = "/admin";

/** What the admin pages may load: their own scripts, styles and API, nothing inline. */
export const ADMIN_APP_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Registers `/admin` and `/admin/*`. */
export function adminAppRoutes(app: FastifyInstance): void {
  const root = resolve(PROJECT_ROOT, app.config.adminDistDir);

  const send = async (reply: FastifyReply, path: string, cache: string) =>
    reply
      .header("content-security-policy", ADMIN_APP_CSP)
      .header("cache-control", cache)
      .type(TYPES[extname(path)] ?? "application/octet-stream")
      .send(await readFile(path));

  // The app's relative URLs need the slash.
  app.get(PREFIX, async (_request, reply) => reply.redirect(`${PREFIX}/`, 308));

  app.get(`${PREFIX}/*`, async (request, reply) => {
    const index = join(root, "index.html");
    if (!(await isFile(index))) {
      throw notFound("The admin app is not built.");
    }
    const wanted = (request.params as { "*"?: string })["*"] ?? "";
    const candidate = resolve(root, wanted);
    const inside = relative(root, candidate);
    const found =
      wanted !== "" && !inside.startsWith("..") && !isAbsolute(inside) && (await isFile(candidate))
        ? candidate
        : null;
    if (found !== null && inside.startsWith("assets")) {
      // Vite names assets by their content: they never change.
      return send(reply, found, "public, max-age=31536000, immutable");
    }
    return send(reply, found ?? index, "no-cache");
  });
}
