/**
 * The files the dashboard serves: its page, style sheet and icon, and its script, compiled from
 * browser/*.ts for the browser by tsconfig.browser.json. `npm run build` gathers them all in
 * dist/dev/dashboard/browser/ (see scripts/copy-assets.mjs), and they are read from there both
 * when this module runs from dist/ and when it runs from src/ under vitest.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** One file as it is served. */
export interface PageFile {
  /** The Content-Type header. */
  readonly type: string;
  readonly body: string;
}

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The folder the page's files are read from: dist/dev/dashboard/browser/ of this package. */
export function pageFilesDir(): string {
  // From the module's own folder up to the package root, which is the same number of levels up
  // from src/ and from dist/ but is found by its package.json rather than by counting.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return path.join(dir, "dist", "dev", "dashboard", "browser");
}

/**
 * Every page file by the path it is served at: index.html at "/", any other file at "/<name>".
 * The script's modules import one another by relative paths, so they all sit at the top level too.
 */
export async function readPageFiles(dir: string = pageFilesDir()): Promise<Map<string, PageFile>> {
  const names = await readdir(dir).catch((error: unknown) => {
    throw new Error(`the dashboard's page files are missing from ${dir}; run \`npm run build\``, {
      cause: error,
    });
  });
  const files = new Map<string, PageFile>();
  for (const name of names.sort()) {
    const type = contentTypes[path.extname(name)];
    if (type === undefined) continue;
    const body = await readFile(path.join(dir, name), "utf8");
    files.set(name === "index.html" ? "/" : `/${name}`, { type, body });
  }
  return files;
}
