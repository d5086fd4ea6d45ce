/** What the tests share: a configuration for the test database, and an app built from it. */
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import { type Config, loadConfig } from "../src/config.js";

/** The suite's SECRET_KEY (never use it outside tests). */
export const TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-the-suite";

/** The suite's encryption key: base64url of 32 fixed bytes (never use it outside tests). */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64url");

/** An environment that starts the app: DATABASE_URL from the caller, fresh secrets. */
export function testEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl === undefined || databaseUrl === "") {
    throw new Error("the tests need DATABASE_URL: a PostgreSQL database they may change");
  }
  return {
    DATABASE_URL: databaseUrl,
    // Fixed for the whole suite: every file's app reads the rows, cursors and
    // blind indexes the others wrote. Never use these outside tests.
    SECRET_KEY: TEST_SECRET_KEY,
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
    COOKIE_SECURE: "false",
    LOG_LEVEL: "silent",
    // The suite sends many requests from one address in a minute; the
    // rate-limit tests set small limits of their own.
    RATE_LIMIT_CLIENT: "1000000",
    RATE_LIMIT_USER: "1000000",
    ...overrides,
  };
}

/** The configuration of {@link testEnv}. */
export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig(testEnv(overrides));
}

/** An app on the test database, ready for `inject`. */
export async function testApp(overrides: NodeJS.ProcessEnv = {}): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(overrides));
  await app.ready();
  return app;
}
