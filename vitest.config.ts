import { defineConfig } from "vitest/config";

/**
 * Two projects: fast unit tests next to the code (no engine, no network), and integration tests
 * against the real Go toolchain, Docker engine, registry and browser. `npm test` runs both;
 * `npx vitest run --project unit` runs the first alone.
 */
export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "test/support/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // Timeouts leave at least 3× headroom over a run on a machine whose two cores are busy
          // with another build: the slowest test (reproducible builds) takes ~72 s quiet, ~150 s loaded.
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // Integration tests share one Docker engine and registry; run files one at a time
          // so that they do not fight over two cores.
          fileParallelism: false,
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
    ],
  },
});
