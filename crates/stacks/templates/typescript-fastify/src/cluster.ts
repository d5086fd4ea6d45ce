/**
 * The production server: `WEB_CONCURRENCY` worker processes (default: one
 * per CPU) sharing HOST and PORT, each with its own pool of at most
 * `DB_POOL_SIZE` connections. A worker that dies is replaced; SIGTERM or
 * SIGINT stops every worker gracefully, then the primary.
 */
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import pino from "pino";
import { requireNode } from "./runtime.js";

/** How many workers to run: `WEB_CONCURRENCY`, else one per CPU. */
export function workerCount(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WEB_CONCURRENCY;
  const wanted = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : availableParallelism();
}

requireNode("the server");

if (cluster.isPrimary) {
  // The primary's own lines, as JSON like the workers' (LOG_LEVEL as theirs).
  const log = pino({ level: process.env.LOG_LEVEL?.toLowerCase() ?? "info" });
  let stopping = false;
  cluster.on("exit", (worker, code, signal) => {
    if (!stopping) {
      log.error({ pid: worker.process.pid, code, signal }, "worker exited; starting another");
      cluster.fork();
    } else if (Object.keys(cluster.workers ?? {}).length === 0) {
      process.exit(0);
    }
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) {
        worker?.process.kill("SIGTERM");
      }
    });
  }
  for (let i = 0; i < workerCount(); i += 1) {
    cluster.fork();
  }
} else {
  await import("./server.js");
}
