/**
 * Error reports to Sentry (the `sentry` integration), with Sentry's core
 * SDK and its server client.
 *
 * With `SENTRY_DSN` set, every error the app answers 500 is reported
 * (`reportUnhandledErrors` in `src/problems.ts`); without it nothing is
 * started and nothing is sent. Performance traces are not collected.
 *
 * A report is scrubbed before it leaves the process: no cookies, no
 * Authorization, Cookie or CSRF headers, no request body, no query string,
 * no user, no breadcrumbs, and every e-mail address in its texts is
 * redacted. Each report is tagged with the id of the request that failed.
 */
import {
  createStackParser,
  createTransport,
  type ErrorEvent,
  type Event,
  Scope,
} from "@sentry/core";
import { nodeStackLineParser, ServerRuntimeClient } from "@sentry/core/server";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { reportUnhandledErrors } from "../problems.js";

/** Request headers that carry credentials or session state: never reported. */
const SENSITIVE_HEADERS = new Set([
  "authorization",
  "cookie",
  "proxy-authorization",
  "set-cookie",
  "x-csrf-token",
]);

/** Parts of a report's request that may carry personal data: never reported. */
const DROPPED_REQUEST_KEYS = new Set(["cookies", "data", "query_string", "env"]);

const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/g;

const SentrySettings = z.object({
  SENTRY_DSN: z.string().default(""),
  SENTRY_ENVIRONMENT: z.string().default("production"),
  SENTRY_RELEASE: z.string().default(""),
});

/** What the integration reads from the environment. */
export type SentrySettings = z.output<typeof SentrySettings>;

/** The value with every text in it redacted, containers walked. */
function redacted(value: unknown): unknown {
  if (typeof value === "string") {
    return value.replace(EMAIL, "[redacted]");
  }
  if (Array.isArray(value)) {
    return value.map(redacted);
  }
  const plain =
    value !== null &&
    typeof value === "object" &&
    [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);
  if (plain) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redacted(item)]));
  }
  return value;
}

/** The report without personal data or credentials. */
export function scrub<T extends Event>(event: T): T {
  if (event.request !== undefined) {
    const request: typeof event.request = Object.fromEntries(
      Object.entries(event.request).filter(([key]) => !DROPPED_REQUEST_KEYS.has(key)),
    );
    event.request = request;
    if (request.headers !== undefined) {
      request.headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          ([name]) => !SENSITIVE_HEADERS.has(name.toLowerCase()),
        ),
      );
    }
    if (request.url !== undefined) {
      request.url = request.url.split("?")[0];
    }
  }
  delete event.user;
  delete event.breadcrumbs;
  // The SDK's own bookkeeping (scopes, spans) is not sent: left as it is.
  const { sdkProcessingMetadata, ...sent } = event;
  return { ...(redacted(sent) as T), sdkProcessingMetadata };
}

/**
 * Starts the client when `SENTRY_DSN` is set, and has it report every error
 * `app` answers 500; the client, or `null` when nothing is sent.
 */
export function install(
  app: FastifyInstance,
  env: NodeJS.ProcessEnv = process.env,
): ServerRuntimeClient | null {
  const settings = SentrySettings.parse(env);
  if (settings.SENTRY_DSN === "") {
    return null;
  }
  const client = new ServerRuntimeClient({
    dsn: settings.SENTRY_DSN,
    environment: settings.SENTRY_ENVIRONMENT,
    ...(settings.SENTRY_RELEASE === "" ? {} : { release: settings.SENTRY_RELEASE }),
    platform: "node",
    runtime: { name: "node", version: process.version },
    integrations: [],
    sendDefaultPii: false,
    maxBreadcrumbs: 0,
    stackParser: createStackParser(nodeStackLineParser()),
    transport: (options) =>
      createTransport(options, async (request) => {
        const response = await fetch(options.url, {
          method: "POST",
          body: request.body,
          headers: options.headers,
          signal: AbortSignal.timeout(5000),
        });
        await response.body?.cancel();
        return {
          statusCode: response.status,
          headers: {
            "x-sentry-rate-limits": response.headers.get("x-sentry-rate-limits"),
            "retry-after": response.headers.get("retry-after"),
          },
        };
      }),
    beforeSend: (event: ErrorEvent) => scrub(event),
  });
  client.init();
  reportUnhandledErrors(app, (error, request) => {
    // The request as it came; `scrub` takes out what must not leave.
    const scope = new Scope();
    scope.setTag("request_id", request.id);
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
    );
    scope.addEventProcessor((event) => ({
      ...event,
      request: { method: request.method, url: request.url, headers },
    }));
    client.captureException(error, undefined, scope);
  });
  app.addHook("onClose", async () => {
    await client.close(2000);
  });
  return client;
}
