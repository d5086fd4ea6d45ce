/**
 * The browser tests: one headless Chromium, one worker, against the app
 * as the backend serves it (`ADMIN_URL`, e.g. `http://127.0.0.1:8000/admin/`).
 * `CHROMIUM_PATH` names the browser (default: `chromium` on the PATH);
 * `E2E_OUTPUT` is where screenshots of failures go.
 */
import { execFileSync } from "node:child_process";

import { defineConfig } from "@playwright/test";

function chromium(): string {
  const named = process.env.CHROMIUM_PATH;
  if (named) {
    return named;
  }
  return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], {
    encoding: "utf8",
  }).trim();
}

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
  use: {
    baseURL: process.env.ADMIN_URL ?? "http://127.0.0.1:8000/admin/",
    headless: true,
    screenshot: "only-on-failure",
    launchOptions: { executablePath: chromium() },
  },
});
