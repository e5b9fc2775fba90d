import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Integration tests share one Docker engine and registry; run files one at a time
    // so that they do not fight over two cores.
    fileParallelism: false,
    reporters: ["default"],
    globalSetup: ["test/support/global-setup.ts"],
  },
});
