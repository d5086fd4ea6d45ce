import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { BASE_PATH } from "../src/base.js";
import { PROBLEM_JSON } from "../src/problems.js";
import { WINDOW_SECONDS } from "../src/ratelimit.js";
import { ROLES } from "../src/services/users.js";
import { testApp } from "./helpers.js";
import { signIn } from "./rows.js";

/** Waits for the next window when the current one ends within 5 s, so a test's requests share one. */
async function roomInWindow(): Promise<void> {
  const left = WINDOW_SECONDS * 1000 - (Date.now() % (WINDOW_SECONDS * 1000));
  if (left < 5000) {
    await new Promise((resolve) => setTimeout(resolve, left + 100));
  }
}

describe("rate limits", () => {
  // Two apps (as two processes or replicas would be) on one database and one
  // SECRET_KEY, each from its own client address so the tests do not meet.
  const secret = `rate-limit-test-secret-${randomUUID()}`;
  let first: FastifyInstance;
  let second: FastifyInstance;
  beforeAll(async () => {
    const limits = { SECRET_KEY: secret, RATE_LIMIT_CLIENT: "4", RATE_LIMIT_USER: "3" };
    first = await testApp(limits);
    second = await testApp(limits);
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  /** A request from `address` (a fresh one per test keeps the windows apart). */
  const from = (app: FastifyInstance, address: string, headers: Record<string, string> = {}) =>
    app.inject({ method: "GET", url: `${BASE_PATH}/auth/me`, remoteAddress: address, headers });

  it("answers 429 with Retry-After past the client limit, counted across processes", async () => {
    await roomInWindow();
    const address = "192.0.2.10";
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await from(i % 2 === 0 ? first : second, address)).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401]);
    const limited = await from(first, address);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["content-type"]).toContain(PROBLEM_JSON);
    const retryAfter = Number(limited.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another address is not limited.
    expect((await from(second, "192.0.2.11")).statusCode).toBe(401);
  });

  it("never limits the probes", async () => {
    for (let i = 0; i < 8; i += 1) {
      const response = await first.inject({
        method: "GET",
        url: "/healthz",
        remoteAddress: "192.0.2.20",
      });
      expect(response.statusCode).toBe(200);
    }
  });

  it("limits a user across addresses", async () => {
    const user = await signIn(first, ROLES[0] ?? "");
    await roomInWindow();
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await from(first, `198.51.100.${String(i + 1)}`, user.headers)).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
