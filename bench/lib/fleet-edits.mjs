// Edits the change benchmark makes to a generated fleet: a real behaviour change in one service,
// and a comment-only change in a shared package that keeps every line where it was.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

// The greeting of `GET /` in a generated service's main.go (see lib/fleet.mjs):
//   fmt.Fprintf(w, "%s: %s\n", name, ...)
const GREETING = /fmt\.Fprintf\(w, "%s: %s[^"\\]*\\n"/;

/**
 * Changes what `GET /` answers in `fleet/services/<name>/main.go` to carry `tag`: a behaviour
 * change, so the binary really differs. Each distinct tag gives distinct source.
 */
export function changeGreeting(fleet, name, tag) {
  const file = join(fleet, "services", name, "main.go");
  const before = readFileSync(file, "utf8");
  if (!GREETING.test(before)) throw new Error(`${file}: no "%s: %s" greeting to change`);
  const after = before.replace(GREETING, `fmt.Fprintf(w, "%s: %s (${tag})\\n"`);
  if (after === before) throw new Error(`${file}: greeting already says ${tag}`);
  writeFileSync(file, after);
  return file;
}

/** Full-line comments worth rewording: not directives (//go:, //line) or build constraints. */
const COMMENT = /^(\s*)\/\/ (?!go:|line |\+build)(\S.*)$/;

/** The same comment in other words, on the same single line. */
function reword(text) {
  if (text.includes(" the ")) return text.replace(" the ", " this ");
  if (text.includes(" a ")) return text.replace(" a ", " one ");
  return `${text} (Reworded.)`;
}

/**
 * Rewords one existing full-line comment of the Go package in `dir`, in place: the number of
 * lines and every code line stay as they were (a new line would shift Go's line tables and truly
 * change the binaries). Prefers the package's main file (pkg-00 → pkg00.go), skips the
 * `// Package` doc line and lines inside raw strings. Returns { file, line, before, after }.
 */
export function rewordComment(dir) {
  const main = `${basename(dir).replaceAll("-", "")}.go`;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
    .sort((a, b) => (a === main ? -1 : b === main ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const name of files) {
    const file = join(dir, name);
    const lines = readFileSync(file, "utf8").split("\n");
    let inRaw = false;
    for (let i = 0; i < lines.length; i++) {
      const match = COMMENT.exec(lines[i]);
      if (!inRaw && match && !match[2].startsWith("Package ")) {
        const after = `${match[1]}// ${reword(match[2])}`;
        const before = lines[i];
        lines[i] = after;
        writeFileSync(file, lines.join("\n"));
        return { file, line: i + 1, before: before.trim(), after: after.trim() };
      }
      // Backticks outside comments open and close raw strings, whose lines are not comments.
      const code = inRaw ? lines[i] : match ? "" : lines[i].replace(/\/\/.*$/, "");
      if ((code.split("`").length - 1) % 2 === 1) inRaw = !inRaw;
    }
  }
  throw new Error(`${dir}: no comment to reword`);
}
