import { describe, expect, it } from "vitest";
import { headerEnd, listingDigest } from "./listing-header.js";

const go = (text: string) => Buffer.from(text);
const digest = (text: string) => listingDigest(go(text));

const base = `//go:build linux

// Command api answers.
package main

import (
	"fmt" // the printer
	h "net/http"
	_ "embedded/driver"
	. "strings"
)

import "os"

// main starts.
func main() {
	fmt.Println(h.StatusOK, ToUpper("x"), os.Args)
}
`;

describe("what go list reads of a Go file", () => {
  it("ends just before the first declaration after the imports", () => {
    const end = headerEnd(go(base))!;
    expect(base.slice(end)).toMatch(/^func main\(\) \{/);
    expect(base.slice(0, end)).toContain('import "os"');
  });

  it.each([
    ["a function body", base.replace('ToUpper("x")', 'ToUpper("y")')],
    ["a new declaration at the end", `${base}\nfunc other() {}\n`],
    ["a comment in the body", base.replace("\tfmt.Println", "\t// said twice\n\tfmt.Println")],
  ])("does not move for an edit of %s", (_what, edited) => {
    expect(digest(edited)).toBe(digest(base));
  });

  it.each([
    ["a new import", base.replace('import "os"', 'import "os"\nimport "time"')],
    ["an import's name", base.replace('h "net/http"', 'hh "net/http"')],
    ["the build constraint", base.replace("//go:build linux", "//go:build darwin")],
    ["the package name", base.replace("package main", "package api")],
    ["a cgo directive in the preamble", base.replace('import "os"', '// #cgo LDFLAGS: -lm\nimport "C"')],
    ["a removed import", base.replace('import "os"\n', "")],
  ])("moves for an edit of %s", (_what, edited) => {
    expect(digest(edited)).not.toBe(digest(base));
  });

  it("reads a comment that looks like code, and a string with a quote in it, as what they are", () => {
    const tricky = `package main

/*
func main() {}
import "not/an/import"
*/
import "a\\"b"
import \`raw/path\`

var x = 1
`;
    const end = headerEnd(go(tricky))!;
    expect(tricky.slice(end)).toBe("var x = 1\n");
  });

  it("counts the whole file when it imports embed: go list then reads its //go:embed directives", () => {
    const embedding = base.replace('import "os"', 'import "os"\nimport _ "embed"');
    const withDirective = embedding.replace(
      "// main starts.",
      "//go:embed static\nvar static string\n\n// main starts.",
    );
    expect(digest(withDirective)).not.toBe(digest(embedding));
    expect(digest(embedding.replace('ToUpper("x")', 'ToUpper("y")'))).not.toBe(digest(embedding));
  });

  it.each([
    ["no package clause", "func main() {}\n"],
    ["an import list that never closes", 'package main\nimport (\n\t"fmt"\n'],
    ["an import path that never closes", 'package main\nimport "fmt\n\nfunc main() {}\n'],
    ["an import without a path", "package main\nimport fmt\n"],
  ])("counts the whole file when it does not read as a header: %s", (_what, text) => {
    expect(headerEnd(go(text))).toBeUndefined();
    expect(digest(`${text}// more`)).not.toBe(digest(text));
  });

  it("ends at the end of a file that is only a header, and skips a byte order mark", () => {
    const text = '\ufeffpackage lib\n\nimport "fmt"\n';
    expect(headerEnd(go(text))).toBe(Buffer.byteLength(text));
    expect(headerEnd(go("package lib"))).toBe(11);
  });

  it("takes semicolons between the clauses, and a word that only starts with import as a declaration", () => {
    const text = 'package main; import "fmt"; importantThing := 1';
    expect(text.slice(headerEnd(go(text))!)).toBe("importantThing := 1");
  });
});
