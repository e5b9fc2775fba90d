#!/usr/bin/env node
// dray's bundled entry (scripts/build.mjs); its source maps make an internal error's stack name src/ files.
process.setSourceMapsEnabled(true);
import("../dist/cli/main.js").then((cli) => cli.main(process.argv.slice(2)));
