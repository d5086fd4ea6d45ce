/** The Fastify app: plugins, error handling and routes, for a configuration. */
import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { BlockList } from "node:net";
import { parseTrustedProxies } from "./client.js";
import type { Config } from "./config.js";
import { type Db, openDb } from "./db.js";
import { invalid, registerProblems } from "./problems.js";
import { authRoutes } from "./routes/auth.js";
import { healthRoutes } from "./routes/health.js";
import { badTextAt, TEXT_RULE } from "./text.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The database, shared by every request. */
    db: Db;
    /** The configuration the app was built with. */
    config: Config;
    /** The proxies whose `X-Forwarded-For` is believed. */
    trustedProxies: BlockList;
  }
}

/** The largest request body, in bytes. */
export const BODY_LIMIT = 1_048_576;

/** Log fields never written: credentials and cookies. */
const REDACT = [
  "req.headers.cookie",
  "req.headers.authorization",
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

/** Builds the app; it closes its database pool when it closes. */
export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel, redact: { paths: REDACT, censor: "[redacted]" } },
    bodyLimit: BODY_LIMIT,
    // The client address is the TCP peer unless TRUSTED_PROXIES says otherwise.
    trustProxy: false,
    return503OnClosing: true,
  });
  // JSON as Fastify parses it (prototype poisoning refused), except that an
  // empty body is no body: a client may send `Content-Type: application/json`
  // with nothing on a request that takes none (sign-out). Every string in a
  // body keeps the text rule (text.ts), or the body is 422 naming it.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text === "") {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, (error, parsed: unknown) => {
      const bad = error === null ? badTextAt(parsed) : null;
      if (bad !== null) {
        done(invalid({ [bad]: TEXT_RULE }), undefined);
        return;
      }
      done(error, parsed);
    });
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate("config", config);
  app.decorate("trustedProxies", parseTrustedProxies(config.trustedProxies));
  app.decorate(
    "db",
    openDb(
      {
        url: config.databaseUrl,
        poolSize: config.dbPoolSize,
        connectTimeoutMs: config.dbPoolTimeoutMs,
        statementTimeoutMs: config.dbStatementTimeoutMs,
      },
      app.log,
    ),
  );
  app.addHook("onClose", async () => {
    await app.db.destroy();
  });
  registerProblems(app);
  await app.register(helmet, { contentSecurityPolicy: { directives: { defaultSrc: ["'none'"] } } });
  await app.register(cookie);
  healthRoutes(app);
  authRoutes(app);
  return app;
}
