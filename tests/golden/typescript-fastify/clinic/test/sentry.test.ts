/**
 * Error reports against a loopback stand-in for Sentry's ingestion API:
 * what a report carries (the request id) and what it never carries.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import { install, scrub } from "../src/integrations/sentry.js";
import { testConfig } from "./helpers.js";
import { freePort } from "./servers.js";

const EMAIL = "reported.person@example.com";
const SESSION = "session-token-that-must-not-leave";
const BEARER = "bearer-token-that-must-not-leave";
const CSRF = "csrf-token-that-must-not-leave";
const PASSWORD = "a password that must not leave";

/** Sentry's ingestion API on a free loopback port, keeping every envelope. */
async function fakeSentry() {
  const envelopes: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      envelopes.push(Buffer.concat(chunks).toString("utf8"));
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    dsn: `http://publickey@127.0.0.1:${String(port)}/1`,
    envelopes,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** The app with one more route, which reads the body and fails; `dsn` reports it. */
async function failingApp(dsn: string | undefined) {
  const app = await buildApp(testConfig());
  const client = install(app, dsn === undefined ? {} : { SENTRY_DSN: dsn });
  app.post("/sentry-test-failure", (request) => {
    const { email } = request.body as { email: string };
    throw new Error(`could not handle ${email}`);
  });
  await app.ready();
  return { app, client };
}

/** Sends a request full of personal data to the failing route; its request id. */
async function trigger(app: FastifyInstance): Promise<string> {
  const response = await app.inject({
    method: "POST",
    url: `/sentry-test-failure?email=${EMAIL}`,
    payload: { email: EMAIL, password: PASSWORD },
    headers: { authorization: `Bearer ${BEARER}`, "x-csrf-token": CSRF },
    cookies: { session: SESSION },
  });
  expect(response.statusCode).toBe(500);
  expect(response.body).not.toContain(EMAIL);
  return String(response.headers["x-request-id"]);
}

/** The event items of an envelope (a header line, then item header and payload pairs). */
function events(envelope: string): Record<string, unknown>[] {
  const lines = envelope.split("\n");
  const found: Record<string, unknown>[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    const header = JSON.parse(lines[i] ?? "{}") as { type?: string };
    if (header.type === "event") {
      found.push(JSON.parse(lines[i + 1] ?? "{}") as Record<string, unknown>);
    }
  }
  return found;
}

describe("error reports to Sentry", () => {
  let sentry: Awaited<ReturnType<typeof fakeSentry>>;
  beforeAll(async () => {
    sentry = await fakeSentry();
  });
  afterAll(async () => {
    await sentry.stop();
  });

  it("reports an unhandled error, tagged with its request id, without personal data", async () => {
    const { app, client } = await failingApp(sentry.dsn);
    try {
      const requestId = await trigger(app);
      expect(await client?.flush(5000)).toBe(true);
      const reported = sentry.envelopes.flatMap(events);
      const tags = reported.map((event) => (event.tags as Record<string, string>).request_id);
      expect(tags).toContain(requestId);
      const raw = sentry.envelopes.join("");
      for (const secret of [EMAIL, SESSION, BEARER, CSRF, PASSWORD, "reported.person"]) {
        expect(raw).not.toContain(secret);
      }
      for (const event of reported) {
        const request = (event.request ?? {}) as Record<string, unknown>;
        expect(Object.keys(request)).not.toContain("cookies");
        expect(Object.keys(request)).not.toContain("data");
        expect(Object.keys(request)).not.toContain("query_string");
        const headers = Object.keys(request.headers ?? {}).map((h) => h.toLowerCase());
        expect(headers).not.toContain("authorization");
        expect(headers).not.toContain("cookie");
        expect(headers).not.toContain("x-csrf-token");
        expect(event).not.toHaveProperty("user");
      }
    } finally {
      await app.close();
    }
  });

  it("sends nothing without SENTRY_DSN", async () => {
    const before = sentry.envelopes.length;
    const { app, client } = await failingApp(undefined);
    try {
      expect(client).toBeNull();
      await trigger(app);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sentry.envelopes).toHaveLength(before);
    } finally {
      await app.close();
    }
  });

  it("scrubs credentials and redacts addresses", () => {
    const scrubbed = scrub({
      request: {
        url: `http://testserver/x?email=${EMAIL}`,
        headers: { Authorization: "Bearer x", Cookie: "a=b", Accept: "*/*" },
        cookies: { session: SESSION },
        data: { password: PASSWORD },
        query_string: `email=${EMAIL}`,
      },
      user: { email: EMAIL },
      message: `failed for ${EMAIL}`,
    });
    expect(scrubbed.request).toEqual({ url: "http://testserver/x", headers: { Accept: "*/*" } });
    expect(scrubbed).not.toHaveProperty("user");
    expect(scrubbed.message).not.toContain(EMAIL);
  });
});
