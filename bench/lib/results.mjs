// Keeps bench/RESULTS.md as one section per benchmark and parameter set: a new run of the same
// benchmark replaces its old section and leaves every other section alone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const HEADER = `# Benchmark results

Written by the scripts in this folder (see README.md). Each section is replaced when its
benchmark runs again with the same parameters; numbers are medians.
`;

/** Replaces (or appends) the section marked with `key` in `file`. */
export function writeSection(file, key, body) {
  const start = `<!-- bench:${key} -->`;
  const end = `<!-- /bench:${key} -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const text = existsSync(file) ? readFileSync(file, "utf8") : HEADER;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + section + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

/** A report's checks as markdown list items: "- ok: label (detail)", or **FAILED**. */
export function checkList(checks) {
  return checks.map((c) => `- ${c.ok ? "ok" : "**FAILED**"}: ${c.label}${c.detail ? ` (${c.detail})` : ""}`);
}

/** The median of a list of numbers (mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A markdown table from a header row and body rows, padded the way biome formats markdown. */
export function markdownTable(header, rows) {
  const width = (text) => [...text].length;
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(3, ...all.map((r) => width(r[c]))));
  const line = (cells) =>
    `| ${cells.map((cell, c) => cell + " ".repeat(widths[c] - width(cell))).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
