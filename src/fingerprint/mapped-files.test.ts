/**
 * What a `files:` source copies — the list both the key and the packer use: files and symlinks
 * (links not followed), ignore rules applied inside a directory, `.git` and `.dray` never, and a
 * source that is a symlink read where it points, as long as that is inside the context.
 */
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, UserError } from "../errors/errors.js";
import { listMappedFiles } from "./mapped-files.js";

let base: string;
/** The repository root (it has a .git) and the outside world next to it. */
let repo: string;
let outside: string;

const FILES: Record<string, string> = {
  ".gitignore": "*.log\nbuild/\n",
  ".drayignore": "!keep.log\n*.secret\n",
  "app.txt": "app",
  "debug.log": "log",
  "keep.log": "kept",
  "token.secret": "s",
  ".dray/oci/blobs/x": "blob",
  ".git/HEAD": "ref",
  "static/index.html": "<p>",
  "static/css/site.css": "p{}",
  "static/Z.txt": "z",
  "static/\u{1F600}.txt": "astral",
  "static/\uFF5A.txt": "fullwidth z",
  "static/.gitignore": "*.map\n",
  "static/app.js.map": "map",
  "static/sub/.dray/x": "nested state",
  "web/build/.gitignore": "*.tmp\n",
  "web/build/bundle.js": "js",
  "web/build/cache.tmp": "tmp",
  "web/build/assets/logo.svg": "<svg/>",
};

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "dray-mapped-")));
  repo = path.join(base, "repo");
  outside = path.join(base, "outside");
  for (const [rel, content] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
    await writeFile(path.join(repo, rel), content);
  }
  await mkdir(path.join(repo, "static/css/empty"), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(outside, "id_rsa"), "secret");
  await symlink("index.html", path.join(repo, "static/home.html"));
  await symlink("missing", path.join(repo, "static/dangling"));
  await symlink("static", path.join(repo, "link-to-dir"));
  await symlink("app.txt", path.join(repo, "link-to-file"));
  await symlink(outside, path.join(repo, "seclink"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("listMappedFiles", () => {
  it.each([
    {
      description:
        "a directory: files and symlinks, links not followed, ignored files left out, bytewise order",
      source: "static",
      files: [
        ".gitignore",
        "Z.txt",
        "css/site.css",
        "dangling",
        "home.html",
        "index.html",
        "\uFF5A.txt",
        "\u{1F600}.txt",
      ],
      directories: ["css", "css/empty", "sub"],
    },
    {
      description: "the root: no .git, no .dray, .gitignore and .drayignore applied (.drayignore first)",
      source: ".",
      files: [
        ".drayignore",
        ".gitignore",
        "app.txt",
        "keep.log",
        "link-to-dir",
        "link-to-file",
        "seclink",
        "static/.gitignore",
        "static/Z.txt",
        "static/css/site.css",
        "static/dangling",
        "static/home.html",
        "static/index.html",
        "static/\uFF5A.txt",
        "static/\u{1F600}.txt",
      ],
      directories: ["static", "static/css", "static/css/empty", "static/sub", "web"],
    },
    {
      description: "a git-ignored directory named in files: itself, with the rules still applied inside it",
      source: "web/build",
      files: [".gitignore", "assets/logo.svg", "bundle.js"],
      directories: ["assets"],
    },
    { description: "a single file", source: "static/index.html", files: ["."], directories: [] },
    {
      description: "a single ignored file, named explicitly",
      source: "debug.log",
      files: ["."],
      directories: [],
    },
    { description: "an empty directory", source: "static/css/empty", files: [], directories: [] },
  ])("lists $description", async ({ source, files, directories }) => {
    const listed = await listMappedFiles(path.join(repo, source), repo);
    expect({ files: listed.files, directories: listed.directories }).toEqual({ files, directories });
  });

  it.each([
    { description: "a directory", source: "link-to-dir", real: "static", kind: "directory" },
    { description: "a file", source: "link-to-file", real: "app.txt", kind: "file" },
  ])("reads a symlink to $description where it points", async ({ source, real, kind }) => {
    const listed = await listMappedFiles(path.join(repo, source), repo);
    expect([listed.real, listed.kind]).toEqual([path.join(repo, real), kind]);
  });

  it.each([
    {
      description: "a symlink out of the context",
      source: "seclink",
      fragment: "outside the service's context",
    },
    {
      description: "a path through such a symlink",
      source: "seclink/id_rsa",
      fragment: "outside the service's context",
    },
    { description: "a missing path", source: "nope", fragment: "does not exist" },
    { description: "dray's own state", source: ".dray/oci", fragment: "inside a .git or .dray directory" },
  ])("refuses $description with a UserError naming it (exit 2)", async ({ source, fragment }) => {
    const error = await listMappedFiles(path.join(repo, source), repo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(path.join(repo, source));
    expect((error as UserError).message).toContain(fragment);
    expect((error as UserError).exitCode).toBe(ExitCode.usage);
  });

  it("refuses a source inside the context when the context itself is narrower", async () => {
    const error = await listMappedFiles(path.join(repo, "app.txt"), path.join(repo, "static")).catch(
      (e: unknown) => e,
    );
    expect((error as UserError).message).toContain("outside the service's context");
  });
});

describe("listMappedFiles and names that are not UTF-8", () => {
  it("refuses a file under a source whose name is not UTF-8, naming it byte for byte (exit 2)", async () => {
    const dir = path.join(repo, "latin1");
    await mkdir(dir);
    await writeFile(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9])]), "");
    const error = await listMappedFiles(dir, repo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`${dir}/caf\\xe9: file name is not valid UTF-8`);
    expect((error as UserError).exitCode).toBe(ExitCode.usage);
  });
});
