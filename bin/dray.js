#!/usr/bin/env node
// dray's bundled entry (scripts/build.mjs). Source maps are not turned on here: Node would parse
// every loaded chunk's map at start-up; an internal error's stack is mapped to src/ when reported.
import("../dist/cli/main.js").then((cli) => cli.main(process.argv.slice(2)));
