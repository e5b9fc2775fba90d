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
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
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
    expect(result).toEqual({ file: path.join(root, "dray.yaml"), services: ["api", "orders"] });
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

  it("keeps an existing dray.yaml unless forced", async () => {
    const root = await monorepo();
    const file = path.join(root, "dray.yaml");
    await writeFile(file, "# mine\n");
    const error = await userError(initProject({ root }));
    expect([error.message, error.exitCode, error.hint]).toEqual([
      `${file} already exists`,
      ExitCode.usage,
      "Edit it by hand, or run `dray init --force` to replace it.",
    ]);
    expect(await readFile(file, "utf8")).toBe("# mine\n");
    await initProject({ root, force: true });
    expect(await readFile(file, "utf8")).toMatch(/^# dray\.yaml/);
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
