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

function chromium(): string {
  const named = process.env.CHROMIUM_PATH;
  if (named) {
    return named;
  }
  return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], {
    encoding: "utf8",
  }).trim();
}

const port = Number(process.env.MOBILE_WEB_PORT ?? "8081");

export default defineConfig({
  testDir: "e2e",
  workers: 1,
  // Under CI (the gate sets CI) a failed test runs once more; one that then
  // passes is reported as flaky, not hidden.
  retries: process.env.CI ? 1 : 0,
  fullyParallel: false,
  timeout: 90_000,
  // A loaded CI machine can take longer than the default 5 s to render.
  expect: { timeout: 15_000 },
  reporter: "list",
  outputDir: process.env.E2E_OUTPUT ?? "test-results",
  webServer: {
    command: "node e2e/serve.mjs",
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    env: { PORT: String(port), API_BASE, API_URL: process.env.API_URL ?? "http://127.0.0.1:8000" },
  },
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    headless: true,
    screenshot: "only-on-failure",
    launchOptions: { executablePath: chromium() },
  },
});
