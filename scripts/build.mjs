#!/usr/bin/env node
// `npm run build`: the CLI as one bundled entry, dist/cli/main.js, so that start-up reads and
// compiles one file instead of a few hundred small modules.
//
// - Lazy loading stays: every `await import()` in src/ becomes a chunk of its own (ESM code
//   splitting), loaded only by the command that needs it. All chunks sit beside the entry in
//   dist/cli/, so they find one another by relative paths.
// - Packages imported statically are bundled too. A package imported with `await import()` stays
//   outside, loaded by Node as npm installed it: those are the heavy or native ones (the Kubernetes
//   client, @parcel/watcher's addon, tar-stream), and esbuild's chunk for a CommonJS package reached
//   that way would export only `default`, losing the named exports Node finds.
// - A few modules read files that live beside them (the dev supervisor's Go source, the
//   dashboard's page, package.json). In a bundle `import.meta.url` would be the chunk's URL, so
//   each module's `import.meta.url` is rewritten to the URL it would have as dist/<its path>.js,
//   where scripts/copy-assets.mjs puts those files.
// - Source maps (dist/cli/*.js.map) name the src/ files; the stack of an internal error (exit 70)
//   is put back into src/ through them when it is reported (src/errors/stack-sources.ts).
//
// The dashboard's browser scripts and the other assets are then handled by copy-assets.mjs, as before.
import { spawnSync } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "src");
const dist = path.join(root, "dist");
const outdir = path.join(dist, "cli");

/** Rewrites `import.meta.url` in each src module to the URL of dist/<module>.js, seen from dist/cli/. */
const moduleUrls = {
  name: "module-urls",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      if (!text.includes("import.meta.url") || !args.path.startsWith(src + path.sep)) return undefined;
      const relative = path.relative(src, args.path).replace(/\.ts$/, ".js").split(path.sep).join("/");
      const url = `new URL(${JSON.stringify(`../${relative}`)}, import.meta.url).href`;
      return { contents: text.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

/** Leaves packages that src/ imports lazily (`await import("pkg")`) to Node. */
const lazyPackages = {
  name: "lazy-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === "dynamic-import" && !args.path.startsWith("node:")
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

await rm(dist, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: path.join(src, "cli", "main.ts") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  // The maps name the sources relative to the map: ../../src/...
  sourcesContent: false,
  // CommonJS packages inside an ES module bundle call require() for Node's own modules.
  banner: {
    js: 'import { createRequire as __drayCreateRequire } from "node:module"; const require = __drayCreateRequire(import.meta.url);',
  },
  plugins: [moduleUrls, lazyPackages],
  logLevel: "warning",
  metafile: true,
});
if (result.errors.length) process.exit(1);

// The dashboard's browser scripts (checked and compiled by tsc), then every non-TypeScript asset.
const tsc = spawnSync(
  process.execPath,
  [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.browser.json"],
  {
    cwd: root,
    stdio: "inherit",
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const assets = spawnSync(process.execPath, [path.join(root, "scripts", "copy-assets.mjs")], {
  cwd: root,
  stdio: "inherit",
});
if (assets.status !== 0) process.exit(assets.status ?? 1);
