import { defineConfig } from "vitest/config";

// The tests share one database (DATABASE_URL): files run one at a time.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 20_000,
  },
});
