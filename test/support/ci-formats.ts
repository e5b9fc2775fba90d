/**
 * TEST HELPER: readers for what CI systems read, written from their documentation, to check dray's
 * CI output the way the CI system would take it: GitHub's step output files, a GitHub-flavoured
 * Markdown table, GitLab's dotenv report.
 */
import { marked } from "marked";

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

/**
 * The one table of a job summary as GitHub shows it: the Markdown is rendered by a GFM renderer
 * (marked), and the header and body cells are read back from the HTML as text. A table GitHub would
 * not render as one (a missing delimiter row, a row of the wrong width) is not found.
 */
export function gfmTable(markdown: string): { header: string[]; rows: string[][] } {
  const html = marked.parse(markdown, { gfm: true, async: false });
  const table = /<table>([\s\S]*?)<\/table>/.exec(html);
  if (!table) throw new Error(`no table in the rendered summary:\n${html}`);
  const cells = (row: string, tag: "th" | "td") =>
    [...row.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => htmlText(m[1]!));
  const rows = [...table[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
  const header = cells(rows[0] ?? "", "th");
  const body = rows.slice(1).map((row) => cells(row, "td"));
  for (const row of body) if (row.length !== header.length) throw new Error(`a row of ${row.length} cells`);
  return { header, rows: body };
}

/** The text a browser shows for a cell's HTML: tags dropped, the entities marked writes decoded. */
function htmlText(html: string): string {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => entities[name]!)
    .trim();
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
