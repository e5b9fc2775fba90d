import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findModuleRoot } from "./main-package.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "dray-module-root-"));
  for (const dir of ["services/a", "services/b", "tools/x", "tools/x/cmd"])
    await mkdir(path.join(root, dir), { recursive: true });
  await writeFile(path.join(root, "go.mod"), "module example.com/m\n");
  await writeFile(path.join(root, "tools/x/go.mod"), "module example.com/x\n");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("findModuleRoot", () => {
  it("finds the nearest go.mod at or above a directory, not above the project", async () => {
    expect(findModuleRoot(path.join(root, "services/a"), root)).toBe(root);
    expect(findModuleRoot(path.join(root, "tools/x/cmd"), root)).toBe(path.join(root, "tools/x"));
    await rm(path.join(root, "go.mod"));
    expect(findModuleRoot(path.join(root, "services/a"), root)).toBeUndefined();
  });

  it("remembers the answer for every directory it passed, so siblings do not ask the disk again", async () => {
    const known = new Map<string, string | undefined>();
    expect(findModuleRoot(path.join(root, "services/a"), root, known)).toBe(root);
    expect(known.get(path.join(root, "services"))).toBe(root);
    expect(findModuleRoot(path.join(root, "tools/x/cmd"), root, known)).toBe(path.join(root, "tools/x"));
    // Answered from what was passed: services/ and the root are not looked at again.
    await rm(path.join(root, "go.mod"));
    expect(findModuleRoot(path.join(root, "services/b"), root, known)).toBe(root);
    expect(findModuleRoot(path.join(root, "services/b"), root)).toBeUndefined();
  });
});
