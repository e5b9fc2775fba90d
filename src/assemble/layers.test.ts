import { mkdtempSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors/index.js";
import { collectMappings } from "./layers.js";

// Made at once: the cases below name paths in it when the file is loaded.
const root = mkdtempSync(path.join(os.tmpdir(), "dray-layers-"));
beforeAll(async () => {
  await mkdir(path.join(root, "conf", "app"), { recursive: true });
  await writeFile(path.join(root, "conf", "app", "a.json"), "{}");
  await writeFile(path.join(root, "a.json"), "{}");
  await writeFile(path.join(root, "b.json"), "{}");
});
afterAll(() => rm(root, { recursive: true, force: true }));

const at = (from: string, to: string) => ({ from: path.join(root, from), to });

describe("collectMappings: one files: entry per image path", () => {
  it.each([
    {
      description: "a file that a copied directory also holds",
      mappings: [at("conf", "/etc"), at("a.json", "/etc/app/a.json")],
      message: `files: ${path.join(root, "conf")} and ${path.join(root, "a.json")} both write /etc/app/a.json in the image`,
    },
    {
      description: "a file where a copied directory has a directory",
      mappings: [at("a.json", "/etc/app"), at("conf", "/etc")],
      message: `files: ${path.join(root, "a.json")} and ${path.join(root, "conf")} both write /etc/app in the image`,
    },
    {
      description: "a file below another entry's file",
      mappings: [at("a.json", "/etc/app"), at("b.json", "/etc/app/b.json")],
      message: `files: ${path.join(root, "a.json")} and ${path.join(root, "b.json")} both write /etc/app in the image`,
    },
  ])("refuses $description, naming both", async ({ mappings, message }) => {
    const error = await collectMappings(mappings, root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(message);
    expect((error as UserError).exitCode).toBe(2);
  });

  it("lets several entries share parent directories", async () => {
    const entries = await collectMappings([at("conf", "/etc"), at("b.json", "/etc/app/b.json")], root);
    expect(entries.map((e) => e.path).sort()).toEqual([
      "/etc/app/b.json",
      "etc",
      "etc/app",
      "etc/app/a.json",
    ]);
  });
});
