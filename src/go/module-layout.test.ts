/** Reading a module's layout from disk: go.mod, its vendor directory and the go.work that uses it. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModuleLayout } from "./module-layout.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "dray-layout-"));
  const files: Record<string, string> = {
    "go.work": "go 1.22\n\nuse (\n\t./api\n\t./lib // shared code\n)\n",
    "vendor/modules.txt": "## workspace\n# example.com/dep v1.0.0\n",
    "api/go.mod": "module example.com/api\n\ngo 1.21\n",
    "lib/go.mod": "module example.com/lib\n\ngo 1.21.3\n",
    "lib/vendor/modules.txt": "# example.com/dep v1.0.0\n## explicit\n",
    "tools/go.mod": '// tools, not in go.work\nmodule "example.com/tools"\n',
    "tools/vendor/.keep": "",
  };
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("readModuleLayout", () => {
  it("finds the go.work that uses a module and what its vendor directory is for", async () => {
    expect(await readModuleLayout(path.join(root, "lib"), root)).toEqual({
      root: path.join(root, "lib"),
      path: "example.com/lib",
      goVersion: "1.21.3",
      vendor: "module",
      workspace: { file: path.join(root, "go.work"), goVersion: "1.22", vendor: "workspace" },
    });
  });

  it("leaves a module the go.work does not use on its own; a vendor/ without modules.txt is a module's", async () => {
    expect(await readModuleLayout(path.join(root, "tools"), root)).toEqual({
      root: path.join(root, "tools"),
      path: "example.com/tools",
      goVersion: undefined,
      vendor: "module",
      workspace: undefined,
    });
  });

  it("does not look for go.work above the project root", async () => {
    const layout = await readModuleLayout(path.join(root, "api"), path.join(root, "api"));
    expect([layout.path, layout.vendor, layout.workspace]).toEqual(["example.com/api", "none", undefined]);
  });
});
