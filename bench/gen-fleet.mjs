#!/usr/bin/env node
// Writes the benchmark fleet: a Go monorepo of many small services sharing a few packages.
//   node bench/gen-fleet.mjs --services 100 --packages 10 --out DIR [--big N]
// Same arguments → byte-identical tree, so results from different runs compare.
import { resolve } from "node:path";
import { parseArgs } from "./lib/args.mjs";
import { planFleet, writeFleet } from "./lib/fleet.mjs";

const usage = "usage: node bench/gen-fleet.mjs --out DIR [--services 100] [--packages 10] [--big 0]";
const args = parseArgs(process.argv.slice(2), { services: 100, packages: 10, big: 0, out: "" }, usage);

if (!args.out) {
  console.error(`error: --out is required\n${usage}`);
  process.exit(2);
}
// Package and big-service names are zero-padded to two digits; service numbers widen past 1000.
if (args.services > 10000 || args.packages < 1 || args.packages > 100 || args.big > 100) {
  console.error("error: allowed ranges are --services 0..10000, --packages 1..100, --big 0..100");
  process.exit(2);
}

const out = resolve(args.out);
const files = planFleet(args);
try {
  writeFleet(out, files);
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(1);
}
let bytes = 0;
for (const content of files.values()) bytes += Buffer.byteLength(content);
const big = args.big > 0 ? ` + ${args.big} big` : "";
console.log(
  `fleet: ${args.services} services${big}, ${args.packages} packages, ${files.size} files, ` +
    `${(bytes / 1e6).toFixed(1)} MB → ${out}`,
);
