#!/usr/bin/env node
// `npm run bench [-- NAME [options]]`: runs one benchmark by name (default: build), so new
// benchmarks plug in here without touching package.json.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const benchmarks = {
  build: "build.mjs",
  changes: "changes.mjs",
  push: "push.mjs",
  deploy: "deploy.mjs",
  dev: "dev.mjs",
  scale: "scale.mjs",
};

const [first, ...rest] = process.argv.slice(2);
const named = first !== undefined && !first.startsWith("-");
const name = named ? first : "build";
const script = benchmarks[name];
if (!script) {
  console.error(`unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(", ")}`);
  process.exit(2);
}
const args = named ? rest : process.argv.slice(2);
const result = spawnSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
