import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { NODE_MAJOR, nodeVersionProblem } from "../src/runtime.js";
import { testEnv } from "./helpers.js";

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("reads a complete environment", () => {
    const config = loadConfig(testEnv({ PORT: "8123", DB_POOL_SIZE: "7", COOKIE_SECURE: "false" }));
    expect(config.port).toBe(8123);
    expect(config.dbPoolSize).toBe(7);
    expect(config.cookieSecure).toBe(false);
    expect(config.migrationDatabaseUrl).toBe(config.databaseUrl);
  });

  it("names a missing required variable", () => {
    const env = testEnv();
    delete env.DATABASE_URL;
    expect(problemsOf(env)).toEqual(["DATABASE_URL (missing)"]);
  });

  it.each([
    ["the .env.example value", "change-me-to-a-long-random-string-of-32-or-more-characters"],
    ["a placeholder, in any case", "ChangeMe"],
    ["a short value", "x".repeat(31)],
  ])("refuses %s as SECRET_KEY", (_what, value) => {
    const problems = problemsOf(testEnv({ SECRET_KEY: value }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SECRET_KEY \(/);
  });

  it("refuses encryption keys that are not 32 bytes", () => {
    const problems = problemsOf(testEnv({ ENCRYPTION_KEYS: "c2hvcnQ" }));
    expect(problems[0]).toMatch(/^ENCRYPTION_KEYS \(/);
  });

  it("keeps every encryption key, newest first", () => {
    const first = Buffer.alloc(32, 1).toString("base64url");
    const second = Buffer.alloc(32, 2).toString("base64url");
    const config = loadConfig(testEnv({ ENCRYPTION_KEYS: `${first}, ${second}` }));
    expect(config.encryptionKeys.map((key) => key[0])).toEqual([1, 2]);
  });
});

describe("the Node.js it runs on", () => {
  it("is this project's major version or later", () => {
    expect(nodeVersionProblem("the server", process.versions.node)).toBeNull();
    expect(nodeVersionProblem("the server", `${String(NODE_MAJOR)}.0.0`)).toBeNull();
  });

  it("refuses an older one, naming the entry point and the version", () => {
    expect(nodeVersionProblem("the server", "20.20.2")).toBe(
      `the server runs on Node.js ${String(NODE_MAJOR)} (.nvmrc), not v20.20.2: ` +
        `put Node.js ${String(NODE_MAJOR)} first on PATH (for example: nvm use)`,
    );
    expect(nodeVersionProblem("cli", "garbage")).not.toBeNull();
  });
});
