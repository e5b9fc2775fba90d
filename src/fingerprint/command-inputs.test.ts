import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, UserError } from "../errors/errors.js";
import { listCommandInputs } from "./command-inputs.js";

/** The service lives two levels below the repository root, whose .gitignore must reach it. */
const SERVICE = "services/web";
const FILES: Record<string, string> = {
  ".gitignore": "*.log\n/services/web/secret.txt\ngen/\n",
  [`${SERVICE}/.gitignore`]: "dist/\ncoverage/\n*.tmp\n!keep.tmp\n",
  [`${SERVICE}/.drayignore`]: "docs/\n*.md\n!dist/\n",
  [`${SERVICE}/package.json`]: "{}",
  [`${SERVICE}/src/index.ts`]: "",
  [`${SERVICE}/src/util.ts`]: "",
  [`${SERVICE}/src/util.test.ts`]: "",
  [`${SERVICE}/src/.env`]: "",
  [`${SERVICE}/src/nested/.gitignore`]: "generated.ts\n",
  [`${SERVICE}/src/nested/x.ts`]: "",
  [`${SERVICE}/src/nested/generated.ts`]: "",
  [`${SERVICE}/src/node_modules/dep/index.js`]: "",
  [`${SERVICE}/debug.log`]: "",
  [`${SERVICE}/secret.txt`]: "",
  [`${SERVICE}/keep.tmp`]: "",
  [`${SERVICE}/other.tmp`]: "",
  [`${SERVICE}/dist/out.js`]: "",
  [`${SERVICE}/dist/cache.tmp`]: "",
  [`${SERVICE}/gen/b.go`]: "",
  [`${SERVICE}/proto/.gitignore`]: "!gen/\n",
  [`${SERVICE}/proto/gen/a.pb.go`]: "",
  [`${SERVICE}/proto/gen/x.tmp`]: "",
  [`${SERVICE}/coverage/lcov.info`]: "",
  [`${SERVICE}/build/app.js`]: "",
  [`${SERVICE}/node_modules/dep/index.js`]: "",
  [`${SERVICE}/.dray/cache/x`]: "",
  [`${SERVICE}/docs/guide.txt`]: "",
  [`${SERVICE}/README.md`]: "",
  [`${SERVICE}/Z.ts`]: "",
  [`${SERVICE}/\u00e9.ts`]: "",
  [`${SERVICE}/\uFF5A.ts`]: "",
  [`${SERVICE}/\u{1F600}.ts`]: "",
};
/** What "**" gives in a git checkout, in bytewise order (so "\uFF5A" before the astral "\u{1F600}"). */
const EVERYTHING = [
  ".drayignore",
  ".gitignore",
  "Z.ts",
  "dist/out.js",
  "keep.tmp",
  "link",
  "package.json",
  "proto/.gitignore",
  "proto/gen/a.pb.go",
  "src/.env",
  "src/index.ts",
  "src/nested/.gitignore",
  "src/nested/x.ts",
  "src/util.test.ts",
  "src/util.ts",
  "srclink",
  "\u00e9.ts",
  "\uFF5A.ts",
  "\u{1F600}.ts",
];

let base: string;
/** Two copies of the tree: one a git repository, one not. */
const roots = { git: "", plain: "" };
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "dray-inputs-"));
  for (const kind of ["git", "plain"] as const) {
    const root = path.join(base, kind);
    roots[kind] = root;
    for (const [rel, content] of Object.entries(FILES)) {
      await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await writeFile(path.join(root, rel), content);
    }
    await symlink("src/index.ts", path.join(root, SERVICE, "link"));
    await symlink("src", path.join(root, SERVICE, "srclink"));
    if (kind === "git") await mkdir(path.join(root, ".git"));
  }
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

function list(kind: keyof typeof roots, inputs: readonly string[]): Promise<string[]> {
  const dir = path.join(roots[kind], SERVICE);
  return listCommandInputs({ dir, inputs, output: path.join(dir, "build") });
}

describe("listCommandInputs", () => {
  it.each([
    {
      description: "everything, honouring .gitignore files above, in and below the dir and .drayignore",
      kind: "git" as const,
      inputs: ["**"],
      expected: EVERYTHING,
    },
    {
      description: "everything outside a git repository: .gitignore files above the dir do not apply",
      kind: "plain" as const,
      inputs: ["**"],
      expected: [...EVERYTHING, "debug.log", "gen/b.go", "secret.txt"].sort((a, b) =>
        Buffer.compare(Buffer.from(a), Buffer.from(b)),
      ),
    },
    {
      description: "a glob with an exclude",
      kind: "git" as const,
      inputs: ["src/**", "!**/*.test.ts"],
      expected: ["src/.env", "src/index.ts", "src/nested/.gitignore", "src/nested/x.ts", "src/util.ts"],
    },
    {
      description: "a directory, meaning all of it",
      kind: "git" as const,
      inputs: ["src"],
      expected: [
        "src/.env",
        "src/index.ts",
        "src/nested/.gitignore",
        "src/nested/x.ts",
        "src/util.test.ts",
        "src/util.ts",
      ],
    },
    {
      description: "a ./-prefixed directory and a single file",
      kind: "git" as const,
      inputs: ["./src/nested/", "package.json"],
      expected: ["package.json", "src/nested/.gitignore", "src/nested/x.ts"],
    },
    {
      description: "a top-level wildcard",
      kind: "git" as const,
      inputs: ["*.ts"],
      expected: ["Z.ts", "\u00e9.ts", "\uFF5A.ts", "\u{1F600}.ts"],
    },
    {
      description: "a whole subtree excluded (a symlink sharing its prefix stays)",
      kind: "git" as const,
      inputs: ["**", "!src"],
      expected: EVERYTHING.filter((p) => !p.startsWith("src/")),
    },
    {
      description: "a negated .gitignore rule",
      kind: "git" as const,
      inputs: ["**/*.tmp"],
      expected: ["keep.tmp"],
    },
    {
      description: "nothing from the output, skipped, git-ignored or dray-ignored directories",
      kind: "git" as const,
      inputs: ["build/**", "node_modules/**", "src/node_modules/**", ".dray/**", "coverage/**", "docs/**"],
      expected: [],
    },
    {
      description: "nothing for a glob matching nothing",
      kind: "git" as const,
      inputs: ["nothing/**"],
      expected: [],
    },
    { description: "nothing for only excludes", kind: "git" as const, inputs: ["!src/**"], expected: [] },
  ])("lists $description", async ({ kind, inputs, expected }) => {
    expect(await list(kind, inputs)).toEqual(expected);
  });

  it.each([
    { description: "an unclosed bracket", glob: "src/[a" },
    { description: "an unclosed brace", glob: "*.{ts,js" },
    { description: "an absolute path", glob: "/etc/passwd" },
    { description: "a path leaving the dir", glob: "../other/**" },
    { description: "an empty glob", glob: "" },
    { description: "a bare negation", glob: "!" },
    { description: "a dangling escape", glob: "src\\" },
  ])("rejects $description with a UserError naming the glob", async ({ glob }) => {
    const error = await list("git", ["src/**", glob]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(`"${glob}"`);
    expect((error as UserError).exitCode).toBe(ExitCode.usage);
  });
});

describe("listCommandInputs and names that are not UTF-8", () => {
  const name = (dir: string, rel: string) =>
    Buffer.concat([Buffer.from(`${dir}/${rel}`), Buffer.from([0xff, 0x2e, 0x74, 0x73])]);

  it("refuses an input whose name is not UTF-8, and ignores one that is no input", async () => {
    const dir = path.join(base, "latin1");
    await mkdir(path.join(dir, "src"), { recursive: true });
    await mkdir(path.join(dir, "node_modules"));
    await writeFile(name(dir, "src/x"), "");
    await writeFile(name(dir, "node_modules/x"), "");
    const listed = (inputs: string[]) => listCommandInputs({ dir, inputs, output: path.join(dir, "out") });
    const error = await listed(["src/**"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`${dir}/src/x\\xff.ts: file name is not valid UTF-8`);
    expect((error as UserError).exitCode).toBe(ExitCode.usage);
    expect(await listed(["*.json", "node_modules/**"])).toEqual([]);
  });
});
