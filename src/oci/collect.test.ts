import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, realpath, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExitCode, UserError } from "../errors/errors.js";
import { collectDirectory, collectFile } from "./collect.js";
import type { TarEntry } from "./tar.js";
import { tarStream } from "./tar-stream.js";

/** What an entry's file holds: collect names the file, the tar reads it. */
const content = (e: TarEntry) => (e.source ? readFileSync(e.source.path, "utf8") : undefined);

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-collect-"));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** A service context with a static folder; `modes` decides how permissive the checkout was. */
async function makeContext(
  root: string,
  modes: { file: number; exec: number; dir: number },
  reverse = false,
) {
  const context = path.join(root, "svc");
  const files: [string, string, number][] = [
    ["static/index.html", "<h1>hi</h1>\n", modes.file],
    ["static/run.sh", "#!/bin/sh\n", modes.exec],
    ["static/css/site.css", "body{}\n", modes.file],
    ["README.md", "readme\n", modes.file],
  ];
  for (const [file, content, mode] of reverse ? [...files].reverse() : files) {
    await mkdir(path.dirname(path.join(context, file)), { recursive: true });
    await writeFile(path.join(context, file), content);
    await chmod(path.join(context, file), mode);
    await utimes(path.join(context, file), 1_000_000 + mode, 2_000_000 + mode);
  }
  await symlink("index.html", path.join(context, "static/home.html"));
  await symlink("../../README.md", path.join(context, "static/css/readme"));
  for (const dir of ["static", "static/css"]) await chmod(path.join(context, dir), modes.dir);
  return context;
}

async function expectUserError(promise: Promise<unknown>, ...fragments: string[]): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  for (const fragment of fragments) expect((error as UserError).message).toContain(fragment);
  return error as UserError;
}

describe("collectDirectory", () => {
  it("keeps files, directories and in-context symlinks under the image directory", async () => {
    const context = await makeContext(temp, { file: 0o644, exec: 0o755, dir: 0o755 });
    const entries = await collectDirectory(path.join(context, "static"), "/srv/www", { context });
    const summary = entries.map((e) => [e.path, e.type, e.mode, e.linkTarget, content(e)]);
    expect(summary).toEqual([
      ["srv/www", "dir", undefined, undefined, undefined],
      ["srv/www/css", "dir", undefined, undefined, undefined],
      ["srv/www/css/readme", "symlink", undefined, "../../README.md", undefined],
      ["srv/www/css/site.css", "file", 0o644, undefined, "body{}\n"],
      ["srv/www/home.html", "symlink", undefined, "index.html", undefined],
      ["srv/www/index.html", "file", 0o644, undefined, "<h1>hi</h1>\n"],
      ["srv/www/run.sh", "file", 0o755, undefined, "#!/bin/sh\n"],
    ]);
  });

  it("produces identical tar bytes whatever the umask, modes, times and creation order on disk", async () => {
    const strict = await makeContext(path.join(temp, "a"), { file: 0o600, exec: 0o700, dir: 0o700 });
    const loose = await makeContext(path.join(temp, "b"), { file: 0o664, exec: 0o775, dir: 0o775 }, true);
    const tar = async (context: string) => {
      const entries = await collectDirectory(path.join(context, "static"), "/srv", { context });
      const chunks: Buffer[] = [];
      for await (const chunk of tarStream(entries, { mtime: 0, uid: 0, gid: 0 })) chunks.push(chunk);
      return Buffer.concat(chunks);
    };
    expect((await tar(strict)).equals(await tar(loose))).toBe(true);
  });

  it("accepts in-context links when the context is reached through a symlink", async () => {
    const context = await makeContext(temp, { file: 0o644, exec: 0o755, dir: 0o755 });
    const alias = path.join(temp, "alias");
    await symlink(context, alias);
    const entries = await collectDirectory(path.join(alias, "static"), "/srv", { context: alias });
    expect(entries.filter((e) => e.type === "symlink")).toHaveLength(2);
  });

  it.each([
    { description: "a relative link out of the context", target: "../../etc/passwd" },
    { description: "an absolute link", target: "/etc/passwd" },
    { description: "a link to the context's parent", target: "../.." },
    { description: "a link that climbs out through a subfolder", target: "css/../../../secret" },
  ])("rejects $description, naming the link and its target", async ({ target }) => {
    const context = await makeContext(temp, { file: 0o644, exec: 0o755, dir: 0o755 });
    const link = path.join(context, "static", "escape");
    await symlink(target, link);
    const error = await expectUserError(
      collectDirectory(path.join(context, "static"), "/srv", { context }),
      link,
      target,
      "symlinks must stay inside the service context",
    );
    expect(error.exitCode).toBe(ExitCode.usage);
  });

  it("rejects FIFOs", async () => {
    const context = await makeContext(temp, { file: 0o644, exec: 0o755, dir: 0o755 });
    execFileSync("mkfifo", [path.join(context, "static", "pipe")]);
    await expectUserError(collectDirectory(context, "/srv", { context }), "pipe", "is a FIFO");
  });

  it("rejects a missing directory as a user error", async () => {
    await expectUserError(
      collectDirectory(path.join(temp, "nope"), "/srv", { context: temp }),
      "does not exist",
    );
  });

  it("rejects a directory that resolves outside the context (a symlinked source)", async () => {
    const context = await makeContext(path.join(temp, "ctx"), { file: 0o644, exec: 0o755, dir: 0o755 });
    await mkdir(path.join(temp, "secret"));
    await symlink(path.join(temp, "secret"), path.join(context, "seclink"));
    const error = await expectUserError(
      collectDirectory(path.join(context, "seclink"), "/secret", { context }),
      "seclink",
      "outside the service context",
    );
    expect(error.exitCode).toBe(ExitCode.usage);
  });

  it("copies only the listed paths when given `only`, leaving out unlisted directories whole", async () => {
    const context = await makeContext(temp, { file: 0o644, exec: 0o755, dir: 0o755 });
    const only = new Set(["css", "css/site.css", "index.html"]);
    const entries = await collectDirectory(path.join(context, "static"), "/srv", { context, only });
    expect(entries.map((e) => e.path)).toEqual(["srv", "srv/css", "srv/css/site.css", "srv/index.html"]);
  });

  it("judges a moved directory's links from its origin, which must be inside the context", async () => {
    const context = await makeContext(path.join(temp, "ctx"), { file: 0o644, exec: 0o755, dir: 0o755 });
    const moved = path.join(temp, "scratch", "out");
    await mkdir(moved, { recursive: true });
    await symlink("../README.md", path.join(moved, "readme"));
    const origin = path.join(await realpath(context), "dist");
    const entries = await collectDirectory(moved, "/srv", { context, origin });
    expect(entries.map((e) => [e.path, e.linkTarget])).toEqual([
      ["srv", undefined],
      ["srv/readme", "../README.md"],
    ]);
    await expectUserError(
      collectDirectory(moved, "/srv", { context, origin: path.join(temp, "elsewhere") }),
      "outside the service context",
    );
  });

  it("puts entries at the image root when imageDir is /", async () => {
    const context = await makeContext(temp, { file: 0o644, exec: 0o755, dir: 0o755 });
    const entries = await collectDirectory(path.join(context, "static", "css"), "/", { context });
    expect(entries.map((e) => e.path)).toEqual(["readme", "site.css"]);
  });
});

describe("collectFile", () => {
  it.each([
    { description: "an executable", mode: 0o700, given: undefined, stored: 0o755 },
    { description: "a plain file", mode: 0o600, given: undefined, stored: 0o644 },
    { description: "a file with an explicit mode", mode: 0o755, given: 0o555, stored: 0o555 },
  ])("reads $description", async ({ mode, given, stored }) => {
    const file = path.join(temp, "bin");
    await writeFile(file, "ELF");
    await chmod(file, mode);
    const entry = await collectFile(file, "/app/bin", given);
    expect(entry).toEqual({ path: "/app/bin", type: "file", mode: stored, source: { path: file, size: 3 } });
    expect(content(entry)).toBe("ELF");
  });

  it("rejects what is not a regular file", async () => {
    await symlink("/etc/passwd", path.join(temp, "link"));
    await expectUserError(collectFile(path.join(temp, "link"), "/x"), "is a symlink, not a regular file");
    await expectUserError(collectFile(temp, "/x"), "is a directory");
  });
});
