/** Liveness and readiness probes, and the API document. */
import { readFile } from "node:fs/promises";
import { sql } from "kysely";
import type { FastifyInstance } from "fastify";
import { OPENAPI_PATH } from "../paths.js";
import { notFound, sendProblem, unavailable } from "../problems.js";

/** Milliseconds the readiness query may take. */
export const READY_QUERY_TIMEOUT_MS = 2000;

/** `/healthz`, `/readyz` and `/openapi.json`, at the root. */
export function healthRoutes(app: FastifyInstance): void {
  // 200 while the process is up; never touches the database.
  app.get("/healthz", () => ({ status: "ok" }));

  // 200 when requests can be served: a connection from the requests' pool
  // answers a query within READY_QUERY_TIMEOUT_MS; 503 otherwise.
  app.get("/readyz", async (request, reply) => {
    try {
      await app.db.transaction().execute(async (tx) => {
        await sql`SELECT set_config('statement_timeout', ${String(READY_QUERY_TIMEOUT_MS)}, true)`.execute(
          tx,
        );
        await sql`SELECT 1`.execute(tx);
      });
    } catch (error) {
      request.log.warn({ err: error }, "the database is unavailable");
      return sendProblem(reply, unavailable());
    }
    return { status: "ok" };
  });

  // The OpenAPI 3.1 document of this API, shipped in `docs/openapi.json`.
  app.get("/openapi.json", async (_request, reply) => {
    let text: string;
    try {
      text = await readFile(OPENAPI_PATH, "utf8");
    } catch {
      throw notFound("The API document is not there.");
    }
    return reply.type("application/json").send(text);
  });
}
