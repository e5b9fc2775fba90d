/** The -mod and GOWORK dray decides for each module, against go's own rules. */
import { describe, expect, it } from "vitest";
import { ExitCode } from "../errors/index.js";
import type { GoModuleLayout } from "./module-layout.js";
import { decideModuleMode, type ModeEnv, unmetGoLines } from "./module-mode.js";
import { toolchainTooOld } from "./toolchain.js";

/** A module at /repo/m with go 1.21, no vendor directory and no workspace, with `overrides`. */
function layout(overrides: Partial<GoModuleLayout> = {}): GoModuleLayout {
  return {
    root: "/repo/m",
    path: "example.com/m",
    goVersion: "1.21",
    vendor: "none",
    workspace: undefined,
    ...overrides,
  };
}
const workspace = (vendor: "none" | "module" | "workspace" = "none", goVersion = "1.22") => ({
  file: "/repo/go.work",
  goVersion,
  vendor,
});

describe("decideModuleMode", () => {
  const cases: {
    description: string;
    layout: GoModuleLayout;
    env?: ModeEnv;
    mod: string;
    gowork?: string;
    note?: RegExp;
  }[] = [
    { description: "a module without vendor/ reads the module cache", layout: layout(), mod: "readonly" },
    {
      description: "a vendor/ with go >= 1.14 is used by default",
      layout: layout({ vendor: "module" }),
      mod: "vendor",
    },
    {
      description: "a vendor/ with a go line before 1.14 is not",
      layout: layout({ vendor: "module", goVersion: "1.13" }),
      mod: "readonly",
    },
    {
      description: "a vendor/ without a go line is not",
      layout: layout({ vendor: "module", goVersion: undefined }),
      mod: "readonly",
    },
    {
      description: "an inherited -mod=vendor does not force a module without vendor/",
      layout: layout(),
      env: { GOFLAGS: "-mod=vendor -x" },
      mod: "readonly",
      note: /no vendor directory/,
    },
    {
      description: "an explicit -mod=readonly wins over vendor/",
      layout: layout({ vendor: "module" }),
      env: { GOFLAGS: "-mod=readonly" },
      mod: "readonly",
    },
    {
      description: "an explicit -mod=mod wins outside a workspace",
      layout: layout(),
      env: { GOFLAGS: "-mod=mod" },
      mod: "mod",
    },
    {
      description: "an explicit -mod=vendor with go < 1.14 and vendor/ wins",
      layout: layout({ vendor: "module", goVersion: "1.12" }),
      env: { GOFLAGS: "-mod=vendor" },
      mod: "vendor",
    },
    {
      description: "a module a go.work uses is built in the workspace",
      layout: layout({ workspace: workspace() }),
      mod: "readonly",
      gowork: "/repo/go.work",
    },
    {
      description: "in a workspace, the module's own vendor/ does not apply",
      layout: layout({ vendor: "module", workspace: workspace() }),
      mod: "readonly",
      gowork: "/repo/go.work",
    },
    {
      description: "in a workspace, `go work vendor`'s vendor/ applies by go.work's go line",
      layout: layout({ workspace: workspace("workspace") }),
      mod: "vendor",
      gowork: "/repo/go.work",
    },
    {
      description: "in a workspace, -mod=mod does not apply",
      layout: layout({ workspace: workspace() }),
      env: { GOFLAGS: "-mod=mod" },
      mod: "readonly",
      gowork: "/repo/go.work",
      note: /not allow in a go\.work workspace/,
    },
    {
      description: "GOWORK=off turns the workspace off",
      layout: layout({ vendor: "module", workspace: workspace() }),
      env: { GOWORK: "off" },
      mod: "vendor",
    },
    {
      description: "any other inherited GOWORK is replaced by the project's own",
      layout: layout(),
      env: { GOWORK: "/elsewhere/go.work" },
      mod: "readonly",
    },
  ];
  it.each(cases)("$description", (c) => {
    const mode = decideModuleMode(c.layout, c.env ?? {});
    expect([mode.mod, mode.workspace, mode.env.GOWORK]).toEqual([c.mod, c.gowork, c.gowork ?? "off"]);
    expect(mode.env.GOFLAGS).toMatch(new RegExp(`(^| )-mod=${c.mod}$`));
    if (c.note) expect(mode.note).toMatch(c.note);
    else expect(mode.note).toBeUndefined();
  });

  it("keeps the user's other GOFLAGS", () => {
    expect(decideModuleMode(layout(), { GOFLAGS: "-mod=vendor -tags=netgo" }).env.GOFLAGS).toBe(
      "-tags=netgo -mod=readonly",
    );
  });
});

describe("unmetGoLines", () => {
  const display = (file: string) => file.replace("/repo/", "");
  it("names the module, the file and the version a too-old toolchain misses", () => {
    const ws = layout({ goVersion: "1.22", workspace: workspace("none", "1.24") });
    const mode = decideModuleMode(ws, {});
    expect(unmetGoLines("go1.23.5", ws, mode, display)).toEqual([
      { module: "example.com/m", file: "go.work", version: "1.24" },
    ]);
    expect(unmetGoLines("go1.24.1", ws, mode, display)).toEqual([]);
    const alone = decideModuleMode(ws, { GOWORK: "off" });
    expect(unmetGoLines("go1.21.0", ws, alone, display)).toEqual([
      { module: "example.com/m", file: "m/go.mod", version: "1.22" },
    ]);
  });
});

describe("toolchainTooOld", () => {
  it("names the module, the file and both versions; exit 3", () => {
    const error = toolchainTooOld("go1.23.5", [
      { module: "example.com/tools", file: "tools/go.mod", version: "1.24" },
    ]);
    expect([error.message, error.exitCode]).toEqual([
      "module example.com/tools needs Go 1.24 or newer (go 1.24 in tools/go.mod), but the Go toolchain is go1.23.5",
      ExitCode.environment,
    ]);
    expect(error.hint).toMatch(/^Install Go 1\.24 or newer/);
  });

  it("lists every module and asks for the newest version", () => {
    const error = toolchainTooOld("go1.21.0", [
      { module: "example.com/a", file: "a/go.mod", version: "1.23" },
      { module: "example.com/b", file: "go.work", version: "1.22.1" },
    ]);
    expect([error.message, error.details]).toEqual([
      "2 modules need a newer Go than the toolchain (go1.21.0)",
      "module example.com/a needs Go 1.23 or newer (go 1.23 in a/go.mod)\nmodule example.com/b needs Go 1.22.1 or newer (go 1.22.1 in go.work)",
    ]);
    expect(error.hint).toMatch(/^Install Go 1\.23 or newer/);
  });
});
