/**
 * `dray init` on a real temporary monorepo with the real Go toolchain: the file it writes loads,
 * an existing file is kept unless forced, and impossible requests are refused with a reason.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/read-config.js";
import { ExitCode, UserError } from "../errors/errors.js";
import { initProject } from "./init.js";

const main = "package main\n\nfunc main() {}\n";
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A monorepo named "My Shop" with two Go services and a library. */
async function monorepo(): Promise<string> {
  const parent = await mkdtemp(path.join(os.tmpdir(), "dray-init-"));
  dirs.push(parent);
  const root = path.join(parent, "My Shop");
  const files: Record<string, string> = {
    "go.mod": "module example.com/shop\n\ngo 1.21\n",
    "services/api/main.go": main,
    "services/orders/main.go": main,
    "internal/money/money.go": "package money\n",
  };
  await writeTree(root, files);
  return root;
}

/** Writes `files` (relative path → content) below `root`. */
async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
}

async function userError(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  return error;
}

describe("initProject", () => {
  it("writes a dray.yaml that loads, named after the directory, with every main package", async () => {
    const root = await monorepo();
    const result = await initProject({ root });
    expect([result.kind, result.file, result.services, result.aside]).toEqual([
      "written",
      path.join(root, "dray.yaml"),
      ["api", "orders"],
      [],
    ]);
    const config = await loadConfig({ cwd: root, env: {} });
    expect(config.project).toBe("my-shop");
    expect(config.services.map((s) => [s.name, s.kind === "go" ? s.packageDir : ""])).toEqual([
      ["api", path.join(root, "services/api")],
      ["orders", path.join(root, "services/orders")],
    ]);
    expect(await readFile(result.file, "utf8")).toContain("# ports: [8080]");
    // The temporary file was renamed into place, not left behind.
    expect((await readdir(root)).filter((name) => name.startsWith("dray.yaml"))).toEqual(["dray.yaml"]);
  });

  it("takes the project name it is given", async () => {
    const root = await monorepo();
    await initProject({ root, project: "storefront" });
    expect((await loadConfig({ cwd: root, env: {} })).project).toBe("storefront");
  });

  it("never overwrites an existing dray.yaml unasked: it shows what to add", async () => {
    const root = await monorepo();
    const file = path.join(root, "dray.yaml");
    await writeFile(file, "# mine\n");
    const result = await initProject({ root });
    expect(result.kind).toBe("preview");
    expect(result.kind === "preview" && result.entries).toBe(
      "  api:\n    go: ./services/api\n  orders:\n    go: ./services/orders",
    );
    expect(await readFile(file, "utf8")).toBe("# mine\n");
    await initProject({ root, force: true });
    expect(await readFile(file, "utf8")).toMatch(/^# dray\.yaml/);
  });

  it("offers only the main packages the file does not mention, active or commented out", async () => {
    const root = await monorepo();
    await writeTree(root, {
      "services/billing/main.go": main,
      "tests/fake/main.go": main,
      "tools/gen/main.go": main,
    });
    const file = path.join(root, "dray.yaml");
    const mine = [
      "project: shop # my comment",
      "services:",
      "    api:",
      "        go: services/api/",
      "    # orders:",
      "    #     go: ./services/orders",
      "    billing: { command: make, dir: services/billing }",
      "platforms: [linux/amd64]",
      "",
    ].join("\n");
    await writeFile(file, mine);
    const preview = await initProject({ root });
    expect(preview.kind === "preview" && preview.entries).toBe(
      [
        "  billing-2:",
        "    go: ./services/billing",
        "  # Test and tool programs (in a directory named test, tests, testdata, e2e, example, examples,",
        "  # hack or tools), not built unless uncommented:",
        "  # fake:",
        "  #   go: ./tests/fake",
        "  # gen:",
        "  #   go: ./tools/gen",
      ].join("\n"),
    );
    const added = await initProject({ root, add: true });
    expect([added.kind, added.services, added.aside]).toEqual(["added", ["billing-2"], ["fake", "gen"]]);
    const text = await readFile(file, "utf8");
    // The user's lines are kept as they were; the new ones follow the file's indentation.
    expect(text).toBe(
      mine.replace(
        "platforms: [linux/amd64]",
        [
          "    billing-2:",
          "      go: ./services/billing",
          "    # Test and tool programs (in a directory named test, tests, testdata, e2e, example, examples,",
          "    # hack or tools), not built unless uncommented:",
          "    # fake:",
          "    #   go: ./tests/fake",
          "    # gen:",
          "    #   go: ./tools/gen",
          "platforms: [linux/amd64]",
        ].join("\n"),
      ),
    );
    const config = await loadConfig({ cwd: root, env: {} });
    expect(config.services.map((s) => s.name).sort()).toEqual(["api", "billing", "billing-2"]);
    const again = await initProject({ root, add: true });
    expect([again.kind, again.kind === "unchanged" && again.known]).toEqual(["unchanged", 5]);
    expect(await readFile(file, "utf8")).toBe(text);
  });

  const unaddable: { description: string; text: string; message: string; add?: boolean; force?: boolean }[] =
    [
      {
        description: "services written in flow style",
        text: "project: shop\nservices: { api: { go: ./services/api } }\n",
        message: "its services: map is written in flow style",
      },
      {
        description: "a file that is not YAML",
        text: "project: [shop\n",
        message: "is not valid YAML",
      },
      {
        description: "a file dray would refuse",
        text: "project: shop\nservices:\n  api:\n    go: ./services/api\n    replicas: 2\n",
        message: "has problems; fix them before adding services",
      },
      {
        description: "--add with --force",
        text: "project: shop\n",
        force: true,
        message: "--add and --force do not go together",
      },
    ];
  it.each(unaddable)("refuses to add to $description, and leaves it as it is", async ({
    text,
    message,
    force,
  }) => {
    const root = await monorepo();
    const file = path.join(root, "dray.yaml");
    await writeFile(file, text);
    const error = await userError(initProject({ root, add: true, ...(force ? { force } : {}) }));
    expect([error.message, error.exitCode]).toEqual([expect.stringContaining(message), ExitCode.usage]);
    expect(await readFile(file, "utf8")).toBe(text);
  });

  it("leaves out what --exclude matches, and refuses when that is everything", async () => {
    const root = await monorepo();
    const result = await initProject({ root, exclude: ["services/orders"] });
    expect([result.services, result.excluded]).toEqual([
      ["api"],
      [{ package: "./services/orders", pattern: "services/orders" }],
    ]);
    await rm(path.join(root, "dray.yaml"));
    const error = await userError(initProject({ root, exclude: ["services"] }));
    expect(error.message).toBe(`found no Go main package under ${root} (2 excluded by --exclude)`);
  });

  it("makes test and tool programs services when there is nothing else", async () => {
    const root = await monorepo();
    await rm(path.join(root, "services"), { recursive: true });
    await writeTree(root, { "tools/gen/main.go": main });
    const result = await initProject({ root });
    expect([result.services, result.aside]).toEqual([["gen"], []]);
  });

  const refused: {
    description: string;
    setup: (root: string) => Promise<void>;
    project?: string;
    message: (root: string) => string;
  }[] = [
    {
      description: "an invalid project name",
      setup: async () => {},
      project: "My Shop",
      message: () =>
        '"My Shop" is not a valid project name — use 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
    },
    {
      description: "a directory without Go main packages",
      setup: async (root) => {
        await rm(path.join(root, "services"), { recursive: true });
      },
      message: (root) => `found no Go main package under ${root}`,
    },
  ];
  it.each(refused)("refuses $description", async ({ setup, project, message }) => {
    const root = await monorepo();
    await setup(root);
    const error = await userError(initProject({ root, ...(project ? { project } : {}) }));
    expect([error.message, error.exitCode]).toEqual([message(root), ExitCode.usage]);
    expect(await readdir(root)).not.toContain("dray.yaml");
  });
});
