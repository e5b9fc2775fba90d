/**
 * The go list cache against the real go command: it lists again exactly when an edit can change
 * what `go list` reports (a directory's files, a Go file's header, a file that embeds), and not for
 * an edit of a function body, which only the fingerprint's file hashes see.
 */
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listGroup } from "../../src/go/list-cache.js";

describe("go list cache: what lists again", () => {
  let root: string;
  const list = () =>
    listGroup({
      root,
      moduleRoot: root,
      mains: ["./services/api"],
      env: { ...process.env, GOFLAGS: "-mod=mod" },
      tags: [],
      cgo: false,
      go: "go",
      toolchain: "test",
      cacheFile: path.join(root, ".dray", "cache", "go-list.json"),
    });
  const write = async (rel: string, text: string) => {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  };
  const edit = async (rel: string, from: string, to: string) => {
    const text = await readFile(path.join(root, rel), "utf8");
    expect(text).toContain(from);
    await writeFile(path.join(root, rel), text.replace(from, to));
  };
  const deps = async () => (await list()).mains["./services/api"]!.deps;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "dray-go-list-"));
    await write("go.mod", "module example.com/m\n\ngo 1.21\n");
    await write(
      "services/api/main.go",
      'package main\n\nimport "example.com/m/lib"\n\nfunc main() {\n\tlib.Hello("a")\n}\n',
    );
    await write("lib/lib.go", 'package lib\n\nimport "fmt"\n\nfunc Hello(s string) {\n\tfmt.Println(s)\n}\n');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("lists once, then not again while nothing changed", async () => {
    const first = await list();
    expect(first.relisted).toBe(1);
    expect(first.mains["./services/api"]!.deps).toContain("example.com/m/lib");
    expect((await list()).relisted).toBe(0);
  }, 120_000);

  it("lists a body edit once to learn the files' headers, and never again for body edits", async () => {
    await edit("services/api/main.go", 'lib.Hello("a")', 'lib.Hello("ab")');
    expect((await list()).relisted).toBe(1);
    await edit("services/api/main.go", 'lib.Hello("ab")', 'lib.Hello("abc")');
    expect((await list()).relisted).toBe(0);
    await edit("lib/lib.go", "fmt.Println(s)", "fmt.Println(s, s)");
    expect((await list()).relisted).toBe(0);
    await edit("lib/lib.go", "fmt.Println(s, s)", "fmt.Println(s, s, s)\n}\n\nfunc Other() {");
    expect((await list()).relisted).toBe(0);
    // Saved the way many editors save: a new file renamed into place (a new inode, the directory touched).
    const main = path.join(root, "services", "api", "main.go");
    const saved = (await readFile(main, "utf8")).replace('lib.Hello("abc")', 'lib.Hello("abcd")');
    await writeFile(`${main}.tmp`, saved);
    await rename(`${main}.tmp`, main);
    expect((await list()).relisted).toBe(0);
  }, 120_000);

  it("lists again when a header changes: an import added, then removed", async () => {
    await edit("lib/lib.go", 'import "fmt"', 'import (\n\t"fmt"\n\t"strings"\n)\n\nvar _ = strings.ToUpper');
    const added = await list();
    expect(added.relisted).toBe(1);
    expect(added.mains["./services/api"]!.deps).toContain("strings");
    // The header is known again right after that listing: a body edit needs none.
    await edit("lib/lib.go", "fmt.Println(s, s, s)", "fmt.Println(s)");
    expect((await list()).relisted).toBe(0);
    await edit("lib/lib.go", 'import (\n\t"fmt"\n\t"strings"\n)\n\nvar _ = strings.ToUpper', 'import "fmt"');
    const removed = await list();
    expect(removed.relisted).toBe(1);
    expect(removed.mains["./services/api"]!.deps).not.toContain("strings");
  }, 120_000);

  it("lists again for a new file, a build constraint that drops one, and every edit of a file that embeds", async () => {
    await write("lib/extra.go", "package lib\n\nfunc Extra() {}\n");
    const added = await list();
    expect(added.relisted).toBe(1);
    expect(added.packages["example.com/m/lib"]!.files).toContain("extra.go");
    await edit("lib/extra.go", "package lib", "//go:build ignore\n\npackage lib");
    const dropped = await list();
    expect(dropped.relisted).toBe(1);
    expect(dropped.packages["example.com/m/lib"]!.files).not.toContain("extra.go");

    await write("lib/data.txt", "hello\n");
    await edit(
      "lib/lib.go",
      'import "fmt"',
      'import (\n\t_ "embed"\n\t"fmt"\n)\n\n//go:embed data.txt\nvar data string',
    );
    const embedding = await list();
    expect(embedding.relisted).toBe(1);
    expect(embedding.packages["example.com/m/lib"]!.files).toContain("data.txt");
    // go list reads a file that imports embed to its end: any edit of it lists again.
    await edit("lib/lib.go", "fmt.Println(s)", "fmt.Println(s, data)");
    expect((await list()).relisted).toBe(1);
    await edit("lib/lib.go", "//go:embed data.txt\nvar data string", "//go:embed *.txt\nvar data string");
    expect((await list()).relisted).toBe(1);
    expect(await deps()).toContain("embed");
  }, 120_000);
});
