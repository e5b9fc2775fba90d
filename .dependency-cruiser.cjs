/**
 * Boundaries of dray's source tree, checked in CI (`npm run lint:deps`):
 * - no import cycles anywhere in src/;
 * - a stage (a folder directly under src/) is used by other stages only through its index.ts;
 * - shipped code never imports test code.
 */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "Import cycles make load order matter and hide which stage depends on which.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "stage-internals",
      severity: "error",
      comment: "Another stage's index.ts is its public face; import from it, not from its files.",
      from: { path: "^src/([^/]+)/", pathNot: "\\.test\\.ts$" },
      to: { path: "^src/[^/]+/.+", pathNot: ["^src/$1/", "^src/[^/]+/index\\.ts$"] },
    },
    {
      name: "no-test-code-in-src",
      severity: "error",
      comment: "Fakes and fixtures live under test/ and never ship.",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^dist/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
