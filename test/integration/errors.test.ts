/**
 * Bad input gets a clear error — what, where, what to do — with the right exit code and no
 * stack trace; and a failed build never damages the images already in .dray/oci.
 */
import { readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";

let project: string;
const dirs: string[] = [];

beforeAll(async () => {
  project = await copyExample("dray-errors-");
  dirs.push(path.dirname(project));
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh copy of the example with `edit` applied. */
async function variant(edit: (root: string) => Promise<void>): Promise<string> {
  const root = await copyExample("dray-errors-");
  dirs.push(path.dirname(root));
  await edit(root);
  return root;
}

async function replaceIn(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  await writeFile(file, next);
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);
  expect(stderr).not.toContain("internal error");
}

describe("clear errors for bad input", () => {
  const cases: {
    description: string;
    edit: (root: string) => Promise<void>;
    exit: number;
    stderr: RegExp[];
  }[] = [
    {
      description: "a misspelled key in dray.yaml points at file:line:column with a suggestion",
      edit: (root) => replaceIn(path.join(root, "dray.yaml"), /^(\s+)ports:/m, "$1prots:"),
      exit: 2,
      stderr: [/dray\.yaml:\d+:\d+/, /prots/, /did you mean "ports"/],
    },
    {
      description: "invalid YAML is reported with its position",
      edit: (root) => writeFile(path.join(root, "dray.yaml"), "project: shop\nservices:\n  api: [unclosed\n"),
      exit: 2,
      stderr: [/dray\.yaml:\d+:\d+/],
    },
    {
      description: "a service path that does not exist",
      edit: (root) => replaceIn(path.join(root, "dray.yaml"), "./services/orders", "./services/ordrs"),
      exit: 2,
      stderr: [/dray\.yaml:\d+:\d+/, /services\/ordrs/, /does not exist/],
    },
    {
      description: "a Go package that is not main",
      edit: (root) => replaceIn(path.join(root, "dray.yaml"), "./services/orders", "./internal/httpkit"),
      exit: 2,
      stderr: [/service orders/, /is package httpkit, not a main package/, /dray\.yaml:\d+:\d+/],
    },
    {
      description: "a compile error shows the compiler's own output",
      edit: (root) =>
        replaceIn(
          path.join(root, "services", "users", "main.go"),
          /func main\(\) \{/,
          "func main() {\n\tundefinedThing()",
        ),
      exit: 1,
      stderr: [/service users: go build failed/, /undefined: undefinedThing/, /main\.go:\d+:\d+/],
    },
    {
      description: "a symlink pointing outside the service's context",
      edit: (root) => symlink("/etc/passwd", path.join(root, "services", "api", "static", "leak")),
      exit: 2,
      stderr: [/leak/, /\/etc\/passwd/, /context/],
    },
  ];

  for (const c of cases) {
    it(c.description, async () => {
      const root = await variant(c.edit);
      const result = await runDray(["build"], { cwd: root });
      for (const pattern of c.stderr) expect(result.stderr).toMatch(pattern);
      expect(result.code).toBe(c.exit);
      expectNoStack(result.stderr);
    });
  }

  it("a missing Go toolchain says how to install one, with exit code 3", async () => {
    const result = await runDray(["build", "api"], {
      cwd: project,
      env: { PATH: "/nonexistent", DRAY_GO: "" },
    });
    expect(result.stderr).toMatch(/Go was not found/);
    expect(result.stderr).toMatch(/hint:.*Install Go/);
    expect(result.code).toBe(3);
    expectNoStack(result.stderr);
  });

  it("an unknown service name lists the known ones", async () => {
    const result = await runDray(["build", "apii"], { cwd: project });
    expect(result.stderr).toMatch(/unknown service: apii/);
    expect(result.stderr).toMatch(/api, orders, users, web/);
    expect(result.code).toBe(2);
  });
});

describe("a failed build", () => {
  it("leaves the previous images in .dray/oci intact", async () => {
    const root = await variant(async () => {});
    const ok = await runDray(["build", "users", "api"], { cwd: root });
    expect(ok.code, ok.stderr).toBe(0);
    const indexFile = path.join(root, ".dray", "oci", "index.json");
    const before = await readFile(indexFile, "utf8");

    await replaceIn(
      path.join(root, "services", "users", "main.go"),
      /func main\(\) \{/,
      "func main() {\n\tbroken(",
    );
    const failed = await runDray(["build", "users"], { cwd: root });
    expect(failed.code).toBe(1);

    expect(await readFile(indexFile, "utf8")).toBe(before);
    const index = JSON.parse(before) as {
      manifests: { digest: string; annotations: Record<string, string> }[];
    };
    const tags = index.manifests.map((m) => m.annotations["org.opencontainers.image.ref.name"]);
    expect(tags).toContain("users");
    // Every blob a tag points at is still there and whole.
    for (const m of index.manifests) {
      const blob = await readFile(path.join(root, ".dray", "oci", "blobs", "sha256", m.digest.slice(7)));
      const { createHash } = await import("node:crypto");
      expect(`sha256:${createHash("sha256").update(blob).digest("hex")}`).toBe(m.digest);
    }
  });
});
