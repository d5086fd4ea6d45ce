/**
 * The browser tests of the web build (`expo export --platform web` into
 * `dist/`): one headless Chromium, one worker. `e2e/serve.mjs` serves the
 * build and passes the API's paths on to the running backend (`API_URL`).
 * `CHROMIUM_PATH` names the browser (default: `chromium` on the PATH);
 * `E2E_OUTPUT` is where screenshots of failures go.
 */
import { execFileSync } from "node:child_process";

import { defineConfig } from "@playwright/test";

import { API_BASE } from "./src/model";

// Expo's typings give every variable of `process.env` the type `any`: read them as the strings they are.
const env: Readonly<Record<string, string | undefined>> = process.env;

function chromium(): string {
  const named = env.CHROMIUM_PATH;
  if (named) {
    return named;
  }
  return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], {
    encoding: "utf8",
  }).trim();
}

const port = Number(env.MOBILE_WEB_PORT ?? "8081");
const origin = `http://127.0.0.1:${String(port)}/`;

export default defineConfig({
  testDir: "e2e",
  workers: 1,
  // Under CI (the gate sets CI) a failed test runs once more; one that then
  // passes is reported as flaky, not hidden.
  retries: env.CI ? 1 : 0,
  fullyParallel: false,
  timeout: 90_000,
  // A loaded CI machine can take longer than the default 5 s to render.
  expect: { timeout: 15_000 },
  reporter: "list",
  outputDir: env.E2E_OUTPUT ?? "test-results",
  webServer: {
    command: "node e2e/serve.mjs",
    url: origin,
    reuseExistingServer: false,
    env: { PORT: String(port), API_BASE, API_URL: env.API_URL ?? "http://127.0.0.1:8000" },
  },
  use: {
    baseURL: origin,
    headless: true,
    screenshot: "only-on-failure",
    launchOptions: { executablePath: chromium() },
  },
});
