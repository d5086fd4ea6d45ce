/** Serves the app on HOST and PORT until SIGTERM or SIGINT. */
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { requireNode } from "./runtime.js";

async function main(): Promise<void> {
  requireNode("the server");
  const config = loadConfig();
  const app = await buildApp(config);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, "shutting down");
      void app.close().then(() => process.exit(0));
    });
  }
  await app.listen({ host: config.host, port: config.port });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
