/**
 * The outbox worker: `node dist/src/mail/worker.js` (`make worker`).
 *
 * It sends due mail through the providers in the spec's order
 * (`src/mail/providers.ts`), then sleeps a little; `--once` sends what is
 * due and stops. Several workers may run at once: each row is claimed by
 * one. SIGTERM and SIGINT stop it after the row in hand.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import pino from "pino";
import { loadConfig } from "../config.js";
import { openDb } from "../db.js";
import { requireNode } from "../runtime.js";
import { drain } from "./outbox.js";
import { PROVIDERS } from "./providers.js";

/** How long the worker waits when nothing is due. */
const IDLE_MS = 2000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { once: { type: "boolean", default: false } } });
  const config = loadConfig();
  const log = pino({ level: config.logLevel });
  const db = openDb(
    {
      url: config.databaseUrl,
      poolSize: 1,
      connectTimeoutMs: config.dbPoolTimeoutMs,
      statementTimeoutMs: config.dbStatementTimeoutMs,
    },
    log,
  );
  const stop = new AbortController();
  process.once("SIGTERM", () => {
    stop.abort();
  });
  process.once("SIGINT", () => {
    stop.abort();
  });
  let handled = 0;
  try {
    for (;;) {
      handled += await drain(db, { providers: PROVIDERS, from: config.emailFrom, log });
      if (values.once || stop.signal.aborted) {
        break;
      }
      // Woken early by a stop signal.
      await sleep(IDLE_MS, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    await db.destroy();
  }
  log.info({ handled }, "mail worker stopped");
}

requireNode("the mail worker");

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
