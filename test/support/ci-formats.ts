/**
 * TEST HELPER: readers for what CI systems read, written from their documentation, to check dray's
 * CI output the way the CI system would take it: GitHub's step output files, a GitHub-flavoured
 * Markdown table, GitLab's dotenv report.
 */

/**
 * GitHub's file format for $GITHUB_OUTPUT (and $GITHUB_ENV), as its "Workflow commands" page defines
 * it: each entry is `name=value` on one line, or `name<<DELIMITER`, the value's lines, and a line that
 * is exactly DELIMITER. Throws on anything else, as the runner would.
 */
export function parseGithubFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const end = lines.indexOf(delimiter!, i + 1);
      if (end < 0) throw new Error(`no closing delimiter for ${name}`);
      out[name!] = lines.slice(i + 1, end).join("\n");
      i = end;
      continue;
    }
    const single = /^([^=]+)=(.*)$/.exec(line);
    if (!single) throw new Error(`not an output line: ${line}`);
    out[single[1]!] = single[2]!;
  }
  return out;
}

/** The rows of the one GFM table in `markdown` (header, delimiter row, body), cells unescaped. */
export function gfmTable(markdown: string): { header: string[]; rows: string[][] } {
  const lines = markdown.split("\n");
  const start = lines.findIndex(
    (l, i) => l.startsWith("|") && /^\|( *:?-+:? *\|)+$/.test(lines[i + 1] ?? ""),
  );
  if (start < 0) throw new Error("no table");
  const cells = (row: string) =>
    row
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\([!-/:-@[-`{-~])/g, "$1"));
  const header = cells(lines[start]!);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const row = cells(line);
    if (row.length !== header.length) throw new Error(`row with ${row.length} cells: ${line}`);
    rows.push(row);
  }
  return { header, rows };
}

/** GitLab's dotenv report rules: KEY=value lines only, ASCII names, no quotes, blanks, comments or multi-line values, under 5 KB. */
export function parseGitlabDotenv(text: string): Record<string, string> {
  if (Buffer.byteLength(text) >= 5 * 1024) throw new Error("GitLab takes dotenv reports under 5 KB");
  if (!text.endsWith("\n")) throw new Error("the last line has no newline");
  const out: Record<string, string> = {};
  for (const line of text.slice(0, -1).split("\n")) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=([^\n"'#]*)$/.exec(line);
    if (!match) throw new Error(`GitLab would reject the line: ${JSON.stringify(line)}`);
    out[match[1]!] = match[2]!;
  }
  return out;
}
