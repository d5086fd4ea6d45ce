/** The Fastify app: plugins, error handling and routes, for a configuration. */
import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { randomUUID } from "node:crypto";
import helmet from "helmet";
import { IncomingMessage, ServerResponse } from "node:http";
import { type BlockList, Socket } from "node:net";
import { parseTrustedProxies } from "./client.js";
import type { Config } from "./config.js";
import { type Db, openDb } from "./db.js";
import { INSTALLERS } from "./integrations/index.js";
import { hasInexactWhole, parseExact, withoutPrototypes } from "./json.js";
import { invalid, Problem, registerProblems } from "./problems.js";
import { registerRateLimits } from "./ratelimit.js";
import { accountRoutes } from "./routes/account.js";
import { adminRoutes } from "./routes/admin.js";
import { adminAppRoutes } from "./routes/admin-app.js";
import { authRoutes } from "./routes/auth.js";
import { entityRoutes } from "./routes/entities.js";
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

/** A client's `X-Request-ID` is kept when it is short and plain; else a new one is made. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The request id of a request: the client's when sane, else a new UUID. */
function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers["x-request-id"];
  return typeof sent === "string" && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** Log fields never written: credentials and cookies. */
const REDACT = [
  "req.headers.cookie",
  "req.headers.authorization",
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

/** The methods answered 405 lists, in this order (HEAD goes with GET). */
const LISTED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/**
 * A request for a path the app serves, with a method it does not serve
 * there (TRACE, QUERY, PUT on a row…), is 405 naming the methods it does
 * serve in `Allow`, answered before any body is read.
 */
function answerUnservedMethods(app: FastifyInstance): void {
  const served: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook("onRoute", (route) => {
    // Only the methods an API path serves: the CORS preflight's OPTIONS
    // route (any path) and HEAD say nothing about them.
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) =>
      LISTED_METHODS.includes(m),
    );
    if (methods.length === 0) {
      return;
    }
    const path = route.url
      .split(/(:[^/]+|\*)/)
      .map((part) => {
        if (part === "*") {
          return ".*";
        }
        return part.startsWith(":") ? "[^/]+" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("");
    const pattern = new RegExp(`^${path}/?$`);
    const known = served.find((s) => s.pattern.source === pattern.source);
    if (known === undefined) {
      served.push({ pattern, methods: new Set(methods) });
    } else {
      methods.forEach((m) => known.methods.add(m));
    }
  });
  app.addHook("onRequest", async (request, reply) => {
    if (!request.is404) {
      return;
    }
    const path = request.url.split("?")[0] ?? "";
    const allowed = new Set(
      served.filter((s) => s.pattern.test(path)).flatMap((s) => [...s.methods]),
    );
    if (allowed.size > 0) {
      void reply.header("allow", LISTED_METHODS.filter((m) => allowed.has(m)).join(", "));
      throw new Problem(405, "This path does not serve this method.");
    }
  });
}

/**
 * The protective headers every archgen backend sends (an API serves no
 * pages), as helmet sets them, worked out once when the app is built: its
 * Fastify plugin builds helmet's middleware anew for every request, which
 * cost a read more than its own statements did.
 */
export function protectiveHeaders(): Readonly<Record<string, string>> {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true, preload: false },
    referrerPolicy: { policy: "no-referrer" },
    frameguard: { action: "deny" },
  })(request, response, () => undefined);
  return Object.freeze(
    Object.fromEntries(
      Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]),
    ),
  );
}

/** Builds the app; it closes its database pool when it closes. */
export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel, redact: { paths: REDACT, censor: "[redacted]" } },
    bodyLimit: BODY_LIMIT,
    // The client address is the TCP peer unless TRUSTED_PROXIES says otherwise.
    trustProxy: false,
    return503OnClosing: true,
    genReqId: requestIdOf,
  });
  // Every answer, errors and 404s included, names its request and carries
  // the protective headers.
  const protective = protectiveHeaders();
  app.addHook("onRequest", (request, reply, done) => {
    void reply.header("x-request-id", request.id).headers(protective);
    done();
  });
  answerUnservedMethods(app);
  // JSON as Fastify parses it (prototype poisoning refused), except that an
  // empty body is no body: a client may send `Content-Type: application/json`
  // with nothing on a request that takes none (sign-out), a whole number
  // past ±2^53 keeps its digits, and objects have no prototype, so a member
  // named `constructor` is there only when sent (json.ts). Every string in a
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
      done(
        error,
        error === null
          ? withoutPrototypes(hasInexactWhole(parsed) ? parseExact(text) : parsed)
          : parsed,
      );
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
  // The integrations the spec names that act in the app (error reports…).
  for (const install of INSTALLERS) {
    install(app);
  }
  // Browser origins other than the API's own may call it only when listed
  // (CORS_ORIGINS), with their cookies; none are by default.
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      credentials: true,
      methods: LISTED_METHODS,
      maxAge: 600,
    });
  }
  await app.register(cookie);
  // After the cookie parser: a request's user is counted too.
  registerRateLimits(app);
  healthRoutes(app);
  authRoutes(app);
  accountRoutes(app);
  adminRoutes(app);
  adminAppRoutes(app);
  entityRoutes(app);
  return app;
}
