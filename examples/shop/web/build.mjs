// Builds the shop's static site from src/ into dist/ with Node alone (no dependencies).
// The output must be byte-identical on every run so that dray's image for it is too:
// no timestamps, no absolute paths, lists sorted by name bytes, names derived from content.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Relative to this file, so the build works from any working directory.
const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const dist = join(here, "dist");

// Byte order, not localeCompare: the result must not depend on the machine's locale.
const byBytes = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const escapeHtml = (s) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function render() {
  const data = JSON.parse(readFileSync(join(src, "products.json"), "utf8"));
  const css = readFileSync(join(src, "style.css"));
  // A content hash in the name lets browsers cache the stylesheet forever.
  const cssName = `style.${sha256(css).slice(0, 12)}.css`;
  const items = data.products
    .map((p) => `    <li>${escapeHtml(p.name)} — ${escapeHtml(p.price)}</li>`)
    .join("\n");
  const html = readFileSync(join(src, "index.html"), "utf8")
    .replaceAll("{{title}}", escapeHtml(data.title))
    .replaceAll("{{style.css}}", cssName)
    .replace("{{products}}", items);
  return new Map([
    ["index.html", Buffer.from(html)],
    [cssName, css],
  ]);
}

const files = render();
// The manifest lists every other file with its size and digest.
const manifest = [...files.keys()]
  .sort(byBytes)
  .map((name) => ({ name, size: files.get(name).length, sha256: sha256(files.get(name)) }));
files.set("assets.json", Buffer.from(`${JSON.stringify({ files: manifest }, null, 2)}\n`));

// Start from an empty dist/ so files left by an older build cannot leak into the image.
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
for (const [name, data] of files) writeFileSync(join(dist, name), data);
console.log(`web: wrote ${files.size} files to dist/`);
