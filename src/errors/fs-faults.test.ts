import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "./errors.js";
import { fileSystemFault, withFileSystemFault } from "./fs-faults.js";
import { describeError, renderError } from "./render.js";

/** An error shaped as Node reports a failed system call. */
function systemError(code: string, syscall: string, where?: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: failed, ${syscall}${where ? ` '${where}'` : ""}`);
  Object.assign(error, { code, errno: -1, syscall, ...(where ? { path: where } : {}) });
  return error;
}

describe("fileSystemFault", () => {
  it.each([
    {
      description: "a full disk names the file and points at dray cache prune",
      error: systemError("ENOSPC", "write"),
      path: "/p/.dray/oci/blobs/sha256/ab",
      message: "no space left on the device writing /p/.dray/oci/blobs/sha256/ab",
      hint: /dray cache prune/,
    },
    {
      description: "a quota names the file",
      error: systemError("EDQUOT", "write", "/p/.dray/cache/x"),
      path: undefined,
      message: "disk quota exceeded writing /p/.dray/cache/x",
      hint: /Free some space/,
    },
    {
      description: "a read-only checkout says so",
      error: systemError("EROFS", "mkdir", "/p/.dray/oci"),
      path: undefined,
      message: "cannot write /p/.dray/oci: the file system is read-only",
      hint: /writable checkout/,
    },
    {
      description: "permission denied on a write opened for writing",
      error: systemError("EACCES", "open", "/p/.dray/tmp-1"),
      path: "/p/.dray/cache/last.json",
      writing: true,
      message: "permission denied writing /p/.dray/cache/last.json",
      hint: /ls -ld/,
    },
    {
      description: "permission denied on a read",
      error: systemError("EPERM", "scandir", "/p/services/api"),
      path: undefined,
      message: "permission denied reading /p/services/api",
      hint: /owner and mode of \/p\/services\/api/,
    },
    {
      description: "a directory where a file should be",
      error: systemError("EISDIR", "read"),
      path: "/p/.dray/oci/index.json",
      message: "/p/.dray/oci/index.json is a directory, where dray needs a file",
      hint: /Remove or rename/,
    },
    {
      description: "too many open files suggests a higher limit or fewer jobs",
      error: systemError("EMFILE", "open", "/p/a.go"),
      path: undefined,
      message: "too many open files (opening /p/a.go)",
      hint: /ulimit -n.*--jobs/,
    },
  ])("$description", ({ error, path: where, writing, message, hint }) => {
    const fault = fileSystemFault(error, {
      ...(where ? { path: where } : {}),
      ...(writing ? { writing } : {}),
    });
    expect(fault).toBeInstanceOf(UserError);
    expect(fault?.message).toBe(message);
    expect(fault?.hint).toMatch(hint);
    expect(fault?.exitCode).toBe(3);
    expect(fault?.cause).toBe(error);
  });

  it.each([
    {
      description: "a missing file (a bug or a race, not the user's)",
      error: systemError("ENOENT", "open", "/x"),
    },
    { description: "an exclusive create that lost", error: systemError("EEXIST", "open", "/x") },
    { description: "an error without a system call", error: new TypeError("x is undefined") },
    { description: "a thrown string", error: "ENOSPC" },
  ])("leaves $description alone", ({ error }) => {
    expect(fileSystemFault(error)).toBeUndefined();
    expect(withFileSystemFault(error, { path: "/y" })).toBe(error);
  });
});

describe("faults on a real disk", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "dray-faults-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names the file that stands where a directory is needed (.dray is a file)", async () => {
    await writeFile(path.join(dir, ".dray"), "not a directory");
    const error = await mkdir(path.join(dir, ".dray", "oci", "blobs"), { recursive: true }).catch((e) => e);
    const fault = fileSystemFault(error);
    expect(fault?.message).toBe(`${path.join(dir, ".dray")} is a file, where dray needs a directory`);
    expect(fault?.hint).toMatch(/Move .*\.dray out of the way/);
  });

  it("treats a mkdir over a file the same way", async () => {
    await mkdir(path.join(dir, "state"));
    await writeFile(path.join(dir, "state", "oci"), "");
    const error = await mkdir(path.join(dir, "state", "oci")).catch((e) => e);
    expect(fileSystemFault(error)?.message).toBe(
      `${path.join(dir, "state", "oci")} is a file, where dray needs a directory`,
    );
  });

  it("names a directory read as a file", async () => {
    const error = await readFile(dir).catch((e) => e);
    expect(fileSystemFault(error, { path: dir })?.message).toBe(
      `${dir} is a directory, where dray needs a file`,
    );
  });

  it("maps a write through a file handle, which names no path, to the path the edge gives", async () => {
    const error = await open("/dev/full", "w").then(async (full) => {
      try {
        return await full.writeFile("x").catch((e) => e);
      } finally {
        await full.close();
      }
    });
    expect(error.code).toBe("ENOSPC");
    expect(fileSystemFault(error, { path: "/p/x" })?.message).toBe(
      "no space left on the device writing /p/x",
    );
  });
});

describe("the renderer", () => {
  it("shows a file-system fault that no edge named as a user error: one line, a hint, exit 3, no stack", () => {
    const { text, exitCode } = renderError(systemError("EROFS", "open", "/p/.dray/x"), {
      interactive: false,
      color: false,
    });
    expect(text).toBe(
      "error: cannot write /p/.dray/x: the file system is read-only\n" +
        "hint: dray writes its images and caches under .dray/ beside dray.yaml; run it in a writable checkout (or a writable copy of it).",
    );
    expect(exitCode).toBe(3);
  });

  it("still shows a real bug with its stack", () => {
    const bug = systemError("ENOENT", "open", "/p/.dray/oci/index.json");
    expect(describeError(bug)).toMatchObject({ kind: "internal", exitCode: 70 });
  });
});
