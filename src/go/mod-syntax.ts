/**
 * The line syntax go.mod and go.work share: one directive per line (`go 1.22`), or a verb with a
 * parenthesized block of lines (`use (\n ./a\n ./b\n)`); `//` starts a comment; an argument may be
 * quoted with "…" or `…`. Only what dray reads is interpreted; see the Go reference, "go.mod files".
 */

/** One directive: its verb and the arguments on its line ("use", ["./api"]). */
export interface ModDirective {
  verb: string;
  args: string[];
}

/** The words of one line, with quotes removed and a trailing `//` comment dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (line.startsWith("//", i)) {
      break;
    } else if (c === '"' || c === "`") {
      const end = line.indexOf(c, i + 1);
      const raw = line.slice(i + 1, end === -1 ? line.length : end);
      out.push(c === '"' ? raw.replace(/\\(.)/g, "$1") : raw);
      i = end === -1 ? line.length : end + 1;
    } else {
      let j = i;
      while (j < line.length && !/[\s"`]/.test(line[j]!) && !line.startsWith("//", j)) j++;
      out.push(line.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** Every directive of a go.mod or go.work text, blocks expanded into one directive per line. */
export function parseModDirectives(text: string): ModDirective[] {
  const out: ModDirective[] = [];
  let block: string | undefined;
  for (const line of text.split("\n")) {
    const parts = words(line);
    if (parts.length === 0) continue;
    if (block !== undefined) {
      if (parts[0] === ")") block = undefined;
      else out.push({ verb: block, args: parts });
    } else if (parts.length === 2 && parts[1] === "(") {
      block = parts[0]!;
    } else {
      out.push({ verb: parts[0]!, args: parts.slice(1) });
    }
  }
  return out;
}

/** The first argument of the first `verb` directive ("go" → "1.22"), if any. */
export function firstArg(directives: readonly ModDirective[], verb: string): string | undefined {
  return directives.find((d) => d.verb === verb)?.args[0];
}
