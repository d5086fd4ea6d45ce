import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { OPENAPI_PATH } from "../src/paths.js";
import { PROBLEM_JSON } from "../src/problems.js";
import { testApp } from "./helpers.js";

describe("probes", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it("answers /healthz", async () => {
    const response = await app.inject({ method: "GET", url: "/healthz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ok" });
  });

  it("answers /readyz when the database does", async () => {
    const response = await app.inject({ method: "GET", url: "/readyz" });
    expect(response.statusCode).toBe(200);
  });

  it("serves the API document", async () => {
    const response = await app.inject({ method: "GET", url: "/openapi.json" });
    if (existsSync(OPENAPI_PATH)) {
      expect(response.statusCode).toBe(200);
      expect(response.json()).toHaveProperty("openapi");
    } else {
      expect(response.statusCode).toBe(404);
    }
  });

  it("answers an unknown path with a problem document", async () => {
    const response = await app.inject({ method: "GET", url: "/no/such/path" });
    expect(response.statusCode).toBe(404);
    expect(response.headers["content-type"]).toContain(PROBLEM_JSON);
    expect(response.json()).toMatchObject({ status: 404, title: "Not Found" });
  });

  it("answers a method a path does not serve with 405 naming those it does", async () => {
    for (const method of ["TRACE", "DELETE", "PUT"] as const) {
      const response = await app.inject({ method, url: "/healthz", payload: "{" });
      expect(response.statusCode, method).toBe(405);
      expect(response.headers.allow).toBe("GET");
      expect(response.headers["content-type"]).toContain(PROBLEM_JSON);
    }
  });

  it("sends the security headers and the request id", async () => {
    const response = await app.inject({ method: "GET", url: "/healthz" });
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["content-security-policy"]).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(response.headers["strict-transport-security"]).toBe(
      "max-age=63072000; includeSubDomains",
    );
    expect(response.headers["referrer-policy"]).toBe("no-referrer");
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "trace-42" },
    });
    expect(echoed.headers["x-request-id"]).toBe("trace-42");
    const refused = await app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "not sane\u0001" },
    });
    expect(refused.headers["x-request-id"]).not.toBe("not sane\u0001");
  });
});

describe("probes without a database", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    app = await testApp({
      DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none",
      DB_POOL_TIMEOUT: "1",
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it("is alive", async () => {
    const response = await app.inject({ method: "GET", url: "/healthz" });
    expect(response.statusCode).toBe(200);
  });

  it("is not ready, and says when to try again", async () => {
    const response = await app.inject({ method: "GET", url: "/readyz" });
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("5");
    expect(response.headers["content-type"]).toContain(PROBLEM_JSON);
  });
});

describe("cross-origin requests", () => {
  const allowed = "https://app.example.com";
  let app: FastifyInstance;
  let closed: FastifyInstance;
  beforeAll(async () => {
    app = await testApp({ CORS_ORIGINS: `${allowed}, https://admin.example.com` });
    closed = await testApp();
  });
  afterAll(async () => {
    await app.close();
    await closed.close();
  });

  /** A browser's preflight from `origin` before a PATCH with a CSRF header. */
  const preflight = (target: FastifyInstance, origin: string) =>
    target.inject({
      method: "OPTIONS",
      url: "/healthz",
      headers: {
        origin,
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "content-type, x-csrf-token",
      },
    });

  it("lets a listed origin call with its cookies", async () => {
    const response = await preflight(app, allowed);
    expect(response.statusCode).toBe(204);
    expect(response.headers["access-control-allow-origin"]).toBe(allowed);
    expect(response.headers["access-control-allow-credentials"]).toBe("true");
    expect(String(response.headers["access-control-allow-methods"])).toContain("PATCH");
    const read = await app.inject({ method: "GET", url: "/healthz", headers: { origin: allowed } });
    expect(read.headers["access-control-allow-origin"]).toBe(allowed);
  });

  it("tells an unlisted origin nothing, and no origin without CORS_ORIGINS", async () => {
    const other = await preflight(app, "https://evil.example.com");
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    const none = await preflight(closed, allowed);
    expect(none.headers["access-control-allow-origin"]).toBeUndefined();
    const read = await closed.inject({
      method: "GET",
      url: "/healthz",
      headers: { origin: allowed },
    });
    expect(read.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
