import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { compareUtf8, listTree } from "./tree-hash.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dray-tree-"));
  await mkdir(path.join(dir, "static/css/empty"), { recursive: true });
  await mkdir(path.join(dir, "elsewhere"));
  await writeFile(path.join(dir, "static/index.html"), "<p>");
  await writeFile(path.join(dir, "static/css/site.css"), "p{}");
  await writeFile(path.join(dir, "static/Z.txt"), "z");
  await writeFile(path.join(dir, "static/\u{1F600}.txt"), "astral");
  await writeFile(path.join(dir, "static/\uFF5A.txt"), "fullwidth z");
  await writeFile(path.join(dir, "elsewhere/secret.txt"), "s");
  await symlink("index.html", path.join(dir, "static/home.html"));
  await symlink("../elsewhere", path.join(dir, "static/out"));
  await symlink("missing", path.join(dir, "static/dangling"));
  await symlink("static", path.join(dir, "link-to-dir"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("listTree", () => {
  it.each([
    {
      description: "a directory: files and symlinks, links not followed, empty dirs left out, bytewise order",
      target: "static",
      expected: [
        "Z.txt",
        "css/site.css",
        "dangling",
        "home.html",
        "index.html",
        "out",
        "\uFF5A.txt",
        "\u{1F600}.txt",
      ],
    },
    { description: "a single file", target: "static/index.html", expected: ["."] },
    { description: "a symlink to a directory, as a link", target: "link-to-dir", expected: ["."] },
    { description: "an empty directory", target: "static/css/empty", expected: [] },
  ])("lists $description", async ({ target, expected }) => {
    expect(await listTree(path.join(dir, target))).toEqual(expected);
  });

  it("rejects a missing path with a UserError naming it", async () => {
    const missing = path.join(dir, "nope");
    const error = await listTree(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(missing);
  });
});

describe("compareUtf8", () => {
  it.each([
    { description: "ASCII", a: "a/b", b: "a.b" },
    { description: "a prefix", a: "abc", b: "ab" },
    { description: "equal strings", a: "same", b: "same" },
    { description: "astral against U+FF5A", a: "\u{1F600}", b: "\uFF5A" },
    { description: "astral against U+E000", a: "x\u{10000}", b: "x\uE000" },
    { description: "two astral characters", a: "\u{1F600}", b: "\u{1F601}" },
    { description: "Latin-1 against ASCII", a: "\u00e9", b: "z" },
  ])("orders $description as their UTF-8 bytes do", ({ a, b }) => {
    const bytes = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(Math.sign(compareUtf8(a, b))).toBe(bytes);
    expect(Math.sign(compareUtf8(b, a))).toBe(bytes === 0 ? 0 : -bytes);
  });
});
