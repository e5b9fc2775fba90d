/**
 * dray stays inside the project: a path that leaves it (with ".." or through a symlink) is refused
 * at its dray.yaml line with exit 2 before anything is deleted or packed; `.dray` and `.git` never
 * enter an image, and `files:` leaves out what .gitignore and .drayignore ignore — for the key as
 * for the image. Command services only, so no Go toolchain is involved.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDray } from "../support/dray.js";
import { imageFiles } from "../support/image-files.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A scratch directory holding `files`, with the project in `project/` (dray.yaml made of `yaml`). */
async function scratch(yaml: readonly string[], files: Record<string, string> = {}) {
  const base = await mkdtemp(path.join(os.tmpdir(), "dray-confine-"));
  dirs.push(base);
  const project = path.join(base, "project");
  const all = { ...files, "project/dray.yaml": `${yaml.join("\n")}\n` };
  for (const [rel, content] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(base, rel)), { recursive: true });
    await writeFile(path.join(base, rel), content);
  }
  return { base, project };
}

async function exists(p: string): Promise<boolean> {
  return readFile(p).then(
    () => true,
    () => false,
  );
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

const web = [
  "project: shop",
  "services:",
  "  web:",
  "    command: mkdir -p dist && echo hi > dist/index.html",
];

describe("paths that leave the project", () => {
  it("refuses a command service with dir: .. and leaves ../dist alone", async () => {
    const { base, project } = await scratch([...web, "    dir: .."], { "dist/keep.txt": "not dray's" });
    const result = await runDray(["build"], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dray\.yaml:5:10 +services\.web\.dir: "\.\." is outside the project root/);
    expectNoStack(result.stderr);
    expect(await readFile(path.join(base, "dist", "keep.txt"), "utf8")).toBe("not dray's");
  });

  it("refuses a files source that is a symlink to a directory outside the project", async () => {
    const { base, project } = await scratch(
      [...web, "    dir: .", '    files: ["services/seclink:/secret"]'],
      { "secret/id_rsa": "PRIVATE KEY" },
    );
    await mkdir(path.join(project, "services"));
    await symlink(path.join(base, "secret"), path.join(project, "services", "seclink"));
    const result = await runDray(["build"], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /dray\.yaml:6:13 +services\.web\.files\[0\]: "services\/seclink" resolves to .*secret, outside the service's context/,
    );
    expectNoStack(result.stderr);
    expect(await exists(path.join(project, ".dray", "oci", "index.json"))).toBe(false);
  });

  it.each([
    {
      description: "a Go package outside the project",
      lines: ["project: shop", "services:", "  api:", "    go: ../elsewhere/cmd"],
      expected: /dray\.yaml:4:9 +services\.api\.go: "\.\.\/elsewhere\/cmd" is outside the project root/,
    },
    {
      description: "a context outside the project",
      lines: ["project: shop", "services:", "  api:", "    go: ./cmd", "    context: ../../.."],
      expected: /dray\.yaml:5:14 +services\.api\.context: "\.\.\/\.\.\/\.\." is outside the project root/,
    },
    {
      description: "an output that is the service's dir itself",
      lines: [...web, "    dir: .", "    output: ."],
      expected: /dray\.yaml:6:13 +services\.web\.output: "\." is dir itself/,
    },
  ])("refuses $description at its line", async ({ lines, expected }) => {
    const main = "package main\nfunc main() {}\n";
    const { project } = await scratch(lines, { "project/cmd/main.go": main, "elsewhere/cmd/main.go": main });
    const result = await runDray(["build"], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expectNoStack(result.stderr);
  });
});

describe("outputs", () => {
  it("refuses two services sharing one dir and output, naming both at the line", async () => {
    const { project } = await scratch(
      [...web, "    dir: site", "  css:", "    command: make css", "    dir: site"],
      {
        "project/site/index.src": "hi",
      },
    );
    const result = await runDray(["build"], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /dray\.yaml:6:3 +services\.css\.output: "site\/dist" is also the output of service web/,
    );
    expectNoStack(result.stderr);
  });
});

describe("files: copies the checkout, not dray's state", () => {
  it("leaves .dray, .git and ignored files out of the image and out of the key", async () => {
    const { project } = await scratch(
      [
        "project: shop",
        "services:",
        "  src:",
        "    command: mkdir -p dist",
        "    dir: .",
        '    files: [".:/src"]',
      ],
      {
        "project/.git/HEAD": "ref: refs/heads/main\n",
        "project/.gitignore": "*.env\nbuild/\n",
        "project/.drayignore": "*.log\n",
        "project/app.txt": "app",
        "project/local.env": "SECRET=1",
        "project/debug.log": "log",
        "project/build/out.bin": "bin",
        "project/lib/util.txt": "util",
      },
    );
    const first = await runDray(["build", "--json"], { cwd: project });
    expect(first.code, first.stderr).toBe(0);
    const again = await runDray(["build", "--json", "--no-cache"], { cwd: project });
    expect(again.code, again.stderr).toBe(0);
    const files = await imageFiles(path.join(project, ".dray", "oci"), "src");
    const paths = [...files.keys()].filter((p) => p.startsWith("src/")).sort();
    expect(paths).toEqual([
      "src/.drayignore",
      "src/.gitignore",
      "src/app.txt",
      "src/dray.yaml",
      "src/lib",
      "src/lib/util.txt",
    ]);
    // An ignored file is not in the key either: editing it rebuilds nothing.
    await writeFile(path.join(project, "local.env"), "SECRET=2");
    const ignored = await runDray(["build", "--json"], { cwd: project });
    expect(JSON.parse(ignored.stdout).services[0]).toMatchObject({ cached: true });
    await writeFile(path.join(project, "app.txt"), "app 2");
    const copied = await runDray(["build", "--json"], { cwd: project });
    expect(JSON.parse(copied.stdout).services[0]).toMatchObject({ cached: false });
  });
});
