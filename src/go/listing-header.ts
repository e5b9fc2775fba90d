/**
 * The part of a Go file that `go list` reads. The go command parses a file only up to the end of its
 * import declarations — build constraints, the package clause, the imports and the cgo preamble are
 * all there — and reads further only when the file imports "embed", to find its `//go:embed`
 * directives. An edit past that point (a function body, a new type) cannot change a listing, so
 * the listing cache keys a changed file by this part alone and lists again only when it moved.
 *
 * Anything this scanner does not understand makes the whole file count, never less: a file it
 * misreads can only cost an unneeded `go list`, not a missed one.
 */
import { createHash } from "node:crypto";

/** A digest of what `go list` reads of this Go source file. */
export function listingDigest(source: Buffer): string {
  const end = headerEnd(source);
  const part = end === undefined || importsEmbed(source.subarray(0, end)) ? source : source.subarray(0, end);
  return createHash("sha256").update(part).digest("hex").slice(0, 32);
}

/** Whether the header imports "embed" (the go command then reads on, for `//go:embed`). */
function importsEmbed(header: Buffer): boolean {
  // A string that merely contains it (a comment, another import's path) only makes the whole file count.
  return header.includes('"embed"') || header.includes("`embed`");
}

/**
 * The offset just past the file's header: where the first token after the package clause and the
 * import declarations begins, or the file's length when nothing follows them. Undefined when the
 * file does not read as a package clause followed by imports (the whole file then counts).
 */
export function headerEnd(source: Buffer): number | undefined {
  const lexer = new Lexer(source);
  if (lexer.word() !== "package" || lexer.word() === undefined) return undefined;
  for (;;) {
    lexer.skipSemicolons();
    const at = lexer.skipSpace();
    if (at === source.length) return at;
    if (lexer.word() !== "import") return at;
    if (!lexer.importDeclaration()) return undefined;
  }
}

const SPACE = new Set([0x20, 0x09, 0x0d, 0x0a]);
const isLetter = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80 || (c >= 0x30 && c <= 0x39);

/** Just enough of Go's lexer for the header: spaces, comments, words, strings and a few symbols. */
class Lexer {
  private at = 0;
  constructor(private readonly source: Buffer) {
    // A byte order mark may start a Go file.
    if (source[0] === 0xef && source[1] === 0xbb && source[2] === 0xbf) this.at = 3;
  }

  /** Skips spaces and comments; returns where the next token starts. An unclosed comment ends the input. */
  skipSpace(): number {
    const s = this.source;
    while (this.at < s.length) {
      const c = s[this.at]!;
      if (SPACE.has(c)) this.at++;
      else if (c === 0x2f && s[this.at + 1] === 0x2f) {
        const newline = s.indexOf(0x0a, this.at);
        this.at = newline === -1 ? s.length : newline + 1;
      } else if (c === 0x2f && s[this.at + 1] === 0x2a) {
        const close = s.indexOf("*/", this.at + 2);
        this.at = close === -1 ? s.length : close + 2;
      } else break;
    }
    return this.at;
  }

  skipSemicolons(): void {
    while (this.skipSpace() < this.source.length && this.source[this.at] === 0x3b) this.at++;
  }

  /** The identifier or keyword at the cursor (consumed), or undefined when none starts there. */
  word(): string | undefined {
    this.skipSpace();
    const start = this.at;
    const first = this.source[start];
    if (first === undefined || !isLetter(first) || (first >= 0x30 && first <= 0x39)) return undefined;
    while (this.at < this.source.length && isLetter(this.source[this.at]!)) this.at++;
    return this.source.toString("utf8", start, this.at);
  }

  /** One import spec: an optional name (identifier, `.` or `_`) and a path string. */
  private importSpec(): boolean {
    this.skipSpace();
    if (this.source[this.at] === 0x2e) this.at++;
    else if (this.source[this.at] !== 0x22 && this.source[this.at] !== 0x60 && this.word() === undefined)
      return false;
    return this.string();
  }

  /** After the keyword `import`: one spec, or a parenthesized list of them. False when malformed. */
  importDeclaration(): boolean {
    this.skipSpace();
    if (this.source[this.at] !== 0x28) return this.importSpec();
    this.at++;
    for (;;) {
      this.skipSemicolons();
      if (this.at >= this.source.length) return false;
      if (this.source[this.at] === 0x29) {
        this.at++;
        return true;
      }
      if (!this.importSpec()) return false;
    }
  }

  /** A Go string literal, interpreted or raw; false when none starts here or it does not close on its line. */
  private string(): boolean {
    this.skipSpace();
    const s = this.source;
    const quote = s[this.at];
    if (quote === 0x60) {
      const close = s.indexOf(0x60, this.at + 1);
      if (close === -1) return false;
      this.at = close + 1;
      return true;
    }
    if (quote !== 0x22) return false;
    for (let i = this.at + 1; i < s.length; i++) {
      const c = s[i]!;
      if (c === 0x5c) i++;
      else if (c === 0x0a) return false;
      else if (c === 0x22) {
        this.at = i + 1;
        return true;
      }
    }
    return false;
  }
}
